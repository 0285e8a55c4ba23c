"""The staff workspace, end to end through the real forms (both databases):
create, edit, publish, history and restore, the edit conflict, and
geometries drawn or uploaded (including the bad ones)."""
from __future__ import annotations

import io
import json
from html import unescape
import zipfile

import pytest
import shapely
from sqlalchemy import func, select

from staff_fixtures import *  # noqa: F401,F403
from staff_fixtures import as_user, csrf_token, db, edit_url, fiche_by_ref, fill, form_values, page_form

HERENTALS_BOX_4326 = (4.83, 51.17, 4.84, 51.175)   # well inside Herentals
HALLE_POINT_4326 = (4.235, 50.735)                  # in Halle, outside Herentals


def feature_collection(*geoms) -> str:
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": json.loads(shapely.to_geojson(g))} for g in geoms
    ]})



def a_herentals_project(app):
    """(id, ref) of a Herentals fiche of kind 'fiche', made a draft: these
    tests edit the fiche itself (a published one is edited through its
    working version: tests/test_working_version.py)."""
    from app.models import Fiche, Municipality

    with db(app) as session:
        fiche = session.scalar(select(Fiche).join(Municipality).where(
            Municipality.slug == "herentals", Fiche.kind == "fiche").order_by(Fiche.id).limit(1))
        fiche.published = False
        session.commit()
        return fiche.id, fiche.ref


def state_of(app, fiche_id):
    """(version, geometry WKT, number of revisions) of a fiche."""
    from app.write.history import geometry_wkt
    from app.models import Fiche, FicheRevision

    with db(app) as session:
        fiche = session.get(Fiche, fiche_id)
        count = session.scalar(select(func.count()).select_from(FicheRevision).where(FicheRevision.fiche_id == fiche_id))
        return fiche.version, geometry_wkt(fiche.geom), count



def post(client, url, values, file=None):
    data = values.copy()
    if file is not None:
        field, content, name = file
        data.add(field, (io.BytesIO(content), name))
    return client.post(url, data=data, content_type="multipart/form-data")


# Round trip --------------------------------------------------------------

def test_create_edit_publish_history_restore(scratch_app, staff):
    from app.write.history import changes_of, revisions_of
    from app.models import Fiche
    from app.read.queries import FicheFilters, select_fiches

    client = as_user(scratch_app, staff.redacteur)
    with db(scratch_app) as session:
        others = list(session.scalars(select(Fiche).join(Fiche.municipality).where(
            Fiche.municipality.has(slug="herentals")).order_by(Fiche.id).limit(2)))
        parent_id, dependency_id = others[0].id, others[1].id

    values = page_form(client, "/beheer/herentals/fiches/nieuw")
    fill(values, {
        "ref": "HER-TEST-1", "titel": "Nieuw buurtpark Wuytsbergen", "samenvatting": "Een park voor de wijk.",
        "sector": "Stadsontwikkeling", "status": "gepland", "voortgang_pct": "10", "verplicht_keuze": "keuze",
        "prioritair": "1", "ouder_id": str(parent_id), "partners": "Aquafin; Neteland", "ligging": "indicatief",
        "doel_waarom": "Te weinig groen.", "geometrie_geojson": feature_collection(shapely.box(*HERENTALS_BOX_4326)),
        "fasen-0-titel": "Studie", "fasen-0-soort": "studie", "fasen-0-start": "2026-01-01", "fasen-0-einde": "2026-06-30",
        "fasen-0-status": "gepland",
        "fasen-1-titel": "Uitvoering", "fasen-1-soort": "uitvoering", "fasen-1-start": "01/09/2026", "fasen-1-einde": "2027-06-30",
        "budget-0-jaar": "2026", "budget-0-soort": "investering", "budget-0-richting": "uitgave",
        "budget-0-bedrag_eur": "250.000,50", "budget-0-basis": "raming",
        "budget-1-jaar": "2027", "budget-1-soort": "investering", "budget-1-richting": "ontvangst",
        "budget-1-bedrag_eur": "100000", "budget-1-basis": "begroot", "budget-1-toelichting": "Subsidie",
        "rapporten-0-periode": "Jaarrekening 2026", "rapporten-0-tekst": "Studie gestart.", "rapporten-0-voortgang_pct": "10",
    })
    values.setlist("sdgs", ["15", "3"])
    values.setlist("hangt_af_van", [str(dependency_id)])
    created = post(client, "/beheer/herentals/fiches/nieuw", values)
    assert created.status_code == 302, created.text
    with db(scratch_app) as session:
        fiche = fiche_by_ref(session, "HER-TEST-1")
        fiche_id = fiche.id
        assert created.headers["Location"] == edit_url(fiche_id)
        assert not fiche.published and fiche.version == 1 and fiche.parent_id == parent_id
        assert fiche.sdgs == [3, 15] and fiche.priority and fiche.obligation == "keuze"
        assert fiche.geometry_precision == "indicatief"
        assert [(d.depends_on_id, d.partner) for d in fiche.dependencies] == [
            (dependency_id, None), (None, "Aquafin"), (None, "Neteland")]
        assert [p.title for p in fiche.phases] == ["Studie", "Uitvoering"]
        assert str(fiche.phases[1].start) == "2026-09-01"
        assert sorted((b.year, b.amount_eur, b.direction) for b in fiche.budget_lines) == [
            (2026, 250000.5, "uitgave"), (2027, 100000.0, "ontvangst")]
        assert fiche.progress_reports[0].period_label == "Jaarrekening 2026"
        from app.spatial import from_db

        stored = from_db(fiche.geom)
        assert stored.geom_type == "Polygon" and 182_000 < stored.centroid.x < 184_000  # EPSG:31370
        drafts = FicheFilters(municipality="herentals", include_drafts=True)
        assert fiche_id in [f.id for f in select_fiches(session, drafts)]
        assert fiche_id not in [f.id for f in select_fiches(session, FicheFilters(municipality="herentals"))]

    # Edit: change the title, drop a phase, keep everything else.
    values = page_form(client, edit_url(fiche_id))
    assert values["versie"] == "1" and values["titel"] == "Nieuw buurtpark Wuytsbergen"
    assert values.getlist("sdgs") == ["3", "15"] and values["partners"] == "Aquafin; Neteland"
    values["titel"] = "Buurtpark Wuytsbergen"
    values["fasen-1-verwijderen"] = "1"
    edited = post(client, edit_url(fiche_id), values)
    assert edited.status_code == 302
    page = client.get(edit_url(fiche_id))
    assert "Fiche HER-TEST-1 bewaard (versie 2)" in page.text and "nog een ontwerp" in page.text

    # Saving the unchanged form records nothing and keeps the version.
    unchanged = post(client, edit_url(fiche_id), form_values(page.text, "fiche-form"))
    assert unchanged.status_code == 302
    assert "Er was niets gewijzigd." in client.get(edit_url(fiche_id)).text
    assert state_of(scratch_app, fiche_id)[0] == 2

    # Not public yet: the OGC API (when registered) does not know it.
    public_item = f"/ogc/collections/fiches-herentals/items/{fiche_id}?f=json"
    has_ogc = "ogcapi.item" in scratch_app.view_functions
    if has_ogc:
        assert scratch_app.test_client().get(public_item).status_code == 404

    # Publish.
    publish = form_values(client.get(edit_url(fiche_id)).text, "publiceer-form")
    publish["actie"] = "publiceren"
    assert client.post(f"/beheer/herentals/fiches/{fiche_id}/publicatie", data=publish).status_code == 302
    if has_ogc:
        shown = scratch_app.test_client().get(public_item)
        assert shown.status_code == 200 and "Buurtpark Wuytsbergen" in shown.get_data(as_text=True)
    with db(scratch_app) as session:
        public = select_fiches(session, FicheFilters(municipality="herentals"))
        assert "Buurtpark Wuytsbergen" in [f.title for f in public]
        fiche = session.get(Fiche, fiche_id)
        assert fiche.published and fiche.version == 3
        revisions = revisions_of(session, fiche)
        assert [r.action for r in revisions] == ["publicatie", "wijziging", "aanmaak"]
        assert all(r.user_email == staff.redacteur for r in revisions)
        publication, edit, creation = (changes_of(r) for r in revisions)
        assert publication == [{"field": "published", "old": False, "new": True}]
        by_field = {c["field"]: c for c in edit}
        assert by_field["title"]["old"] == "Nieuw buurtpark Wuytsbergen"
        assert by_field["title"]["new"] == "Buurtpark Wuytsbergen"
        assert [p["title"] for p in by_field["phases"]["old"]] == ["Studie", "Uitvoering"]
        assert [p["title"] for p in by_field["phases"]["new"]] == ["Studie"]
        creation_fields = {c["field"]: c for c in creation}
        assert creation_fields["geometry"]["old"] is None
        assert creation_fields["geometry"]["new"].startswith("POLYGON ((")
        first_revision_id = revisions[-1].id

    history_page = client.get(f"/beheer/herentals/fiches/{fiche_id}/geschiedenis")
    assert history_page.status_code == 200
    assert "Geometrie (WKT, EPSG:31370)" in history_page.text and "POLYGON ((" in history_page.text
    assert "Gepubliceerd" in history_page.text and staff.redacteur in history_page.text

    # Restore the first version: title and phases come back, it stays published.
    restore = {"csrf_token": csrf_token(history_page.text), "versie": "3", "toestand": "na"}
    done = client.post(f"/beheer/herentals/fiches/{fiche_id}/geschiedenis/{first_revision_id}/herstellen", data=restore)
    assert done.status_code == 302
    with db(scratch_app) as session:
        fiche = session.get(Fiche, fiche_id)
        assert fiche.title == "Nieuw buurtpark Wuytsbergen" and [p.title for p in fiche.phases] == ["Studie", "Uitvoering"]
        assert fiche.published and fiche.version == 4
        latest = revisions_of(session, fiche)[0]
        assert latest.action == "herstel" and "hersteld" in latest.note
        assert {c["field"] for c in changes_of(latest)} == {"title", "phases"}
    # A restore with an old version is a conflict, not a silent overwrite.
    stale = client.post(f"/beheer/herentals/fiches/{fiche_id}/geschiedenis/{first_revision_id}/herstellen", data=restore)
    assert stale.status_code == 409 and "Iemand anders heeft deze fiche intussen gewijzigd" in stale.text


def test_lezer_sees_drafts_but_cannot_edit(scratch_app, staff):
    fiche_id, ref = a_herentals_project(scratch_app)
    with db(scratch_app) as session:
        from app.models import Fiche

        session.get(Fiche, fiche_id).published = False
        session.commit()
    client = as_user(scratch_app, staff.lezer)
    listing = client.get("/beheer/herentals/?toestand=ontwerp")
    assert listing.status_code == 200 and ref in listing.text and "ontwerp" in listing.text
    assert client.get(f"/beheer/herentals/fiches/{fiche_id}/voorbeeld").status_code == 200
    assert client.get(edit_url(fiche_id)).status_code == 403
    assert "Je hebt de rol redacteur voor Herentals niet" in client.get(edit_url(fiche_id)).text


# Optimistic locking ------------------------------------------------------

def test_two_editors_second_gets_conflict_and_keeps_input(scratch_app, staff):
    fiche_id, _ref = a_herentals_project(scratch_app)
    first, second = as_user(scratch_app, staff.redacteur), as_user(scratch_app, staff.redacteur2)
    form_a, form_b = page_form(first, edit_url(fiche_id)), page_form(second, edit_url(fiche_id))
    version, _geom, revisions = state_of(scratch_app, fiche_id)
    original_title = form_a["titel"]
    form_a["titel"] = "Titel van redacteur A"
    assert post(first, edit_url(fiche_id), form_a).status_code == 302

    form_b["samenvatting"] = "Samenvatting van redacteur B"
    conflict = post(second, edit_url(fiche_id), form_b)
    assert conflict.status_code == 409
    text = conflict.text
    assert "Iemand anders heeft deze fiche intussen gewijzigd" in text
    assert "Jouw wijzigingen zijn niet bewaard" in text
    assert f"door {staff.redacteur}" in text
    # The comparison: field, their value, the stored value.
    assert "Titel van redacteur A" in text and "Samenvatting van redacteur B" in text
    kept = form_values(text, "fiche-form")
    assert kept["samenvatting"] == "Samenvatting van redacteur B"    # their input is kept
    assert kept["versie"] == str(version + 1)                         # a re-save is now deliberate
    with db(scratch_app) as session:
        from app.models import Fiche

        fiche = session.get(Fiche, fiche_id)
        assert fiche.title == "Titel van redacteur A" and fiche.summary != "Samenvatting van redacteur B"

    # B saves again, deliberately: B's version wins, A's title stays in the history.
    assert post(second, edit_url(fiche_id), kept).status_code == 302
    from app.write.history import changes_of, revisions_of

    with db(scratch_app) as session:
        fiche = session.get(Fiche, fiche_id)
        assert fiche.summary == "Samenvatting van redacteur B" and fiche.title == original_title
        recorded = revisions_of(session, fiche)
        assert len(recorded) == revisions + 2
        assert any(c["new"] == "Titel van redacteur A" for r in recorded for c in changes_of(r))


def test_concurrent_update_raises_conflict(scratch_app, staff):
    """Both saves pass the version check; the database decides (StaleDataError)."""
    from sqlalchemy import update

    from app.auth import find_user
    from app.write.editing.service import FicheConflict, save_fiche
    from app.write.history import snapshot
    from app.models import Fiche

    fiche_id, _ref = a_herentals_project(scratch_app)
    with db(scratch_app) as session:
        fiche = session.get(Fiche, fiche_id)
        state = snapshot(fiche, with_ids=True)
        state["title"] = "Mijn titel"
        seen = fiche.version
        city, user = fiche.municipality, find_user(session, staff.redacteur)
        session.commit()  # end the read transaction (SQLite would lock the other writer out); objects stay loaded
        # Another worker saves in between, on its own connection.
        with scratch_app.extensions["fichekaart.engine"].begin() as other:
            other.execute(update(Fiche).where(Fiche.id == fiche_id).values(title="Andere titel", version=seen + 1))
        with pytest.raises(FicheConflict) as caught:
            save_fiche(session, city, fiche, state, user, seen)
        assert caught.value.conflict.stored_version == seen + 1
        assert any(row["field"] == "title" and row["stored"] == "Andere titel" for row in caught.value.conflict.rows)
    with db(scratch_app) as session:
        assert session.get(Fiche, fiche_id).title == "Andere titel"


def test_publish_with_stale_version_is_refused(scratch_app, staff):
    fiche_id, _ref = a_herentals_project(scratch_app)
    client = as_user(scratch_app, staff.redacteur)
    page = client.get(edit_url(fiche_id))
    version = state_of(scratch_app, fiche_id)[0]
    response = client.post(f"/beheer/herentals/fiches/{fiche_id}/publicatie",
                           data={"csrf_token": csrf_token(page.text), "versie": str(version - 1), "actie": "depubliceren"})
    assert response.status_code == 409 and "Niet uitgevoerd" in response.text
    assert state_of(scratch_app, fiche_id)[0] == version


def test_only_rows_changed_still_moves_the_version(scratch_app, staff):
    fiche_id, _ref = a_herentals_project(scratch_app)
    client = as_user(scratch_app, staff.redacteur)
    values = page_form(client, edit_url(fiche_id))
    before = state_of(scratch_app, fiche_id)
    empty = next(i for i in range(100) if not values.get(f"budget-{i}-jaar"))
    fill(values, {f"budget-{empty}-jaar": "2028", f"budget-{empty}-soort": "exploitatie",
                   f"budget-{empty}-bedrag_eur": "1234,5", f"budget-{empty}-basis": "raming"})
    assert post(client, edit_url(fiche_id), values).status_code == 302
    after = state_of(scratch_app, fiche_id)
    assert after[0] == before[0] + 1 and after[2] == before[2] + 1


# Geometry: good and bad input --------------------------------------------

def _shapefile_zip(with_prj: bool) -> bytes:
    import tempfile
    from pathlib import Path

    import geopandas as gpd

    with tempfile.TemporaryDirectory() as tmp:
        frame = gpd.GeoDataFrame({"naam": ["plein"]}, geometry=[shapely.Point(182716.77, 207503.14)], crs=31370)
        frame.to_file(Path(tmp) / "vorm.shp")
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            for suffix in ("shp", "shx", "dbf") + (("prj",) if with_prj else ()):
                archive.write(Path(tmp) / f"vorm.{suffix}", f"vorm.{suffix}")
        return out.getvalue()


KML_3D = b"""<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>plein</name>
<Polygon><outerBoundaryIs><LinearRing><coordinates>4.83,51.17,12 4.84,51.17,12 4.84,51.175,12 4.83,51.17,12</coordinates>
</LinearRing></outerBoundaryIs></Polygon></Placemark></Document></kml>"""

COLLECTION = json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": {
    "type": "GeometryCollection", "geometries": [
        {"type": "Point", "coordinates": [4.835, 51.172]},
        {"type": "LineString", "coordinates": [[4.83, 51.17], [4.84, 51.175]]}]}}]}).encode()

BAD_FILES = {
    "broken zip": ("vorm.zip", b"PK\x03\x04 dit is geen zip", "Het zip-bestand is beschadigd of geen zip-bestand."),
    "shapefile without .prj": ("vorm.zip", None, "ontbreekt het .prj-bestand: het coördinatenstelsel is onbekend"),
    "3D KML": ("plein.kml", KML_3D, "De geometrie heeft hoogtecoördinaten (3D)"),
    "GeometryCollection": ("mix.geojson", COLLECTION, "Een verzameling van verschillende geometrieën (GeometryCollection)"),
    "unsupported type": ("plein.txt", b"POINT (1 2)", "Bestandstype '.txt' wordt niet ondersteund"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_geometry_files_are_explained_and_change_nothing(scratch_app, staff, case):
    name, content, message = BAD_FILES[case]
    if content is None:
        content = _shapefile_zip(with_prj=False)
    fiche_id, _ref = a_herentals_project(scratch_app)
    before = state_of(scratch_app, fiche_id)
    client = as_user(scratch_app, staff.redacteur)
    values = page_form(client, edit_url(fiche_id))
    values["titel"] = "Deze titel mag niet bewaard worden"
    response = post(client, edit_url(fiche_id), values, ("geometrie_bestand", content, name))
    assert response.status_code == 422
    assert message in unescape(response.text)
    assert "Niet bewaard: controleer" in response.text
    assert form_values(response.text, "fiche-form")["titel"] == "Deze titel mag niet bewaard worden"
    assert state_of(scratch_app, fiche_id) == before


def test_3d_kml_with_drop_z_and_shapefile_with_prj_are_stored(scratch_app, staff):
    fiche_id, _ref = a_herentals_project(scratch_app)
    client = as_user(scratch_app, staff.redacteur)
    values = page_form(client, edit_url(fiche_id))
    fill(values, {"hoogte_weglaten": "1", "ligging": "exact"})
    assert post(client, edit_url(fiche_id), values, ("geometrie_bestand", KML_3D, "plein.kml")).status_code == 302
    assert state_of(scratch_app, fiche_id)[1].startswith("POLYGON ((")
    values = page_form(client, edit_url(fiche_id))
    response = post(client, edit_url(fiche_id), values, ("geometrie_bestand", _shapefile_zip(True), "vorm.zip"))
    assert response.status_code == 302
    assert state_of(scratch_app, fiche_id)[1] == "POINT (182716.77 207503.14)"


def test_oversized_upload_gets_413_in_dutch(scratch_app, staff):
    fiche_id, _ref = a_herentals_project(scratch_app)
    before = state_of(scratch_app, fiche_id)
    client = as_user(scratch_app, staff.redacteur)
    values = page_form(client, edit_url(fiche_id))
    big = b"0" * (50 * 1024 * 1024)
    response = post(client, edit_url(fiche_id), values, ("geometrie_bestand", big, "groot.geojson"))
    assert response.status_code == 413
    assert "Bestand te groot" in response.text and "groter dan toegelaten (20 MB)" in response.text
    bulk = client.post("/beheer/herentals/import", content_type="multipart/form-data", data={
        "csrf_token": values["csrf_token"], "bestand": (io.BytesIO(big), "groot.csv")})
    assert bulk.status_code == 413
    assert state_of(scratch_app, fiche_id) == before
    # The forms say the limit before anyone tries.
    assert "Maximaal 20 MB" in client.get(edit_url(fiche_id)).text
    assert "maximaal 20 MB" in client.get("/beheer/herentals/import").text


BOW_TIE = shapely.Polygon([(4.83, 51.17), (4.84, 51.175), (4.84, 51.17), (4.83, 51.175), (4.83, 51.17)])


def test_self_intersecting_drawing_is_located_then_repaired(scratch_app, staff):
    fiche_id, _ref = a_herentals_project(scratch_app)
    before = state_of(scratch_app, fiche_id)
    client = as_user(scratch_app, staff.redacteur)
    values = page_form(client, edit_url(fiche_id))
    fill(values, {"geometrie_geojson": feature_collection(BOW_TIE), "ligging": "indicatief"})
    response = post(client, edit_url(fiche_id), values)
    assert response.status_code == 422
    assert "De geometrie snijdt zichzelf bij (" in response.text        # with the place, in Lambert 72
    assert "Herstel de geometrie en bewaar" in response.text
    assert state_of(scratch_app, fiche_id) == before
    again = form_values(response.text, "fiche-form")
    again["geometrie_herstellen"] = "1"                                   # the button
    assert post(client, edit_url(fiche_id), again).status_code == 302
    wkt = state_of(scratch_app, fiche_id)[1]
    repaired = shapely.from_wkt(wkt)
    assert repaired.geom_type == "MultiPolygon" and repaired.is_valid and len(repaired.geoms) == 2


def test_self_intersecting_upload_can_be_repaired_without_the_file_again(scratch_app, staff):
    fiche_id, _ref = a_herentals_project(scratch_app)
    client = as_user(scratch_app, staff.redacteur)
    values = page_form(client, edit_url(fiche_id))
    values["ligging"] = "exact"
    upload = feature_collection(BOW_TIE).encode()
    response = post(client, edit_url(fiche_id), values, ("geometrie_bestand", upload, "strik.geojson"))
    assert response.status_code == 422 and "snijdt zichzelf" in response.text
    again = form_values(response.text, "fiche-form")
    again["geometrie_herstellen"] = "1"
    assert post(client, edit_url(fiche_id), again).status_code == 302
    assert shapely.from_wkt(state_of(scratch_app, fiche_id)[1]).is_valid


def test_geometry_outside_the_city_is_saved_with_a_warning(scratch_app, staff):
    fiche_id, _ref = a_herentals_project(scratch_app)
    client = as_user(scratch_app, staff.redacteur)
    values = page_form(client, edit_url(fiche_id))
    fill(values, {"geometrie_geojson": feature_collection(shapely.Point(*HALLE_POINT_4326)), "ligging": "exact"})
    # Halle lies far beyond Herentals: an explicit "yes" first.
    refused = post(client, edit_url(fiche_id), values)
    assert refused.status_code == 422 and "km buiten Herentals" in refused.text
    kept = form_values(refused.text, "fiche-form")
    kept["ver_buiten_bevestigd"] = "1"
    response = post(client, edit_url(fiche_id), kept)
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "ligt volledig buiten het grondgebied van Herentals" in page.text
    assert state_of(scratch_app, fiche_id)[1].startswith("POINT (")


BREDA_BOX_4326 = (4.76, 51.58, 4.79, 51.60)         # Breda (Netherlands): inside the rough Belgium box
ENGLAND_BOX_4326 = (-1.3, 51.9, -1.2, 52.0)


def test_a_place_far_beyond_the_city_needs_a_confirmation(scratch_app, staff):
    fiche_id, _ref = a_herentals_project(scratch_app)
    client = as_user(scratch_app, staff.redacteur)
    version, old_wkt, _count = state_of(scratch_app, fiche_id)
    values = page_form(client, edit_url(fiche_id))
    fill(values, {"geometrie_geojson": feature_collection(shapely.box(*BREDA_BOX_4326)), "ligging": "indicatief"})
    refused = post(client, edit_url(fiche_id), values)
    assert refused.status_code == 422
    text = unescape(refused.text)
    assert "Deze plaats ligt" in text and "km buiten Herentals (gemeten tot de grens van de gemeente)" in text
    assert "EPSG" not in text.split('id="fout-geometrie"')[1].split("</div>")[0]
    assert "Ze werd wel bewaard" not in text                     # no stale notice beside the error
    assert state_of(scratch_app, fiche_id)[:2] == (version, old_wkt)
    kept = form_values(refused.text, "fiche-form")
    assert "ver_buiten_bevestigd" not in kept                      # the box is there, not ticked
    assert 'name="ver_buiten_bevestigd"' in refused.text
    kept["ver_buiten_bevestigd"] = "1"
    assert post(client, edit_url(fiche_id), kept).status_code == 302
    stored = shapely.from_wkt(state_of(scratch_app, fiche_id)[1])
    assert stored.geom_type == "Polygon" and stored.centroid.y > 230_000   # north of Herentals, in Breda
    # A place a few km beyond the boundary is only a warning, as before.
    values = page_form(client, edit_url(fiche_id))
    fill(values, {"geometrie_geojson": feature_collection(shapely.Point(4.72, 51.17)), "ligging": "exact"})
    assert post(client, edit_url(fiche_id), values).status_code == 302


def test_a_shape_drawn_outside_belgium_is_refused_with_words_about_the_place(scratch_app, staff):
    fiche_id, _ref = a_herentals_project(scratch_app)
    client = as_user(scratch_app, staff.redacteur)
    values = page_form(client, edit_url(fiche_id))
    fill(values, {"geometrie_geojson": feature_collection(shapely.box(*ENGLAND_BOX_4326)), "ligging": "exact"})
    refused = post(client, edit_url(fiche_id), values)
    assert refused.status_code == 422
    assert "De getekende plaats ligt (deels) buiten België" in unescape(refused.text)
    assert "EPSG" not in unescape(refused.text).split('id="fout-geometrie"')[1].split("</div>")[0]


def test_new_geometry_needs_a_precision(scratch_app, staff):
    fiche_id, _ref = a_herentals_project(scratch_app)
    client = as_user(scratch_app, staff.redacteur)
    values = page_form(client, edit_url(fiche_id))
    fill(values, {"geometrie_geojson": feature_collection(shapely.Point(4.835, 51.172)), "ligging": ""})
    response = post(client, edit_url(fiche_id), values)
    assert response.status_code == 422 and "exact of indicatief" in response.text


def test_drawn_geometry_can_be_removed(scratch_app, staff):
    fiche_id, _ref = a_herentals_project(scratch_app)
    client = as_user(scratch_app, staff.redacteur)
    values = page_form(client, edit_url(fiche_id))
    values["geometrie_geojson"] = feature_collection()
    assert post(client, edit_url(fiche_id), values).status_code == 302
    assert state_of(scratch_app, fiche_id)[1] is None


def test_bad_field_values_are_explained_per_field(scratch_app, staff):
    fiche_id, _ref = a_herentals_project(scratch_app)
    before = state_of(scratch_app, fiche_id)
    client = as_user(scratch_app, staff.redacteur)
    values = page_form(client, edit_url(fiche_id))
    fill(values, {"titel": "", "voortgang_pct": "150", "fasen-0-titel": "Fase", "fasen-0-start": "2026-05-01",
                   "fasen-0-einde": "2026-01-01", "budget-0-jaar": "2026", "budget-0-bedrag_eur": "veel"})
    response = post(client, edit_url(fiche_id), values)
    assert response.status_code == 422
    for text in ("Titel: Titel ontbreekt.", "Voortgang (%): 150 ligt niet tussen 0 en 100.",
                 "Fase 1: einde: Het einde ligt voor de start.", "Budgetlijn 1: bedrag: 'veel' is geen bedrag (bv. 250.000 of 1.250.000,50)."):
        assert text in unescape(response.text), text
    assert state_of(scratch_app, fiche_id) == before


def test_several_drawn_shapes_become_one_multi_geometry(scratch_app, staff):
    fiche_id, _ref = a_herentals_project(scratch_app)
    client = as_user(scratch_app, staff.redacteur)
    values = page_form(client, edit_url(fiche_id))
    west, east = shapely.box(4.830, 51.170, 4.832, 51.172), shapely.box(4.836, 51.170, 4.838, 51.172)
    fill(values, {"geometrie_geojson": feature_collection(west, east), "ligging": "exact"})
    assert post(client, edit_url(fiche_id), values).status_code == 302
    stored = shapely.from_wkt(state_of(scratch_app, fiche_id)[1])
    assert stored.geom_type == "MultiPolygon" and len(stored.geoms) == 2
    # A point and a polygon together are two kinds of place: refused.
    values = page_form(client, edit_url(fiche_id))
    fill(values, {"geometrie_geojson": feature_collection(west, shapely.Point(4.835, 51.171))})
    response = post(client, edit_url(fiche_id), values)
    assert response.status_code == 422 and "GeometryCollection" in response.text
