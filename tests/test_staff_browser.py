"""The staff workspace in a real browser (headless Debian Chromium through
Playwright): draw a polygon on the edit form's map and save it; two pages
editing the same fiche, the second sees the conflict; a place far beyond the
city asks for a confirmation. Screenshots go to
test-artifacts/. No request may leave the app, and no JS error may occur."""
from __future__ import annotations

import pytest
import shapely

from browser_fixtures import ARTIFACTS, BROWSER_MARKS, Watched, serve

from staff_fixtures import *  # noqa: F401,F403
from staff_fixtures import PASSWORD, db

pytestmark = BROWSER_MARKS
TALL = {"width": 1280, "height": 1000}


@pytest.fixture
def live_server(scratch_app):
    """The scratch app served on a free local port (basemap off: no tiles from outside)."""
    scratch_app.config["BASEMAP"] = "none"
    server, thread = serve(scratch_app)
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def watched_page(chromium, base: str, viewport: dict = TALL) -> Watched:
    # 409 is the conflict page the second editor is meant to see.
    return Watched(chromium, base, viewport=viewport, expected_statuses=(409,))


def log_in(watched: Watched, email: str):
    page = watched.page
    page.goto(watched.base + "/aanmelden")
    page.fill("#email", email)
    page.fill("#wachtwoord", PASSWORD)
    page.click("#aanmelden-form button[type=submit]")
    page.wait_for_load_state()
    assert "/beheer/" in page.url


def a_project_without_geometry(app):
    """A Herentals project, made a draft: the form writes the fiche itself
    (a published fiche saves into its working version)."""
    from sqlalchemy import select

    from app.models import Fiche, Municipality

    with db(app) as session:
        fiche = session.scalar(select(Fiche).join(Municipality).where(
            Municipality.slug == "herentals", Fiche.kind == "fiche").order_by(Fiche.geom.is_(None).desc(), Fiche.id).limit(1))
        fiche.published = False
        session.commit()
        return fiche.id


def test_draw_a_polygon_and_save_it(scratch_app, staff, live_server, chromium):
    ARTIFACTS.mkdir(exist_ok=True)
    fiche_id = a_project_without_geometry(scratch_app)
    with db(scratch_app) as session:
        from app.models import Fiche

        fiche = session.get(Fiche, fiche_id)
        fiche.geom = None
        session.commit()
    watched = watched_page(chromium, live_server)
    log_in(watched, staff.redacteur)
    page = watched.page
    page.goto(f"{live_server}/beheer/herentals/fiches/{fiche_id}/bewerken")
    page.wait_for_selector(".leaflet-pm-toolbar")
    assert page.locator(".map-status").inner_text().startswith("Geen ligging getekend")
    page.locator("#kaart").scroll_into_view_if_needed()
    box = page.locator("#kaart .folium-map").bounding_box()
    page.locator(".leaflet-pm-icon-polygon").click()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    corners = [(cx - 80, cy - 60), (cx + 90, cy - 50), (cx + 70, cy + 70), (cx - 60, cy + 60)]
    for x, y in corners:
        page.mouse.click(x, y)
        page.wait_for_timeout(150)
    page.mouse.click(*corners[0])  # closing the ring finishes the polygon
    page.wait_for_function("document.getElementById('veld-geometrie_geojson').value.includes('Polygon')")
    assert "Gewijzigd" in page.locator(".map-status").inner_text()
    page.check("input[name=ligging][value=indicatief]")
    page.screenshot(path=str(ARTIFACTS / "staff-draw-before-save.png"), full_page=False)
    page.locator("#fiche-form button[type=submit]:has-text('Bewaren')").click()
    page.wait_for_load_state()
    assert "bewaard (versie" in page.content()
    page.locator("#kaart").scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / "staff-draw-after-save.png"), full_page=False)
    with db(scratch_app) as session:
        from app.models import Fiche
        from app.spatial import from_db

        fiche = session.get(Fiche, fiche_id)
        stored = from_db(fiche.geom)
        assert stored.geom_type == "Polygon" and len(stored.exterior.coords) == 5
        assert 150_000 < stored.centroid.x < 250_000 and 150_000 < stored.centroid.y < 250_000  # Lambert 72
        assert fiche.geometry_precision == "indicatief"
        herentals = shapely.box(175_000, 200_000, 192_000, 215_000)
        assert herentals.contains(stored)
    # The saved shape is back on the map, and the page reports it.
    assert page.locator(".map-status").inner_text().startswith("1 vorm")
    page.goto(f"{live_server}/beheer/herentals/fiches/{fiche_id}/geschiedenis")
    assert "POLYGON ((" in page.content() and "Gewijzigd" in page.content()
    page.screenshot(path=str(ARTIFACTS / "staff-history-after-draw.png"), full_page=True)
    watched.check_clean()
    watched.close()


def test_two_pages_save_the_same_fiche(scratch_app, staff, live_server, chromium):
    ARTIFACTS.mkdir(exist_ok=True)
    fiche_id = a_project_without_geometry(scratch_app)
    first, second = watched_page(chromium, live_server), watched_page(chromium, live_server)
    log_in(first, staff.redacteur)
    log_in(second, staff.redacteur2)
    url = f"{live_server}/beheer/herentals/fiches/{fiche_id}/bewerken"
    first.page.goto(url)
    second.page.goto(url)
    first.page.fill("#veld-titel", "Titel uit het eerste venster")
    first.page.locator("#fiche-form button[type=submit]:has-text('Bewaren')").click()
    first.page.wait_for_load_state()
    assert "bewaard (versie" in first.page.content()
    second.page.fill("#veld-samenvatting", "Samenvatting uit het tweede venster")
    with second.page.expect_navigation() as navigation:
        second.page.locator("#fiche-form button[type=submit]:has-text('Bewaren')").click()
    assert navigation.value.status == 409
    conflict = second.page.locator(".conflict")
    assert conflict.is_visible()
    text = conflict.inner_text()
    assert "Iemand anders heeft deze fiche intussen gewijzigd" in text
    assert "Titel uit het eerste venster" in text and staff.redacteur in text
    assert second.page.input_value("#veld-samenvatting") == "Samenvatting uit het tweede venster"
    second.page.screenshot(path=str(ARTIFACTS / "staff-conflict.png"), full_page=False)
    with db(scratch_app) as session:
        from app.models import Fiche

        fiche = session.get(Fiche, fiche_id)
        assert fiche.title == "Titel uit het eerste venster"
        assert fiche.summary != "Samenvatting uit het tweede venster"
    first.check_clean()
    second.check_clean()
    first.close()
    second.close()


def test_staff_pages_render_cleanly(scratch_app, staff, live_server, chromium):
    """Every workspace page loads without a JS or CSP error and without a
    request leaving the app (screenshots for a human look)."""
    ARTIFACTS.mkdir(exist_ok=True)
    fiche_id = a_project_without_geometry(scratch_app)
    watched = watched_page(chromium, live_server, {"width": 1280, "height": 900})
    page = watched.page
    page.goto(live_server + "/aanmelden")
    page.screenshot(path=str(ARTIFACTS / "staff-login.png"))
    log_in(watched, staff.beheerder)
    pages = {
        "city": "/beheer/herentals/",
        "preview": f"/beheer/herentals/fiches/{fiche_id}/voorbeeld",
        "history": f"/beheer/herentals/fiches/{fiche_id}/geschiedenis",
        "new": "/beheer/herentals/fiches/nieuw",
        "import": "/beheer/herentals/import",
        "users": "/beheer/gebruikers/",
        "settings": "/beheer/herentals/instellingen",
        "cities": "/beheer/steden",
    }
    for name, path in pages.items():
        response = page.goto(live_server + path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(ARTIFACTS / f"staff-{name}.png"))
    # Bulk import: upload, see the preview.
    from staff_fixtures import fiche_by_ref  # noqa: F401

    with db(scratch_app) as session:
        from app.models import Fiche

        existing = session.get(Fiche, fiche_id)
        row = f"{existing.ref};{existing.title} (bijgewerkt);ja"
    page.goto(live_server + "/beheer/herentals/import")
    page.set_input_files("#bestand", files=[{
        "name": "fiches.csv", "mimeType": "text/csv",
        "buffer": f"ref;titel;gepubliceerd\n{row}\nHER-BROWSER-1;Nieuw uit de browser;nee\n".encode()}])
    page.click("#import-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "1 nieuwe fiche(s), 1 bijgewerkt" in page.content()
    page.screenshot(path=str(ARTIFACTS / "staff-import-preview.png"), full_page=True)
    # The rows JS: "Rij toevoegen" adds a numbered empty row.
    page.goto(live_server + "/beheer/herentals/fiches/nieuw")
    before = page.locator("fieldset[data-rows=budget] tbody tr").count()
    page.locator("fieldset[data-rows=budget] .add-row").click()
    assert page.locator("fieldset[data-rows=budget] tbody tr").count() == before + 1
    assert page.locator(f"[name='budget-{before}-jaar']").count() == 1
    watched.check_clean()
    watched.close()


def test_amount_is_shown_as_understood_while_typing(scratch_app, staff, live_server, chromium):
    """amount.js asks the server's parser and shows the amount beside the
    field before saving; an ambiguous one shows the question."""
    fiche_id = a_project_without_geometry(scratch_app)
    watched = watched_page(chromium, live_server)
    log_in(watched, staff.redacteur)
    page = watched.page
    page.goto(f"{live_server}/beheer/herentals/fiches/{fiche_id}/bewerken")
    field = page.locator("input[name$='-bedrag_eur']").last
    output = page.locator("output[data-amount-preview]").last
    field.fill("250.000")
    page.wait_for_function("o => o.textContent.includes('250.000 €')", arg=output.element_handle())
    assert output.inner_text() == "= 250.000 €"
    field.fill("250,000")
    page.wait_for_function("o => o.textContent.includes('dubbelzinnig')", arg=output.element_handle())
    page.screenshot(path=str(ARTIFACTS / "staff-amount-question.png"))
    watched.check_clean()
    watched.close()


def test_a_place_far_beyond_the_city_asks_for_a_confirmation(scratch_app, staff, live_server, chromium):
    """A polygon drawn in Breda (inside the rough Belgium box): the form asks
    whether the place really lies that far beyond Herentals; ticking the box
    and saving again stores it, with nothing drawn lost in between."""
    ARTIFACTS.mkdir(exist_ok=True)
    fiche_id = a_project_without_geometry(scratch_app)
    with db(scratch_app) as session:
        from app.models import Fiche

        fiche = session.get(Fiche, fiche_id)
        fiche.geom = None
        session.commit()
    # 422 is the question the editor is meant to see.
    watched = Watched(chromium, live_server, viewport=TALL, expected_statuses=(422,))
    log_in(watched, staff.redacteur)
    page = watched.page
    page.goto(f"{live_server}/beheer/herentals/fiches/{fiche_id}/bewerken")
    page.wait_for_selector(".leaflet-pm-toolbar")
    page.locator("#kaart").scroll_into_view_if_needed()
    # Over to Breda, as an editor who scrolled the map too far would be. The
    # page may still fit the map to the city after a late layout (a loaded
    # machine): set the view until it stays there.
    name = page.locator("#kaart").get_attribute("data-map-name")
    page.wait_for_load_state("networkidle")
    for _attempt in range(5):
        page.evaluate("name => window[name].setView([51.59, 4.775], 14, {animate: false})", name)
        page.wait_for_timeout(300)
        if page.evaluate("name => Math.abs(window[name].getCenter().lat - 51.59) < 0.005", name):
            break
    assert page.evaluate("name => Math.abs(window[name].getCenter().lat - 51.59) < 0.005", name)
    box = page.locator("#kaart .folium-map").bounding_box()
    page.locator(".leaflet-pm-icon-polygon").click()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    corners = [(cx - 80, cy - 60), (cx + 90, cy - 50), (cx + 70, cy + 70), (cx - 60, cy + 60)]
    for x, y in corners:
        page.mouse.click(x, y)
        page.wait_for_timeout(150)
    page.mouse.click(*corners[0])
    page.wait_for_function("document.getElementById('veld-geometrie_geojson').value.includes('Polygon')")
    drawn = shapely.from_geojson(page.input_value("#veld-geometrie_geojson"))
    assert 51.55 < drawn.centroid.y < 51.63, drawn.wkt  # drawn in Breda (EPSG:4326)
    page.check("input[name=ligging][value=indicatief]")
    with page.expect_navigation() as navigation:
        page.locator("#fiche-form button[type=submit]:has-text('Bewaren')").click()
    assert navigation.value.status == 422
    error = page.locator("#fout-geometrie").inner_text()
    assert "km buiten Herentals" in error and "EPSG" not in error
    confirm = page.locator("input[name=ver_buiten_bevestigd]")
    assert confirm.is_visible() and not confirm.is_checked()
    assert "Polygon" in page.input_value("#veld-geometrie_geojson")    # the drawing is kept
    page.screenshot(path=str(ARTIFACTS / "staff-far-outside-question.png"), full_page=False)
    with db(scratch_app) as session:
        assert session.get(Fiche, fiche_id).geom is None
    confirm.check()
    page.locator("#fiche-form button[type=submit]:has-text('Bewaren')").click()
    page.wait_for_load_state()
    assert "bewaard (versie" in page.content()
    with db(scratch_app) as session:
        from app.spatial import from_db

        stored = from_db(session.get(Fiche, fiche_id).geom)
        assert stored.geom_type == "Polygon" and stored.centroid.y > 230_000    # Breda, north of Herentals
    watched.check_clean()
    watched.close()


def test_working_version_pages_render_cleanly(scratch_app, staff, live_server, chromium):
    """A published fiche with a working version: the form (with its banner),
    the preview and the comparison load without a JS or CSP error and
    without a request leaving the app; publishing from the form works."""
    from sqlalchemy import select

    from app.models import Fiche, Municipality

    ARTIFACTS.mkdir(exist_ok=True)
    with db(scratch_app) as session:
        fiche_id = session.scalar(select(Fiche.id).join(Municipality).where(
            Municipality.slug == "herentals", Fiche.published.is_(True), Fiche.geom.is_not(None),
            Fiche.kind == "fiche").order_by(Fiche.id).limit(1))
    watched = watched_page(chromium, live_server)
    log_in(watched, staff.redacteur)
    page = watched.page
    url = f"{live_server}/beheer/herentals/fiches/{fiche_id}/bewerken"
    page.goto(url)
    page.fill("#veld-titel", "Titel in de werkversie")
    page.locator("#fiche-form button[type=submit]:has-text('Werkversie bewaren')").click()
    page.wait_for_load_state()
    banner = page.locator(".working-banner")
    assert banner.is_visible()
    assert "Je bewerkt een werkversie; het publiek ziet nog de gepubliceerde versie" in banner.inner_text()
    page.screenshot(path=str(ARTIFACTS / "staff-working-form.png"), full_page=False)
    for name, what in (("preview", "voorbeeld"), ("compare", "vergelijking")):
        response = page.goto(f"{live_server}/beheer/herentals/fiches/{fiche_id}/werkversie/{what}")
        assert response.status == 200 and response.headers["cache-control"] == "no-store"
        page.wait_for_load_state()
        assert "Titel in de werkversie" in page.content()
        page.screenshot(path=str(ARTIFACTS / f"staff-working-{name}.png"), full_page=False)
    public = page.goto(f"{live_server}/herentals/fiches/{fiche_id}")
    assert public.status == 200 and "Titel in de werkversie" not in page.content()
    page.goto(url)
    page.locator("#werkversie-publiceer-form button[type=submit]").click()
    page.wait_for_load_state()
    assert "is gepubliceerd" in page.content()
    page.goto(f"{live_server}/herentals/fiches/{fiche_id}")
    assert "Titel in de werkversie" in page.content()
    watched.check_clean()
    watched.close()


def a_project_with_a_square(app) -> tuple[int, str]:
    """A Herentals draft with a known square (Lambert 72) as its place: (id, WKT)."""
    from app.models import Fiche
    from app.spatial import to_db

    fiche_id = a_project_without_geometry(app)
    square = shapely.box(181_000, 206_000, 181_200, 206_200)
    with db(app) as session:
        fiche = session.get(Fiche, fiche_id)
        fiche.geom = to_db(square)
        fiche.geometry_precision = "indicatief"
        session.commit()
    return fiche_id, square.wkt


def test_saving_while_a_shape_is_open_keeps_the_old_geometry(scratch_app, staff, live_server, chromium):
    """Issue 12: pressing the form's save mid-drawing lost the place. Now the
    form refuses with a Dutch message beside the map and nothing is sent; the
    tool's finish button says "Vorm afwerken" (not "Bewaar"); once the shape
    is finished, the form saves it."""
    from app.models import Fiche
    from app.spatial import from_db

    ARTIFACTS.mkdir(exist_ok=True)
    fiche_id, _wkt = a_project_with_a_square(scratch_app)
    with db(scratch_app) as session:
        version = session.get(Fiche, fiche_id).version
    watched = watched_page(chromium, live_server)
    log_in(watched, staff.redacteur)
    page = watched.page
    page.goto(f"{live_server}/beheer/herentals/fiches/{fiche_id}/bewerken")
    page.wait_for_selector(".leaflet-pm-toolbar")
    assert page.locator(".map-status").inner_text().startswith("1 vorm")
    page.locator("#kaart").scroll_into_view_if_needed()
    page.locator(".leaflet-pm-icon-polygon").click()
    actions = page.locator(".button-container.active .leaflet-pm-actions-container")
    assert "Vorm afwerken" in actions.inner_text() and "Bewaar" not in actions.inner_text()
    box = page.locator("#kaart .folium-map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    # Right of the square (which the map is fitted to), so the two parts do not overlap.
    for x, y in [(cx + 220, cy - 150), (cx + 380, cy - 140), (cx + 300, cy - 40)]:
        page.mouse.click(x, y)
        page.wait_for_timeout(150)
    before = page.input_value("#veld-geometrie_geojson")
    page.check("input[name=ligging][value=indicatief]")
    url = page.url
    page.locator("#fiche-form button[type=submit]:has-text('Bewaren')").click()
    message = page.locator("#tekening-open")
    message.wait_for()
    assert page.url == url
    assert "nog een vorm aan het tekenen" in message.inner_text() and "Vorm afwerken" in message.inner_text()
    assert message.get_attribute("role") == "alert"
    assert page.evaluate("document.activeElement.id") == "tekening-open"
    assert page.input_value("#veld-geometrie_geojson") == before          # the old place, untouched
    page.screenshot(path=str(ARTIFACTS / "staff-draw-open-refused.png"), full_page=False)
    with db(scratch_app) as session:
        fiche = session.get(Fiche, fiche_id)
        assert fiche.version == version
        assert from_db(fiche.geom).equals(shapely.box(181_000, 206_000, 181_200, 206_200))
    # Finish the shape with the tool's own button, then save.
    page.locator(".button-container.active .action-finish").click()
    page.wait_for_function("!document.getElementById('tekening-open')")
    assert "Gewijzigd" in page.locator(".map-status").inner_text()
    page.locator("#fiche-form button[type=submit]:has-text('Bewaren')").click()
    page.wait_for_load_state()
    assert "bewaard (versie" in page.content(), page.locator("main").inner_text()[:2000]
    with db(scratch_app) as session:
        stored = from_db(session.get(Fiche, fiche_id).geom)
        assert stored.geom_type == "MultiPolygon" and len(stored.geoms) == 2   # the square and the new triangle
        assert any(len(part.exterior.coords) == 4 for part in stored.geoms)
        version = session.get(Fiche, fiche_id).version
    # A rectangle with only its first corner is open too; "Tekening annuleren" closes it, nothing changes.
    page.wait_for_selector(".leaflet-pm-toolbar")
    page.locator("#kaart").scroll_into_view_if_needed()
    page.locator(".leaflet-pm-icon-rectangle").click()
    box = page.locator("#kaart .folium-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] - 60, box["y"] + 60)
    page.wait_for_timeout(150)
    page.locator("#fiche-form button[type=submit]:has-text('Bewaren')").click()
    page.locator("#tekening-open").wait_for()
    page.locator(".button-container.active .action-cancel").click()
    page.wait_for_function("!document.getElementById('tekening-open')")
    page.locator("#fiche-form button[type=submit]:has-text('Bewaren')").click()
    page.wait_for_load_state()
    assert "Er was niets gewijzigd" in page.content()
    with db(scratch_app) as session:
        assert session.get(Fiche, fiche_id).version == version
    watched.check_clean()
    watched.close()


def test_history_draws_the_old_and_the_new_place(scratch_app, staff, live_server, chromium):
    """The history page draws each geometry change on a small map (old grey
    and dashed, new in colour) next to the text; no JS error, nothing loaded
    from outside, axe clean at 1280 and 360 px. The form's geometry error
    shows the refused shape the same way."""
    from staff_fixtures import fill, page_form
    from test_staff import BOW_TIE, as_user, edit_url, feature_collection, post

    ARTIFACTS.mkdir(exist_ok=True)
    fiche_id, _wkt = a_project_with_a_square(scratch_app)
    client = as_user(scratch_app, staff.redacteur)
    values = page_form(client, edit_url(fiche_id))
    fill(values, {"geometrie_geojson": feature_collection(shapely.box(4.845, 51.175, 4.85, 51.178)),
                  "ligging": "indicatief"})
    assert post(client, edit_url(fiche_id), values).status_code == 302
    for viewport, name in ((TALL, "1280"), ({"width": 360, "height": 740}, "360")):
        watched = Watched(chromium, live_server, viewport=viewport, expected_statuses=(422,))
        log_in(watched, staff.redacteur)
        page = watched.page
        page.goto(f"{live_server}/beheer/herentals/fiches/{fiche_id}/geschiedenis")
        page.wait_for_load_state("networkidle")
        figure = page.locator(".shape-figure").first
        figure.scroll_into_view_if_needed()
        paths = figure.locator(".shape-map path")
        assert paths.count() == 3                                        # outline, old, new
        dashed = [paths.nth(i).get_attribute("stroke-dasharray") for i in range(3)]
        assert dashed.count("6 6") == 1                                  # the old place only
        colours = {paths.nth(i).get_attribute("stroke") for i in range(3)}
        assert {"#5f6b7a", "#c2410c"} <= colours
        assert figure.locator(".shape-map").get_attribute("aria-hidden") == "true"
        assert page.locator(".shape-map [tabindex]").count() == 0
        assert "grijs, gestreept" in figure.inner_text()
        assert page.locator("details summary:has-text('WKT')").count() >= 1
        assert watched.axe_violations() == []
        assert not watched.overflows_horizontally(), page.evaluate("""() => Array.from(document.querySelectorAll('body *'))
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .slice(0, 12).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
        page.screenshot(path=str(ARTIFACTS / f"staff-history-shapes-{name}.png"), full_page=False)
        watched.check_clean()
        watched.close()
    # The refused shape beside the form's error.
    watched = Watched(chromium, live_server, viewport=TALL, expected_statuses=(422,))
    log_in(watched, staff.redacteur)
    page = watched.page
    page.goto(f"{live_server}/beheer/herentals/fiches/{fiche_id}/bewerken")
    page.wait_for_selector(".leaflet-pm-toolbar")
    page.evaluate("t => { document.getElementById('veld-geometrie_geojson').value = t; }",
                  feature_collection(BOW_TIE))
    with page.expect_navigation() as navigation:
        page.locator("#fiche-form button[type=submit]:has-text('Bewaren')").click()
    assert navigation.value.status == 422
    error = page.locator("#fout-geometrie")
    error.scroll_into_view_if_needed()
    assert error.locator(".shape-map path").count() == 3
    assert "Niet bewaarde vorm: vlak" in error.inner_text()
    page.wait_for_timeout(200)
    page.screenshot(path=str(ARTIFACTS / "staff-form-refused-shape.png"), full_page=False)
    page.set_viewport_size({"width": 360, "height": 740})
    error.scroll_into_view_if_needed()
    page.wait_for_timeout(200)
    page.screenshot(path=str(ARTIFACTS / "staff-form-refused-shape-360.png"), full_page=False)
    watched.check_clean()
    watched.close()
