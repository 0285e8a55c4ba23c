"""The read side on both databases: filters, budgets, phases, budget per wijk."""
import datetime as dt

import pytest
import shapely
from sqlalchemy import select

from app.models import Area, BudgetLine, Fiche, Phase
from app.read.apportion import WijkIndex
from app.read.features import fiche_features
from app.read.queries import (
    FicheFilters,
    count_fiches,
    find_municipality,
    phases_active_in_year,
    select_fiches,
)
from app.read.rows import load_fiche_rows
from app.read.wijk_budgets import apportion_budget_to_wijken
from app.spatial import from_db


def refs(fiches):
    return {f.ref for f in fiches}


def test_city_filter_and_project_kinds(session):
    herentals = select_fiches(session, FicheFilters(municipality="herentals"))
    assert len(herentals) == 110  # 109 numbered fiches + the Zorg item; headings are not projects
    assert all(f.kind == "fiche" for f in herentals)
    halle = select_fiches(session, FicheFilters(municipality="23027"))
    assert len(halle) == 21 and all(f.kind == "actieplan" for f in halle)


def test_sector_status_and_text_filters(session):
    so = select_fiches(session, FicheFilters(municipality="herentals", sector="Stadsontwikkeling"))
    assert len(so) == 39
    rwa = select_fiches(session, FicheFilters(municipality="herentals", q="rwa-as"))
    assert refs(rwa) == {"HER-SO-05", "HER-SO-06", "HER-SO-07", "HER-SO-08"}
    by_number = select_fiches(session, FicheFilters(municipality="halle", q="V2.6"))
    assert refs(by_number) == {"HAL-V2.6"}
    assert count_fiches(session, FicheFilters(municipality="herentals", status="geschrapt")) == 0


def test_drafts_are_hidden_unless_asked(scratch_session):
    fiche = scratch_session.scalar(select(Fiche).where(Fiche.ref == "HER-SO-05"))
    fiche.published = False
    scratch_session.commit()
    public = select_fiches(scratch_session, FicheFilters(municipality="herentals"))
    staff = select_fiches(scratch_session, FicheFilters(municipality="herentals", include_drafts=True))
    assert "HER-SO-05" not in refs(public) and "HER-SO-05" in refs(staff)


def test_sdg_and_obligation_filters(scratch_session):
    from app.models import FicheSdg

    fiche = scratch_session.scalar(select(Fiche).where(Fiche.ref == "HER-SO-05"))
    fiche.sdg_links = [FicheSdg(sdg=6), FicheSdg(sdg=13)]
    fiche.obligation = "verplicht"
    scratch_session.commit()
    assert refs(select_fiches(scratch_session, FicheFilters(municipality="herentals", sdg=6))) == {"HER-SO-05"}
    assert refs(select_fiches(scratch_session, FicheFilters(municipality="herentals", obligation="verplicht"))) == {"HER-SO-05"}


def test_year_filter_matches_phases_or_budget(session):
    filtered = select_fiches(session, FicheFilters(municipality="herentals", year_from=2029, year_to=2029))
    everything = select_fiches(session, FicheFilters(municipality="herentals"))
    expected = {
        f.ref for f in everything
        if any(p.start and p.end and p.start <= dt.date(2029, 12, 31) and p.end >= dt.date(2029, 1, 1) for p in f.phases)
        or any(b.year == 2029 for b in f.budget_lines)
    }
    assert expected and refs(filtered) == expected


def test_wijk_filter_is_spatial(session):
    centrum = session.scalar(select(Area).where(Area.name == "Herentals Centrum"))
    inside = select_fiches(session, FicheFilters(municipality="herentals", wijk=centrum.code))
    area = from_db(centrum.geom)
    expected = {f.ref for f in select_fiches(session, FicheFilters(municipality="herentals"))
                if f.geom is not None and from_db(f.geom).intersects(area)}
    assert refs(inside) == expected and "HER-SO-26" in expected  # Grote Markt


def test_bbox_filter_uses_the_seam(session):
    bbox = (182_600, 207_400, 182_800, 207_600)  # around the Grote Markt, EPSG:31370
    found = select_fiches(session, FicheFilters(municipality="herentals", bbox=bbox))
    box = shapely.box(*bbox)
    expected = {f.ref for f in select_fiches(session, FicheFilters(municipality="herentals"))
                if f.geom is not None and from_db(f.geom).intersects(box)}
    assert refs(found) == expected and expected
    # the same box given in WGS84
    from app.crs import transform

    wgs_bounds = transform(box, 31370, 4326).bounds
    found_wgs = select_fiches(session, FicheFilters(municipality="herentals", bbox=wgs_bounds, bbox_srid=4326))
    assert expected <= refs(found_wgs)


def test_phases_active_in_year(session):
    active = phases_active_in_year(session, FicheFilters(municipality="herentals"), 2027)
    all_phases = session.scalars(select(Phase)).all()
    expected = {p.id for p in all_phases if p.start <= dt.date(2027, 12, 31) and p.end >= dt.date(2027, 1, 1)
                and p.fiche_id in {f.id for f in select_fiches(session, FicheFilters(municipality="herentals"))}}
    assert {p.id for p in active} == expected and expected


def test_apportioned_budget_adds_up(session):
    herentals = find_municipality(session, "herentals")
    result = apportion_budget_to_wijken(session, herentals)
    fiches = select_fiches(session, FicheFilters(municipality="herentals"))
    total = sum(ln.amount_eur for f in fiches for ln in f.budget_lines if ln.direction == "uitgave")
    assert sum(w.amount_eur for w in result.wijken) + result.citywide_eur == pytest.approx(total)
    assert len(result.wijken) == 10
    assert all(w.population for w in result.wijken)  # illustrative population for every wijk
    assert any(w.illustrative for w in result.wijken)
    # per year adds up to the total too
    for w in result.wijken:
        assert sum(w.by_year.values()) == pytest.approx(w.amount_eur)


def test_apportion_line_crossing_two_real_wijken(scratch_session):
    """A line drawn across the border of two real Herentals wijken is shared by length."""
    from app.models import Fiche as F
    from app.spatial import to_db

    herentals = find_municipality(scratch_session, "herentals")
    wijken = scratch_session.scalars(select(Area).where(Area.level == "wijk", Area.municipality_id == herentals.id)).all()
    a, b = from_db(wijken[0].geom), None
    for other in wijken[1:]:
        if from_db(other.geom).touches(a) or from_db(other.geom).intersects(a):
            b = other
            break
    border = a.intersection(from_db(b.geom))
    mid = border.representative_point() if not border.is_empty else a.boundary.interpolate(0.5, normalized=True)
    line = shapely.LineString([(mid.x - 300, mid.y - 300), (mid.x + 300, mid.y + 300)])
    index = WijkIndex([(w.code, from_db(w.geom)) for w in wijken])
    expected = index.shares(line)
    assert len(expected) >= 2
    fiche = F(municipality=herentals, ref="T-LINE", kind="fiche", title="Testlijn", published=True,
              geom=to_db(line))
    fiche.budget_lines = [BudgetLine(year=2030, kind="investering", direction="uitgave", amount_eur=1_000_000,
                                     basis="raming")]
    scratch_session.add(fiche)
    scratch_session.commit()
    only = FicheFilters(ids=[fiche.id])
    result = apportion_budget_to_wijken(scratch_session, herentals, only)
    got = {w.code: w.amount_eur for w in result.wijken if w.amount_eur}
    assert got == pytest.approx({code: 1_000_000 * s for code, s in expected.items()})
    assert result.citywide_eur == 0


def test_features_are_wgs84_and_raw(session):
    fiches = load_fiche_rows(session, FicheFilters(municipality="herentals", q="Grote Markt"))
    fc = fiche_features(fiches)
    coords = fc["features"][0]["geometry"]["coordinates"]
    flat = coords
    while isinstance(flat[0], list):
        flat = flat[0]
    assert 4.7 < flat[0] < 5.0 and 51.1 < flat[1] < 51.3
    assert fc["features"][0]["properties"]["url"].startswith("/herentals/fiches/")
