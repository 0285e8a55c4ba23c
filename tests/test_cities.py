"""`fichekaart cities`: a Flemish municipality onboarded by its NIS code from
the bundled boundaries (geodata/areas/vlaanderen_wijken.gpkg), on both databases."""
from __future__ import annotations

import json

import geopandas as gpd
import pytest
import shapely
from sqlalchemy import func, select

from app.models import Area, Fiche, Municipality
from app.spatial import from_db, to_db
from app.write.cities import FLANDERS_GPKG, clean_name

ANTWERPEN, GENT = "11002", "44021"


def bundled_counts(nis: str) -> dict[str, int]:
    """Areas of each level inside the gemeente, counted here with geopandas
    (representative points joined to the 2024 gemeente), independently of the app."""
    gemeente = gpd.read_file(FLANDERS_GPKG, layer="gemeenten")
    gemeente = gemeente[gemeente["code"] == nis]
    counts = {"gemeente": len(gemeente)}
    for layer, level in (("deelgemeenten", "deelgemeente"), ("wijken", "wijk")):
        areas = gpd.read_file(FLANDERS_GPKG, layer=layer)
        points = areas.set_geometry(areas.representative_point())
        counts[level] = len(gpd.sjoin(points, gemeente[["geometry"]], predicate="within"))
    return counts


def city_areas(session, nis: str) -> list[tuple]:
    rows = session.execute(
        select(Area.id, Area.level, Area.code, Area.name, func.ST_AsBinary(Area.geom))
        .join(Municipality).where(Municipality.nis_code == nis).order_by(Area.code)).all()
    return [(r[0], r[1], r[2], r[3], bytes(r[4])) for r in rows]


def cli(app, *args):
    from flask import has_app_context

    from app.db import get_session

    if has_app_context():  # the command uses the same per-context session: end the test's reads first
        get_session().rollback()
    return app.test_cli_runner().invoke(args=["cities", *args])


def test_add_antwerpen_and_gent_with_their_real_wijken(scratch_app, scratch_session):
    result = cli(scratch_app, "add", ANTWERPEN, GENT)
    assert result.exit_code == 0, result.output
    assert "2 nieuw" in result.output
    for nis in (ANTWERPEN, GENT):
        levels = {}
        for _, level, *_ in city_areas(scratch_session, nis):
            levels[level] = levels.get(level, 0) + 1
        assert levels == bundled_counts(nis)
    antwerpen = scratch_session.scalar(select(Municipality).where(Municipality.nis_code == ANTWERPEN))
    assert (antwerpen.name, antwerpen.slug) == ("Antwerpen", "antwerpen")
    kiel = scratch_session.scalar(select(Area).where(Area.code == "11002ANT10"))
    assert kiel.name == "Kiel" and kiel.level == "wijk" and "Statbel" in kiel.source


def test_adding_again_changes_nothing(scratch_app, scratch_session):
    assert cli(scratch_app, "add", ANTWERPEN).exit_code == 0
    before = city_areas(scratch_session, ANTWERPEN)
    scratch_session.rollback()
    again = cli(scratch_app, "add", ANTWERPEN)
    assert again.exit_code == 0 and "0 nieuw, 0 gebieden toegevoegd, 0 bijgewerkt" in again.output
    assert city_areas(scratch_session, ANTWERPEN) == before


def test_the_demo_cities_are_already_there(scratch_app, scratch_session):
    result = cli(scratch_app, "add", "13011")
    assert result.exit_code == 0 and "bestond al" in result.output and "0 gebieden toegevoegd" in result.output


def test_refresh_restores_a_changed_wijk_and_keeps_its_id(scratch_app, scratch_session):
    assert cli(scratch_app, "add", GENT).exit_code == 0
    wijk = scratch_session.scalar(select(Area).where(Area.level == "wijk", Area.code.like(f"{GENT}%")).limit(1))
    wijk_id, code, name, geom = wijk.id, wijk.code, wijk.name, from_db(wijk.geom)
    wijk.name, wijk.geom = "Verkeerd", to_db(shapely.affinity.translate(geom, 50, 0))
    scratch_session.commit()
    plain = cli(scratch_app, "add", GENT)
    assert "0 bijgewerkt" in plain.output  # without --refresh nothing is overwritten
    result = cli(scratch_app, "add", GENT, "--refresh")
    assert result.exit_code == 0 and "1 bijgewerkt" in result.output and code in result.output
    scratch_session.expire_all()
    again = scratch_session.get(Area, wijk_id)
    assert again.code == code and again.name == name
    assert shapely.hausdorff_distance(from_db(again.geom), geom) < 0.01


@pytest.mark.parametrize("args, message", [
    (("add", "99999"), "staat niet in de gemeentegrenzen"),
    (("add", "1300"), "geen NIS-code"),
    (("add", ANTWERPEN, "--slug", "herentals"), "al in gebruik"),
    (("add",), "NIS-codes, of --all"),
])
def test_bad_requests_say_why_in_dutch_and_write_nothing(scratch_app, scratch_session, args, message):
    before = scratch_session.scalar(select(func.count()).select_from(Area))
    result = cli(scratch_app, *args)
    assert result.exit_code != 0 and message in result.output
    assert "Traceback" not in result.output
    scratch_session.rollback()
    assert scratch_session.scalar(select(func.count()).select_from(Area)) == before


def test_one_bad_code_among_good_ones_adds_none(scratch_app, scratch_session):
    result = cli(scratch_app, "add", ANTWERPEN, "99999")
    assert result.exit_code != 0 and "niets gewijzigd" in result.output
    assert scratch_session.scalar(select(Municipality).where(Municipality.nis_code == ANTWERPEN)) is None


def test_remove_refuses_a_city_with_fiches_and_keeps_a_backup_when_forced(scratch_app, scratch_session, tmp_path,
                                                                         monkeypatch):
    refused = cli(scratch_app, "remove", "13011")
    assert refused.exit_code != 0 and "--force" in refused.output
    fiches = scratch_session.scalar(select(func.count()).select_from(Fiche).join(Municipality)
                                    .where(Municipality.nis_code == "13011"))
    assert fiches > 100
    monkeypatch.setattr("app.write.cities.ROOT", tmp_path)
    scratch_session.rollback()
    forced = cli(scratch_app, "remove", "13011", "--force")
    assert forced.exit_code == 0, forced.output
    backup = next((tmp_path / "instance" / "backups").glob("gemeente-13011-*.json"))
    tables = json.loads(backup.read_text())["tabellen"]
    assert len(tables["fiches"]) == fiches and tables["areas"] and tables["budget_lines"]
    assert tables["city_settings"][0]["display_name"] == "Stad Herentals" and tables["city_settings_revisions"]
    assert any(f["geom"] and f["geom"].startswith(("POINT", "LINESTRING", "POLYGON", "MULTI")) for f in tables["fiches"])
    scratch_session.expire_all()
    assert scratch_session.scalar(select(Municipality).where(Municipality.nis_code == "13011")) is None
    assert scratch_session.scalar(select(func.count()).select_from(Area).where(Area.code.like("13011%"))) == 0
    # Halle is untouched
    assert scratch_session.scalar(select(func.count()).select_from(Fiche).join(Municipality)
                                  .where(Municipality.nis_code == "23027")) > 0


def test_a_city_without_fiches_is_removed_without_force(scratch_app, scratch_session):
    assert cli(scratch_app, "add", GENT).exit_code == 0
    assert cli(scratch_app, "remove", GENT).exit_code == 0
    assert scratch_session.scalar(select(Municipality).where(Municipality.nis_code == GENT)) is None


def test_list_shows_wijken_and_fiches(scratch_app):
    cli(scratch_app, "add", GENT)
    output = cli(scratch_app, "list").output
    assert "44021\tgent\tGent\t" in output and "0 fiches" in output
    assert "13011\therentals\tHerentals\t10 wijken" in output


def test_a_new_city_answers_with_valid_empty_pages(scratch_app, scratch_session):
    assert cli(scratch_app, "add", ANTWERPEN).exit_code == 0
    client = scratch_app.test_client()
    for url in ("/antwerpen", "/antwerpen/wijken/11002ANT10", "/antwerpen/downloads", "/antwerpen/download.gpkg",
                "/ogc/collections/fiches-antwerpen", "/api/antwerpen/wijken.geojson"):
        assert client.get(url).status_code == 200, url
    compare = client.get("/antwerpen/vergelijken")
    assert compare.status_code == 200 and "nog geen cijfers per wijk" in compare.get_data(as_text=True)
    assert "nog geen projecten gepubliceerd" in client.get("/antwerpen").get_data(as_text=True)
    items = client.get("/ogc/collections/fiches-antwerpen/items").get_json()
    assert items["features"] == [] and items["numberMatched"] == 0
    assert len(client.get("/api/antwerpen/wijken.geojson").get_json()["features"]) == bundled_counts(ANTWERPEN)["wijk"]


@pytest.mark.parametrize("raw, expected", [
    ("Noorderwijk (Herentals)", "Noorderwijk"), ("Herentals (Dg.)", "Herentals"),
    ("Berendrecht-Zandvliet-Lillo (Antwerpen)", "Berendrecht-Zandvliet-Lillo"), ("Kiel", "Kiel"),
    ("Lillo (Puurs)", "Lillo (Puurs)"),  # the name of a former municipality stays: it says something
])
def test_clean_name(raw, expected):
    municipality = "Herentals" if "Herentals" in raw else "Antwerpen"
    assert clean_name(raw, municipality) == expected
