"""A full map with every layer type in real headless Chromium, fully offline.

The page and its assets are served by a tiny threaded http.server on
127.0.0.1 that follows the app's vendor route contract (the vendor_files()
whitelist from node_modules, else 404) and sends the app's
Content-Security-Policy (a CSP violation is a console error, so it fails the
test), plus locally drawn basemap tiles. Screenshots go to test-artifacts/.
"""
from __future__ import annotations

import json
import re
import struct
import threading
import zlib
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from layers.areas import build_areas_layer
from layers.assets import NODE_MODULES, VENDOR_PREFIX, vendor_files
from layers.base import add_layer_control, build_base_map, render_standalone
from layers.budgets import build_budget_symbols_layer, build_wijk_budget_layer
from layers.geojson import bounds_of
from layers.indicators import build_indicator_layer
from layers.phases import build_phases_layer, phases_active_in_year
from layers.projects import build_projects_layer
from browser_fixtures import ARTIFACTS, requirements_missing
from layers_fixtures import HOSTILE_TITLE, X, Y, areas_fc, fiches_fc, phases_fc, wijken_fc

pytestmark = pytest.mark.browser

# The app's policy (app/web.py): scripts only from the site or with this request's nonce.
NONCE = "dGVzdC1ub25jZQ"
CSP = (f"default-src 'self'; script-src 'self' 'nonce-{NONCE}'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml",
                 ".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf", ".eot": "application/vnd.ms-fontobject"}


def _tile_png(size: int = 256) -> bytes:
    """A pale tile with a darker edge: enough to see tiles load, drawn here."""
    edge, fill = b"\xc8\xcc\xc4", b"\xee\xf0\xec"
    rows = []
    for y in range(size):
        row = edge * size if y == 0 else edge + fill * (size - 1)
        rows.append(b"\x00" + row)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b"")


@contextmanager
def serve(pages: dict[str, str]):
    """http://127.0.0.1:<port>: pages, the vendor route, /tiles/. Yields (base url, bytes sent per path)."""
    tile = _tile_png()
    sent: dict[str, int] = {}
    allowed = vendor_files()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            path = urlsplit(self.path).path
            body, ctype, status = None, "text/plain", 404
            if path in pages:
                body, ctype, status = pages[path].encode("utf-8"), "text/html; charset=utf-8", 200
            elif path.startswith("/tiles/"):
                body, ctype, status = tile, "image/png", 200
            elif path.startswith(VENDOR_PREFIX + "/"):
                rel = path[len(VENDOR_PREFIX) + 1:]
                if rel in allowed and (NODE_MODULES / rel).is_file():
                    body, status = (NODE_MODULES / rel).read_bytes(), 200
                    ctype = CONTENT_TYPES.get(Path(rel).suffix, "application/octet-stream")
            body = body if body is not None else b"niet gevonden"
            sent[path] = sent.get(path, 0) + len(body)
            try:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                if path in pages:
                    self.send_header("Content-Security-Policy", CSP)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the browser closed while tiles were still coming

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", sent
    finally:
        server.shutdown()
        server.server_close()


def build_full_map(base_url: str):
    """Every layer type on one map; returns (map, names the test needs)."""
    tiles = {"url": f"{base_url}/tiles/{{z}}/{{x}}/{{y}}.png", "attribution": "Testtegels", "name": "Testtegels"}
    m = build_base_map(bounds_of(fiches_fc(), areas_fc()), basemap=tiles)
    gemeente = build_areas_layer(areas_fc(), "gemeente")
    wijken = build_areas_layer(areas_fc(), "wijk", labels=True)
    indicator, indicator_legend = build_indicator_layer(
        wijken_fc(), name="Aandeel 65-plussers", unit="%", period="2024", source="Statbel", illustrative=True)
    wijk_budget, wijk_budget_legend = build_wijk_budget_layer(wijken_fc(), measure="eur_per_inhabitant",
                                                              period_label="2025-2030")
    projects, projects_legend = build_projects_layer(fiches_fc(), style_by="sector")
    budgets, budgets_legend = build_budget_symbols_layer(fiches_fc())
    timeline, slider = build_phases_layer(phases_fc())
    for element in (gemeente, wijken, indicator, wijk_budget, projects, budgets, timeline,
                    indicator_legend, wijk_budget_legend, projects_legend, budgets_legend, slider):
        element.add_to(m)
    add_layer_control(m, {
        "Projecten": [projects, budgets, timeline],
        "Cijfers per wijk": [indicator, wijk_budget],
        "Gebieden": [gemeente, wijken],
    }, exclusive_groups=["Cijfers per wijk"])
    return m, {"map": m.get_name(), "slider": slider.get_name()}


@contextmanager
def chromium_page(chromium, base: str, viewport: dict):
    context = chromium.new_context(viewport=viewport, locale="nl-BE")
    try:
        page = context.new_page()
        log = {"errors": [], "requests": [], "failed": [], "dialogs": []}
        page.on("console", lambda msg: msg.type == "error" and log["errors"].append(msg.text))
        page.on("pageerror", lambda exc: log["errors"].append(str(exc)))
        page.on("request", lambda req: log["requests"].append(req.url))
        page.on("requestfailed", lambda req: log["failed"].append(req.url))

        def on_dialog(dialog):
            log["dialogs"].append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        # A global flag as well as the dialog hook: any alert() sets it.
        page.add_init_script(
            "window.__xss = false; const fkAlert = window.alert;"
            "window.alert = function () { window.__xss = true; return fkAlert.apply(window, arguments); };"
        )
        page.goto(f"{base}/map.html", wait_until="networkidle")
        yield page, log
    finally:
        context.close()


def _visible_phase_kinds(page) -> list[str]:
    return sorted(page.eval_on_selector_all(
        "path.fk-phase", "els => els.map(e => [...e.classList].find(c => c.startsWith('fk-phase-')).slice(9))"))


def _expected_phase_kinds(year: int) -> list[str]:
    return sorted(f["properties"]["phase_kind"] for f in phases_active_in_year(phases_fc(), year) if f["geometry"])


def _boxes_overlap(a: dict, b: dict) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


@pytest.fixture(scope="module")
def site():
    reason = requirements_missing()
    if reason:
        pytest.skip(reason)
    pages: dict[str, str] = {}
    with serve(pages) as (base, sent):
        m, names = build_full_map(base)
        html = render_standalone(m, title="Testkaart Herentals")
        # As the app's with_nonce filter does: every script of the map gets the nonce.
        pages["/map.html"] = re.sub(r"<script(?![^>]*\bnonce=)", f'<script nonce="{NONCE}"', html)
        yield base, sent, names


def test_full_map_draws_everything_offline_and_safely(site, chromium):
    base, sent, names = site
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium_page(chromium, base, {"width": 1280, "height": 800}) as (page, log):
        page.wait_for_selector("path.fk-project")
        counts = {cls: page.locator(f"path.{cls}").count()
                  for cls in ("fk-project", "fk-budget", "fk-choropleth", "fk-area", "fk-geen-gegevens")}
        # 2 points + 1 line + 1 polygon + 1 multipolygon (one path); fiche 6 has no geometry.
        assert counts["fk-project"] == 5
        assert counts["fk-budget"] == 4  # fiches 1, 2, 3, 5 have a budget
        assert counts["fk-choropleth"] == 5  # the indicator; the budget map is the other radio button
        assert counts["fk-geen-gegevens"] == 1
        assert counts["fk-area"] == 1 + 5  # gemeente + wijken
        assert page.locator(".leaflet-tooltip.fk-label").count() == 5  # permanent wijk labels
        assert page.locator("path.fk-project.fk-indicatief").count() == 2
        assert page.get_attribute("path.fk-project.fk-indicatief >> nth=0", "stroke-dasharray")
        fill = page.eval_on_selector("path.fk-geen-gegevens", "e => getComputedStyle(e).fill")
        assert "fk-hatch" in fill
        attribution = page.inner_text(".leaflet-control-attribution")
        assert "Statbel, Provincies in Cijfers" in attribution and "Testtegels" in attribution
        assert page.locator(".leaflet-top.leaflet-right .leaflet-control-layers-base input").count() == 2

        # The time slider: keyboard steps one year; visible phases follow phases_active_in_year.
        slider = page.locator("input.time-slider")
        assert slider.get_attribute("aria-label") == "Jaar"
        seen = {}
        for year in range(2025, 2029):
            assert int(float(slider.input_value())) == year
            seen[year] = _visible_phase_kinds(page)
            assert seen[year] == _expected_phase_kinds(year), year
            assert page.inner_text(".leaflet-timeline-control output") == f"Jaar {year}"
            slider.focus()
            page.keyboard.press("ArrowRight")
        assert seen[2025] != seen[2027]

        # The hostile title: shown as text in tooltip and popup, never run.
        point = page.evaluate(f"(() => {{ const p = {names['map']}.latLngToContainerPoint([{Y}, {X}]);"
                              f" const r = {names['map']}.getContainer().getBoundingClientRect();"
                              " return [p.x + r.left, p.y + r.top]; })()")
        page.mouse.move(*point)
        page.wait_for_selector(".leaflet-tooltip:not(.fk-label)")
        assert HOSTILE_TITLE in page.inner_text(".leaflet-tooltip:not(.fk-label)")
        page.mouse.click(*point)
        page.wait_for_selector(".leaflet-popup-content")
        popup = page.locator(".leaflet-popup-content")
        assert HOSTILE_TITLE in popup.inner_text()
        assert "± 1,2 miljoen € (illustratief)" in popup.inner_text()
        assert popup.locator("img").count() == 0
        assert popup.locator("a", has_text="Bekijk de fiche").get_attribute("href") == "/herentals/fiches/1"
        page.wait_for_timeout(300)
        page.screenshot(path=str(ARTIFACTS / "layers-map-desktop.png"))
        assert page.evaluate("window.__xss") is False
        assert log["dialogs"] == []

        assert log["errors"] == []
        assert log["failed"] == []
        hosts = {urlsplit(u).hostname for u in log["requests"] if urlsplit(u).scheme in ("http", "https")}
        assert hosts == {"127.0.0.1"}, hosts
        assert not [u for u in log["requests"] if urlsplit(u).scheme not in ("http", "https", "data", "blob")]
        assert not any(urlsplit(u).path == "/x" for u in log["requests"])  # the <img src=x> never loaded

    weight = {path: size for path, size in sent.items() if not path.startswith("/tiles/")}
    report = {"html_bytes": sent.get("/map.html", 0), "assets_bytes": sum(v for k, v in weight.items() if k != "/map.html"),
              "files": dict(sorted(weight.items()))}
    (ARTIFACTS / "layers-page-weight.json").write_text(json.dumps(report, indent=2), encoding="utf-8")


def test_legends_never_cover_the_layer_control_on_a_phone(site, chromium):
    base, _, _ = site
    with chromium_page(chromium, base, {"width": 360, "height": 640}) as (page, log):
        page.wait_for_selector("path.fk-project")
        control = page.locator(".leaflet-top.leaflet-right .leaflet-control-layers")
        legends = page.locator(".fk-legend")
        assert legends.count() == 4  # indicator, projects, budgets, phases (wijk budget is off)
        assert page.eval_on_selector_all(".fk-legend details", "ds => ds.filter(d => d.open).length") == 0
        assert "Illustratieve cijfers" in page.inner_text(".leaflet-top.leaflet-right")
        for expanded in (False, True):
            if expanded:
                page.screenshot(path=str(ARTIFACTS / "layers-map-phone.png"))
                control.hover()
                page.wait_for_selector(".leaflet-top.leaflet-right .leaflet-control-layers-expanded")
            box = control.bounding_box()
            for i in range(legends.count()):
                assert not _boxes_overlap(box, legends.nth(i).bounding_box()), (expanded, i)
        # Opening a folded legend on the phone shows its entries, still clear of the control.
        page.locator(".fk-legend summary", has_text="Projecten per sector").click()
        assert page.locator(".fk-legend", has_text="Vrije Tijd").is_visible()
        assert not _boxes_overlap(control.bounding_box(), page.locator(".fk-legend", has_text="Vrije Tijd").bounding_box())
        page.screenshot(path=str(ARTIFACTS / "layers-map-phone-open.png"))
        assert log["errors"] == []

