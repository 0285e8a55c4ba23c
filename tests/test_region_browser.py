"""The region map /regio in headless Chromium on both databases: it loads its
layers by URL (vector tiles on PostGIS, GeoJSON by bbox on SpatiaLite), a
click on a fiche opens its popup, nothing leaves 127.0.0.1, no JS error,
axe finds nothing serious."""
from __future__ import annotations

import json

from browser_fixtures import *  # noqa: F401,F403
from browser_fixtures import BROWSER_MARKS

pytestmark = BROWSER_MARKS
# The shapes of the fiches' vector tiles (their layer lies above the wijken: z-index 3).
FICHE_TILE_PATHS = '.leaflet-tile-pane > .leaflet-layer[style*="z-index: 3"] path'


def map_config(watched) -> dict:
    return json.loads(watched.page.get_attribute("#regio-kaart", "data-config"))


def a_point_fiche(watched) -> dict:
    data = watched.page.evaluate("async () => (await fetch('/api/herentals/fiches.geojson')).json()")
    return next(f for f in data["features"] if f["geometry"]["type"] == "Point")


def zoom_to(watched, name: str, lon: float, lat: float, zoom: int) -> None:
    watched.page.evaluate(f"() => window[{json.dumps(name)}].setView([{lat}, {lon}], {zoom}, {{animate: false}})")
    watched.page.wait_for_load_state("networkidle")
    watched.page.wait_for_timeout(400)  # the moveend debounce and the canvas redraw


def test_region_map_loads_layers_by_url_and_opens_a_popup(watched, backend):
    response = watched.goto("/regio")
    assert response.status == 200
    page = watched.page
    assert page.locator("h1").inner_text().startswith("Regiokaart")
    config = map_config(watched)
    assert config["mode"] == ("mvt" if backend == "postgis" else "geojson")
    fiche = a_point_fiche(watched)
    lon, lat = fiche["geometry"]["coordinates"]
    zoom_to(watched, config["names"]["map"], lon, lat, 16)
    if backend == "postgis":
        tiles = [u for u in watched.requests if "/api/tiles/" in u]
        assert any("/api/tiles/fiches/16/" in u for u in tiles) and any("/api/tiles/wijken/16/" in u for u in tiles)
        # The fiches' tiles (z-index 3, above the wijken) are drawn once they arrived.
        page.locator(FICHE_TILE_PATHS).first.wait_for(timeout=15000)
        page.wait_for_load_state("networkidle")
    else:
        assert any("/api/regio/fiches.geojson?bbox=" in u and "zoom=16" in u for u in watched.requests)
        page.wait_for_function(
            "() => /\\d+ fiches en \\d+ wijken in beeld/.test(document.getElementById('regio-status').textContent)")
        status = page.locator("#regio-status").inner_text()
        assert int(status.split()[0]) >= 1
    box = page.locator("#regio-kaart .folium-map").bounding_box()
    popup = page.locator(".leaflet-popup-content")
    # Tiles arrive in any order: until the fiche's tile is drawn over the
    # wijk's, a click at the centre hits the wijk. Try again a few times.
    for _attempt in range(6):
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        popup.wait_for(timeout=5000)
        if fiche["properties"]["title"] in popup.inner_text():
            break
        page.keyboard.press("Escape")
        page.wait_for_timeout(500)
    assert fiche["properties"]["title"] in popup.inner_text()
    assert popup.locator("a").get_attribute("href") == fiche["properties"]["url"]
    watched.screenshot(f"region-map-{backend}")
    watched.check_clean()
    assert watched.axe_violations() == []


def test_region_map_whole_region_view(watched, backend):
    watched.goto("/regio")
    config = map_config(watched)
    zoom_to(watched, config["names"]["map"], 4.45, 51.04, 8)
    if backend == "postgis":
        assert any("/api/tiles/fiches/8/" in u for u in watched.requests)
        # Clusters: a dot per cell, drawn in the fiches' tile layer (z-index 3).
        # Herentals and Halle lie apart, in different tiles that arrive in any
        # order: wait until both are drawn (fails after 15 s if one never is).
        watched.page.wait_for_function(
            "selector => document.querySelectorAll(selector).length >= 2", arg=FICHE_TILE_PATHS, timeout=15000)
        assert watched.page.locator(FICHE_TILE_PATHS).count() >= 2
    else:
        # GeoJSON mode asks for the wijken only at this zoom and says how to see the fiches.
        page = watched.page
        page.wait_for_function("() => /Zoom verder in/.test(document.getElementById('regio-status').textContent)")
        assert not any("/api/regio/fiches.geojson" in u for u in watched.requests)
    watched.screenshot(f"region-map-zoom8-{backend}")
    watched.check_clean()


def test_region_map_on_a_phone(phone):
    phone.goto("/regio")
    assert not phone.overflows_horizontally()
    phone.check_clean()
    assert phone.axe_violations() == []


def test_a_fiche_popup_stays_open_on_a_phone(phone, backend):
    """On a phone a popup nearly always pans the map to fit; the map then
    loads the data of the new view. The popup must survive that reload (it
    closed at once in GeoJSON mode while it belonged to the replaced layer)."""
    phone.goto("/regio")
    page = phone.page
    name = map_config(phone)["names"]["map"]
    fiche = a_point_fiche(phone)
    lon, lat = fiche["geometry"]["coordinates"]
    page.locator("#regio-kaart").scroll_into_view_if_needed()
    zoom_to(phone, name, lon, lat, 16)
    if backend == "postgis":
        page.locator(FICHE_TILE_PATHS).first.wait_for(timeout=15000)
    x, y = page.evaluate(
        f"() => {{ const m = window[{json.dumps(name)}], box = m.getContainer().getBoundingClientRect(),"
        f" p = m.latLngToContainerPoint([{lat}, {lon}]); return [box.left + p.x, box.top + p.y]; }}")
    popup = page.locator(".leaflet-popup-content")
    for _attempt in range(6):  # until the fiche's tile lies over the wijk's (see the test above)
        phone.requests.clear()
        page.mouse.click(x, y)
        popup.wait_for(timeout=5000)
        if fiche["properties"]["title"] in popup.inner_text():
            break
        page.keyboard.press("Escape")
        page.wait_for_timeout(500)
    if backend == "spatialite":  # the autopan's move made the map ask for the new view's fiches
        assert phone.wait_until_requested(lambda u: "/api/regio/fiches.geojson" in u)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    assert popup.count() == 1 and fiche["properties"]["title"] in popup.inner_text()
    phone.screenshot(f"region-popup-phone-{backend}")
    phone.check_clean()
