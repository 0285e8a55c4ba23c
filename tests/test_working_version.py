"""The working version ("werkversie") of a published fiche (issue 12 item 4),
end to end through the real forms on both databases: saving a published
fiche leaves every public channel on the published version until
"Publiceren"; preview and comparison are for redacteurs only; concurrent
saves conflict; discarding and a stale base are handled."""
from __future__ import annotations

import json
import uuid

import pytest
import shapely
from shapely.geometry import shape
from sqlalchemy import func, select

from staff_fixtures import *  # noqa: F401,F403
from staff_fixtures import as_user, csrf_token, db, edit_url, fill, form_values, page_form, race_two_saves

HERENTALS_BOX_4326 = (4.83, 51.17, 4.84, 51.175)   # well inside Herentals
AMOUNT = 'data-value="987654.0"'                      # the budget table's cell (illustrative amounts are rounded)




def working_url(fiche_id, what):
    return f"/beheer/herentals/fiches/{fiche_id}/werkversie/{what}"


def drawing(geom) -> str:
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": json.loads(shapely.to_geojson(geom))}]})


def post(client, url, values):
    return client.post(url, data=values, content_type="multipart/form-data")


def published_project(app) -> int:
    """A published Herentals project with a geometry and a budget."""
    from app.models import BudgetLine, Fiche, Municipality

    with db(app) as session:
        return session.scalar(select(Fiche.id).join(Municipality).where(
            Municipality.slug == "herentals", Fiche.published.is_(True), Fiche.geom.is_not(None),
            Fiche.kind == "fiche", Fiche.id.in_(select(BudgetLine.fiche_id)),
        ).order_by(Fiche.id).limit(1))


def live(app, fiche_id) -> dict:
    from app.models import Fiche
    from app.read.version import read_data_version
    from app.write.editing.working import working_version_of
    from app.write.history import snapshot

    with db(app) as session:
        fiche = session.get(Fiche, fiche_id)
        working = working_version_of(session, fiche)
        return {"state": snapshot(fiche), "version": fiche.version, "data_version": read_data_version(session)[0],
                "working": None if working is None else working.version}


def actions(app, fiche_id) -> list[tuple[str, str | None]]:
    from app.models import FicheRevision

    with db(app) as session:
        return [(r.action, r.note) for r in session.scalars(
            select(FicheRevision).where(FicheRevision.fiche_id == fiche_id).order_by(FicheRevision.id))]


def public_view(app, fiche_id) -> dict:
    """What every public channel says about the fiche: pages, /api (title,
    geometry in EPSG:4326), the GeoJSON download, the OGC item."""
    anonymous = app.test_client()
    seen = {}
    page = anonymous.get(f"/herentals/fiches/{fiche_id}")
    assert page.status_code == 200
    seen["fiche_page"] = page.get_data(as_text=True)
    seen["city_page"] = anonymous.get("/herentals").get_data(as_text=True)
    geojson = anonymous.get("/api/herentals/fiches.geojson").get_json()
    feature = next(f for f in geojson["features"] if f["id"] == fiche_id)
    seen["api_title"] = feature["properties"]["title"]
    seen["api_geometry"] = shape(feature["geometry"])
    seen["download"] = anonymous.get("/herentals/download.geojson").get_data(as_text=True)
    if "ogcapi.item" in app.view_functions:
        item = anonymous.get(f"/ogc/collections/fiches-herentals/items/{fiche_id}?f=json")
        assert item.status_code == 200
        properties = item.get_json()["properties"]
        seen["ogc_title"] = properties.get("titel", properties.get("title"))
        seen["ogc_text"] = item.get_data(as_text=True)
        seen["ogc_geometry"] = shape(item.get_json()["geometry"])
    return seen


def search_finds(app, words: str, fiche_id: int) -> bool:
    from app.read.queries import FicheFilters, select_fiches

    with db(app) as session:
        return fiche_id in [f.id for f in select_fiches(session, FicheFilters(municipality="herentals", q=words))]


def test_published_fiche_edits_stay_private_until_publish(scratch_app, staff):
    fiche_id = published_project(scratch_app)
    marker = f"Werkversietitel {uuid.uuid4().hex[:8]}"
    before = live(scratch_app, fiche_id)
    old_title = before["state"]["title"]
    old = public_view(scratch_app, fiche_id)
    assert old["api_title"] == old_title and AMOUNT not in old["fiche_page"]

    editor = as_user(scratch_app, staff.redacteur)
    values = page_form(editor, edit_url(fiche_id))
    assert values["werkversie"] == "0"
    new_box = shapely.box(*HERENTALS_BOX_4326)
    fill(values, {"titel": marker, "geometrie_geojson": drawing(new_box), "ligging": "indicatief",
                  "budget-0-bedrag_eur": "987.654"})
    saved = post(editor, edit_url(fiche_id), values)
    assert saved.status_code == 302, saved.text

    # Stored as the working version only: the fiche rows and the data version did not move.
    after = live(scratch_app, fiche_id)
    assert after["working"] == 1
    assert after["state"] == before["state"] and after["version"] == before["version"]
    assert after["data_version"] == before["data_version"]
    assert actions(scratch_app, fiche_id)[-1][0] == "werkversie"

    # The workspace list marks it; the form opens on the working version, with the banner.
    listing = editor.get("/beheer/herentals/").get_data(as_text=True)
    assert 'badge draft">werkversie</span>' in listing
    # The form opens on the working version, with the banner.
    form_page = editor.get(edit_url(fiche_id)).get_data(as_text=True)
    assert "Je bewerkt een werkversie; het publiek ziet nog de gepubliceerde versie" in form_page
    reopened = form_values(form_page, "fiche-form")
    assert reopened["titel"] == marker and reopened["werkversie"] == "1"
    assert reopened["budget-0-bedrag_eur"].replace(".", "").startswith("987654")

    # Every public channel still shows the published version.
    still = public_view(scratch_app, fiche_id)
    assert marker not in still["fiche_page"] and old_title.split()[0] in still["fiche_page"]
    assert marker not in still["city_page"] and marker not in still["download"]
    assert still["api_title"] == old_title and AMOUNT not in still["fiche_page"]
    assert still["api_geometry"].equals_exact(old["api_geometry"], 1e-9)
    assert not still["api_geometry"].intersects(new_box)
    if "ogc_title" in still:
        assert still["ogc_title"] == old_title and not still["ogc_geometry"].intersects(new_box)
    assert not search_finds(scratch_app, marker, fiche_id)

    # The preview: the fiche page from the working version, for redacteurs, never kept.
    preview = editor.get(working_url(fiche_id, "voorbeeld"))
    assert preview.status_code == 200 and preview.headers["Cache-Control"] == "no-store"
    shown = preview.get_data(as_text=True)
    assert marker in shown
    assert "werkversie, niet publiek" in shown
    assert AMOUNT in shown
    assert live(scratch_app, fiche_id) == after    # the preview committed nothing, counted nothing
    lezer = as_user(scratch_app, staff.lezer)
    assert lezer.get(working_url(fiche_id, "voorbeeld")).status_code == 403
    assert lezer.get(working_url(fiche_id, "vergelijking")).status_code == 403
    as_lezer = fill(reopened.copy(), {"csrf_token": csrf_token(lezer.get("/beheer/herentals/").get_data(as_text=True))})
    assert post(lezer, edit_url(fiche_id), as_lezer).status_code == 403
    anonymous = scratch_app.test_client().get(working_url(fiche_id, "voorbeeld"))
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/aanmelden")

    # The comparison, field by field.
    compared = editor.get(working_url(fiche_id, "vergelijking"))
    assert compared.status_code == 200 and compared.headers["Cache-Control"] == "no-store"
    table = compared.get_data(as_text=True)
    assert "Titel" in table and marker in table and "Budgetlijnen" in table and "Geometrie" in table

    # Publish: now every channel shows the new version.
    publish = form_values(form_page, "werkversie-publiceer-form")
    assert post(editor, working_url(fiche_id, "publiceren"), publish).status_code == 302
    published = live(scratch_app, fiche_id)
    assert published["working"] is None and published["version"] == before["version"] + 1
    assert published["data_version"] > before["data_version"]
    assert published["state"]["title"] == marker and published["state"]["published"] is True
    assert actions(scratch_app, fiche_id)[-2:] == [("werkversie", None), ("publicatie", "Werkversie gepubliceerd.")]
    new = public_view(scratch_app, fiche_id)
    assert marker in new["fiche_page"] and marker in new["city_page"] and marker in new["download"]
    assert new["api_title"] == marker and new["api_geometry"].intersects(new_box)
    assert AMOUNT in new["fiche_page"]
    if "ogc_title" in new:
        assert new["ogc_title"] == marker and new["ogc_geometry"].intersects(new_box)
    assert search_finds(scratch_app, marker, fiche_id)
    # Back on the published version: the next save starts a new working version.
    assert form_values(editor.get(edit_url(fiche_id)).get_data(as_text=True), "fiche-form")["werkversie"] == "0"


def test_concurrent_working_version_saves_conflict_and_keep_input(scratch_app, staff):
    fiche_id = published_project(scratch_app)
    first, second = as_user(scratch_app, staff.redacteur), as_user(scratch_app, staff.redacteur2)
    form_a, form_b = page_form(first, edit_url(fiche_id)), page_form(second, edit_url(fiche_id))
    form_a["titel"] = "Titel van redacteur A"
    assert post(first, edit_url(fiche_id), form_a).status_code == 302

    form_b["samenvatting"] = "Samenvatting van redacteur B"
    conflict = post(second, edit_url(fiche_id), form_b)
    assert conflict.status_code == 409
    text = conflict.get_data(as_text=True)
    assert "Iemand anders heeft deze fiche intussen gewijzigd" in text and "werkversie" in text
    assert "Titel van redacteur A" in text and f"door {staff.redacteur}" in text
    kept = form_values(text, "fiche-form")
    assert kept["samenvatting"] == "Samenvatting van redacteur B" and kept["werkversie"] == "1"

    # B saves again, deliberately, on top of working version 1.
    assert post(second, edit_url(fiche_id), kept).status_code == 302
    from app.models import FicheWorkingVersion

    with db(scratch_app) as session:
        working = session.scalar(select(FicheWorkingVersion).where(FicheWorkingVersion.fiche_id == fiche_id))
        state = json.loads(working.snapshot)
        assert working.version == 2 and state["summary"] == "Samenvatting van redacteur B"
    # A's old form (working version 1) is now stale as well.
    assert post(first, edit_url(fiche_id), form_a).status_code == 409


def test_save_race_on_the_working_version_is_a_conflict(scratch_app, staff):
    """Both saves pass the version check; the database decides (StaleDataError)."""
    from sqlalchemy import update

    from app.auth import find_user
    from app.models import Fiche, FicheWorkingVersion
    from app.write.editing.service import FicheConflict
    from app.write.editing.working import editing_state, save_working

    fiche_id = published_project(scratch_app)
    editor = as_user(scratch_app, staff.redacteur)
    values = page_form(editor, edit_url(fiche_id))
    values["titel"] = "Eerste werkversie"
    assert post(editor, edit_url(fiche_id), values).status_code == 302
    with db(scratch_app) as session:
        fiche = session.get(Fiche, fiche_id)
        state = editing_state(session, fiche)
        state["title"] = "Mijn titel"
        city, user, seen = fiche.municipality, find_user(session, staff.redacteur2), fiche.version
        session.commit()
        with scratch_app.extensions["fichekaart.engine"].begin() as other:
            other.execute(update(FicheWorkingVersion).where(FicheWorkingVersion.fiche_id == fiche_id)
                          .values(version=2))
        with pytest.raises(FicheConflict) as caught:
            save_working(session, city, fiche, state, user, seen, 1)
        assert caught.value.conflict.working and caught.value.conflict.working_version == 2


def test_discard_and_stale_publish(scratch_app, staff):
    from app.auth import find_user
    from app.models import Fiche
    from app.write import history

    fiche_id = published_project(scratch_app)
    before = live(scratch_app, fiche_id)
    editor = as_user(scratch_app, staff.redacteur)
    values = page_form(editor, edit_url(fiche_id))
    values["titel"] = "Te verwerpen titel"
    assert post(editor, edit_url(fiche_id), values).status_code == 302
    from app.models import FicheRevision

    with db(scratch_app) as session:   # only what was typed counts as a change; the snapshot has no row ids
        revision = session.scalars(select(FicheRevision).where(FicheRevision.fiche_id == fiche_id)
                                   .order_by(FicheRevision.id.desc())).first()
        assert [c["field"] for c in history.changes_of(revision)] == ["title"]
        kept = history.state_after(revision)
        assert kept["title"] == "Te verwerpen titel" and kept["published"] is True
        assert set(kept) == set(before["state"])
        assert all("id" not in row for key in history.ROW_KEYS for row in kept[key])

    # Discard: the working version is gone, the live fiche as it was, recorded.
    page = editor.get(edit_url(fiche_id)).get_data(as_text=True)
    assert post(editor, working_url(fiche_id, "verwerpen"), form_values(page, "werkversie-verwerp-form")).status_code == 302
    gone = live(scratch_app, fiche_id)
    assert gone["working"] is None and gone["state"] == before["state"] and gone["version"] == before["version"]
    assert actions(scratch_app, fiche_id)[-1] == ("werkversie", "Werkversie verworpen: de gepubliceerde versie "
                                                                "blijft zoals ze was.")
    assert editor.get(working_url(fiche_id, "voorbeeld")).status_code == 302   # nothing to preview

    # A new working version; then the live fiche changes (an import, say).
    values = page_form(editor, edit_url(fiche_id))
    values["titel"] = "Nieuwe werkversie"
    assert post(editor, edit_url(fiche_id), values).status_code == 302
    page = editor.get(edit_url(fiche_id)).get_data(as_text=True)
    with db(scratch_app) as session:
        fiche = session.get(Fiche, fiche_id)
        snap = history.snapshot(fiche)
        fiche.risks = "Intussen aangepast risico"
        history.record(session, fiche, find_user(session, staff.beheerder), "import", snap)
        session.commit()
    # The page the editor had is stale: a conflict, nothing published.
    stale_form = form_values(page, "werkversie-publiceer-form")
    assert post(editor, working_url(fiche_id, "publiceren"), stale_form).status_code == 409
    # With the current versions, the base is still older: the Dutch stale page.
    fresh = form_values(editor.get(edit_url(fiche_id)).get_data(as_text=True), "werkversie-publiceer-form")
    stale = post(editor, working_url(fiche_id, "publiceren"), fresh)
    assert stale.status_code == 409
    text = stale.get_data(as_text=True)
    assert "de gepubliceerde fiche is gewijzigd sinds deze werkversie begon" in text and "Risico" in text
    assert live(scratch_app, fiche_id)["state"]["title"] == before["state"]["title"]
    # Published deliberately anyway.
    confirmed = form_values(text, "werkversie-toch-publiceren")
    assert post(editor, working_url(fiche_id, "publiceren"), confirmed).status_code == 302
    done = live(scratch_app, fiche_id)
    assert done["state"]["title"] == "Nieuwe werkversie" and done["working"] is None


def test_unpublishing_takes_the_working_version_into_the_draft(scratch_app, staff):
    fiche_id = published_project(scratch_app)
    editor = as_user(scratch_app, staff.redacteur)
    values = page_form(editor, edit_url(fiche_id))
    values["titel"] = "Werkversie wordt ontwerp"
    assert post(editor, edit_url(fiche_id), values).status_code == 302
    publish = form_values(editor.get(edit_url(fiche_id)).get_data(as_text=True), "publiceer-form")
    publish["actie"] = "depubliceren"
    assert editor.post(f"/beheer/herentals/fiches/{fiche_id}/publicatie", data=publish).status_code == 302
    state = live(scratch_app, fiche_id)
    assert state["working"] is None and state["state"]["published"] is False
    assert state["state"]["title"] == "Werkversie wordt ontwerp"
    # A draft is edited directly again.
    form = page_form(editor, edit_url(fiche_id))
    assert "werkversie" not in form
    from app.models import FicheWorkingVersion

    with db(scratch_app) as session:
        assert session.scalar(select(func.count()).select_from(FicheWorkingVersion)) == 0


def test_true_save_race_on_a_published_fiche_answers_409_with_the_input_kept(scratch_app, staff):
    """Two editors press save at the same moment on a published fiche: one
    working version wins, the other gets the Dutch 409 with their input."""
    from app.models import FicheWorkingVersion

    fiche_id = published_project(scratch_app)
    clients = [as_user(scratch_app, staff.redacteur), as_user(scratch_app, staff.redacteur2)]
    for round_ in range(3):
        winner = race_two_saves(clients, fiche_id, round_)
        with db(scratch_app) as session:
            working = session.scalar(select(FicheWorkingVersion).where(FicheWorkingVersion.fiche_id == fiche_id))
            assert json.loads(working.snapshot)["title"] == f"Ronde {round_} van redacteur {winner}"
            assert working.version == round_ + 1


@pytest.mark.parametrize("slug", ["herentals", "halle"])
def test_saving_an_unchanged_published_fiche_creates_no_working_version(scratch_app, staff, slug):
    """The form's round trip of a published fiche equals its stored state
    (texts, rows, dates, amounts, geometry): nothing to keep, no working version."""
    from app.models import BudgetLine, Fiche, FicheWorkingVersion, Municipality, Phase

    with db(scratch_app) as session:
        rows = (select(Fiche.id).join(Municipality).where(Municipality.slug == slug, Fiche.published.is_(True))
                .order_by(Fiche.id))
        with_phases = session.scalars(rows.where(Fiche.id.in_(select(Phase.fiche_id))).limit(3)).all()
        with_budget = session.scalars(rows.where(Fiche.id.in_(select(BudgetLine.fiche_id))).limit(3)).all()
        with_place = session.scalars(rows.where(Fiche.geom.is_not(None)).limit(2)).all()
        fiche_ids = sorted({*with_phases, *with_budget, *with_place})
    assert fiche_ids
    client = as_user(scratch_app, staff.beheerder)
    for fiche_id in fiche_ids:
        url = f"/beheer/{slug}/fiches/{fiche_id}/bewerken"
        saved = post(client, url, page_form(client, url))
        assert saved.status_code == 302, (fiche_id, saved.get_data(as_text=True)[:500])
        assert "Er was niets gewijzigd." in client.get(url).get_data(as_text=True), fiche_id
    with db(scratch_app) as session:
        assert session.scalar(select(func.count()).select_from(FicheWorkingVersion)) == 0
