"""The OGC API's HTML pages in real headless Chromium: the small map draws
with the app's own Leaflet, under the app's CSP, without a JS error and
without any request leaving the site (basemap off)."""
from __future__ import annotations


import pytest

from browser_fixtures import Watched, requirements_missing
from test_ogcapi_clients import Server

pytestmark = pytest.mark.browser

@pytest.fixture(scope="module")
def server(app, tmp_path_factory):
    reason = requirements_missing()
    if reason:
        pytest.skip(reason)
    running = Server(app.config["DATABASE_URL"], tmp_path_factory.mktemp("ogc") / "requests.log", BASEMAP="none")
    yield running
    running.stop()


@pytest.mark.parametrize("path,minimum", [
    ("/collections/fiches-herentals/items?f=html&limit=50", 10),
    ("/collections/wijken/items?f=html&limit=20&crs=EPSG:31370", 20),   # the map is drawn whatever crs the page asked
    ("/collections/fasen/items?f=html&limit=5", 5),
])
def test_html_map_draws_offline(server, path, minimum, chromium):
    watched = Watched(chromium, server.root.split("/ogc")[0])
    try:
        watched.page.goto(server.root + path)
        watched.page.wait_for_selector(".leaflet-interactive", timeout=10_000)
        drawn = watched.page.evaluate("document.querySelectorAll('.leaflet-interactive').length")
        watched.check_clean()
    finally:
        watched.close()
    assert drawn >= minimum
