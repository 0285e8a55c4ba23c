"""The demo content: real texts exact, counts as in the documents, areas real,
illustrative values marked. Runs on both databases."""
import csv
from pathlib import Path

import pytest
import shapely
from sqlalchemy import func, select

from app.models import Area, BudgetLine, Fiche, IndicatorValue, Municipality, Phase, ProgressReport
from app.spatial import from_db

GEODATA = Path(__file__).resolve().parent.parent / "geodata"
SOURCES = GEODATA / "sources"


def collapse(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def herentals_text():
    return collapse((SOURCES / "herentals_inspiratienota_2025-2030.txt").read_text())


@pytest.fixture(scope="module")
def halle_text():
    return collapse((SOURCES / "halle_beleidsportaal_dienstverlening_verbinden.txt").read_text())


def fiches_of(session, nis):
    return list(session.scalars(select(Fiche).join(Municipality).where(Municipality.nis_code == nis)))


def test_herentals_counts_per_sector(session):
    counts = dict(session.execute(
        select(Fiche.sector, func.count()).join(Municipality)
        .where(Municipality.nis_code == "13011", Fiche.kind == "fiche").group_by(Fiche.sector)
    ).all())
    assert counts == {
        "Burger en Samenleving": 38, "Vrije Tijd": 17, "Stadsontwikkeling": 39,
        "Ondersteunende Diensten": 15, "Zorg": 1,
    }


def test_herentals_keeps_the_two_fiches_numbered_27(session):
    rows = session.execute(
        select(Fiche.ref, Fiche.title).where(Fiche.sector == "Burger en Samenleving", Fiche.number == "27")
        .order_by(Fiche.ref)
    ).all()
    assert [title for _, title in rows] == [
        "Blijven inzetten op fiets- en autorijlessen",
        "Anti-discriminatieclausule voor reglementen en samenwerkingsovereenkomsten",
    ]
    assert len({ref for ref, _ in rows}) == 2


@pytest.mark.parametrize("ref,title", [
    ("HER-ZORG-01", "Oprichting welzijnsvereniging Sint-Anna"),
    ("HER-BS-01", "Afstemming van het onthaal van de eerstelijnsdiensten Burger en Samenleving"),
    ("HER-VT-14", "Realisatie nieuw zwembadencomplex Netepark in samenwerking met de Neteland-partners"),
    ("HER-SO-05", "We zullen de RWA-as in het stadscentrum realiseren"),
    ("HER-SO-18", "Versterken van het stadshart met de bouw van een nieuwe stadsfeestzaal, nieuw stadhuis "
                  "met bibliotheek en de aanleg van een ondergrondse parking en parkruimte in het binnengebied Schaliken"),
    ("HER-OD-15", "Voorzien van een functie rond welzijn personeel"),
    ("HAL-V1.1", "Onze dienstverlening is bereikbaar en begrijpbaar voor elke inwoner"),
    ("HAL-V2.6", "De stad bestrijdt armoede vanuit alle beleidsdomeinen."),
    ("HAL-V4.4", "De stad heeft oog en oor voor wat er leeft bij de inwoners"),
])
def test_sample_titles_exact(session, ref, title):
    assert session.scalar(select(Fiche.title).where(Fiche.ref == ref)) == title


def test_every_text_is_verbatim_from_its_source(session, herentals_text, halle_text):
    checked = 0
    for nis, text in (("13011", herentals_text), ("23027", halle_text)):
        for fiche in fiches_of(session, nis):
            assert collapse(fiche.title) in text, f"{fiche.ref}: title not in source"
            if fiche.summary and fiche.kind != "sector":
                for line in fiche.summary.splitlines():
                    if line.strip():
                        assert collapse(line) in text, f"{fiche.ref}: summary line not in source: {line[:60]}"
            checked += 1
    for report in session.scalars(select(ProgressReport)):
        for paragraph in report.text.split("\n\n"):
            assert collapse(paragraph) in halle_text
    assert checked > 130


def test_halle_tree(session):
    domain = session.scalar(select(Fiche).where(Fiche.ref == "HAL-DV"))
    assert domain.kind == "beleidsdomein" and domain.title == "Dienstverlening & Verbinden"
    goals = sorted(domain.children, key=lambda f: f.code)
    assert [g.code for g in goals] == ["V1", "V2", "V3", "V4"]
    plans = {g.code: sorted(c.code for c in g.children if c.kind == "actieplan") for g in goals}
    assert plans == {
        "V1": [f"V1.{i}" for i in range(1, 8)],
        "V2": [f"V2.{i}" for i in range(1, 8)],
        "V3": [f"V3.{i}" for i in range(1, 4)],
        "V4": [f"V4.{i}" for i in range(1, 5)],
    }
    v15 = session.scalar(select(Fiche).where(Fiche.code == "V1.5"))
    assert v15.responsible_service == "Samenleving"
    assert [r.period_label for r in v15.progress_reports] == ["Jaarrekening 2022"]
    assert "De Pasja" in v15.progress_reports[0].text


def test_herentals_areas_are_real(session):
    city = session.scalar(select(Area).where(Area.code == "13011"))
    assert city.level == "gemeente" and city.name == "Herentals"
    area_km2 = from_db(city.geom).area / 1e6
    assert 46 < area_km2 < 51  # Herentals is about 48.5 km²
    wijken = session.scalars(select(Area).where(Area.level == "wijk", Area.code.like("13011%"))).all()
    assert len(wijken) == 10
    assert sum(from_db(w.geom).area for w in wijken) / 1e6 == pytest.approx(area_km2, rel=0.02)
    assert "Statbel" in city.source


def test_halle_has_ten_wijken(session):
    n = session.scalar(select(func.count()).select_from(Area).where(Area.level == "wijk", Area.code.like("23027%")))
    assert n == 10


def test_real_city_figures_with_source(session):
    rows = session.execute(
        select(IndicatorValue).join(Area).where(Area.code == "13011")
    ).scalars().all()
    by_code = {(v.indicator.code, v.period): v for v in rows}
    groene = next(v for (code, _), v in by_code.items() if code == "groene_druk")
    assert groene.value == 31.4 and groene.comparison_value == 38.8 and not groene.illustrative
    investments = {p: v.value for (code, p), v in by_code.items() if code == "investeringen"}
    assert investments == {"2020": 5337217, "2021": 9961008, "2022": 17757515, "2023": 45264513, "2024": 13364344}
    assert all("inspiratienota" in v.source.lower() for v in rows)


def test_illustrative_values_are_marked(session):
    wijk_values = session.scalars(select(IndicatorValue).join(Area).where(Area.level == "wijk")).all()
    assert wijk_values and all(v.illustrative for v in wijk_values)
    assert all(b.basis == "illustratief" for b in session.scalars(select(BudgetLine)))
    assert all(p.illustrative for p in session.scalars(select(Phase)))


def test_place_bound_fiches_lie_in_their_wijk(session):
    checked = 0
    for city in ("herentals", "halle"):
        with open(GEODATA / city / "placements.csv", newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                fiche = session.scalar(select(Fiche).where(Fiche.ref == row["ref"]))
                wijk = session.scalar(select(Area).where(Area.code == row["wijk_code"]))
                geom, area = from_db(fiche.geom), from_db(wijk.geom)
                city_geom = from_db(session.scalar(select(Area).where(Area.code == row["wijk_code"][:5])).geom)
                assert city_geom.buffer(1).contains(geom), f"{row['ref']} leaves the city"
                if geom.geom_type.endswith("Point"):
                    share = sum(area.contains(p) for p in shapely.get_parts(geom)) / len(shapely.get_parts(geom))
                elif "Line" in geom.geom_type:
                    share = geom.intersection(area).length / geom.length
                else:
                    share = geom.intersection(area).area / geom.area
                assert share >= 0.5, f"{row['ref']} lies mostly outside wijk {wijk.name} ({share:.0%})"
                assert fiche.geometry_precision in ("exact", "indicatief")
                checked += 1
    assert checked >= 25


def test_required_places_have_geometries(session):
    for ref in ("HER-SO-05", "HER-SO-06", "HER-SO-07", "HER-SO-08", "HER-SO-01", "HER-SO-02", "HER-SO-21",
                "HER-SO-19", "HER-SO-20", "HER-SO-26", "HER-SO-17", "HER-SO-14", "HER-SO-15", "HER-SO-18",
                "HER-SO-31", "HER-SO-38", "HER-SO-39", "HER-SO-27", "HER-VT-17", "HER-SO-32", "HER-SO-11"):
        fiche = session.scalar(select(Fiche).where(Fiche.ref == ref))
        assert fiche.geom is not None, ref
    for ref in ("HER-SO-05", "HER-SO-06", "HER-SO-07", "HER-SO-08", "HER-SO-17"):
        assert "LineString" in from_db(session.scalar(select(Fiche.geom).where(Fiche.ref == ref))).geom_type
    kern = session.scalar(select(Fiche).where(Fiche.ref == "HER-SO-11"))
    real = session.scalar(select(Area).where(Area.level == "kernwinkelgebied"))
    assert kern.geometry_precision == "exact"
    assert from_db(kern.geom).symmetric_difference(from_db(real.geom)).area < 1.0
