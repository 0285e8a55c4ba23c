"""The OGC API's HTML pages in real headless Chromium: the small map draws
with the app's own Leaflet, under the app's CSP, without a JS error and
without any request leaving the site (basemap off)."""
from __future__ import annotations

from pathlib import Path

import pytest

from layers.assets import NODE_MODULES
from test_ogcapi_clients import Server

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return "Debian chromium is not installed at /usr/bin/chromium (scripts/test installs it)"
    if not (NODE_MODULES / "leaflet" / "dist" / "leaflet.js").is_file():
        return "node_modules is missing: run `npm ci` (scripts/test does)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Python playwright is not installed"
    return None


@pytest.fixture(scope="module")
def server(app, tmp_path_factory):
    reason = _missing()
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
def test_html_map_draws_offline(server, path, minimum):
    from playwright.sync_api import sync_playwright

    problems, outside = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" and "Failed to load" not in m.text else None)
        page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
                if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(server.root.split("/ogc")[0]) else None)
        page.goto(server.root + path)
        page.wait_for_selector(".leaflet-interactive", timeout=10_000)
        drawn = page.evaluate("document.querySelectorAll('.leaflet-interactive').length")
        browser.close()
    assert not problems and not outside
    assert drawn >= minimum
