"""Every public page kind, at 1280 and 360 px, in headless Chromium on both
databases (issue 10, "Tests"): the checks the issue asks for "on every public
page", not only on the city map.

Per page and width: axe-core finds no violation of any impact; no focusable
element is without an accessible name; no map control speaks English; every
control a finger taps (buttons, fields, lists, folds, map buttons) is at least
24 x 24 px at 360 px; the colours of the visible legends are pairwise distinct and,
at 1280 px where they are open, readable without scrolling;
no two visible wijk labels overlap; a project's popup is covered by nothing
(`elementFromPoint` over its text) and lies inside the map; no sideways scrolling; no JS error and no
request off 127.0.0.1. A figure per page (Tab stops, unnamed elements) is
written to test-artifacts/public-pages.json for the closing note.
"""
from __future__ import annotations

import json

import pytest
from browser_fixtures import *  # noqa: F401,F403
from browser_fixtures import ARTIFACTS, DESKTOP, PHONE, Watched
from search_fixtures import NOORDERWIJK, SINT_ROCHUS
from staff_fixtures import db, fiche_by_ref
from test_map_reading_browser import (
    ENGLISH,
    JS_CONTROL_LABELS,
    JS_LEGEND_SWATCHES,
    JS_POPUP_COVERED,
    JS_UNNAMED_FOCUSABLE,
    JS_VISIBLE_LABELS,
)

pytestmark = BROWSER_MARKS  # noqa: F405

ALL_IMPACTS = ("minor", "moderate", "serious", "critical")
FIGURES = ARTIFACTS / "public-pages.json"

# Every public page kind: (name, path; {netepark} and {rwa} are fiche ids).
PAGES = [
    ("start", "/"),
    ("herentals", "/herentals"),
    ("halle-jaar", "/halle?year=2027"),
    ("wijk-noorderwijk", f"/herentals/wijken/{NOORDERWIJK}"),
    ("wijk-sint-rochus", f"/halle/wijken/{SINT_ROCHUS}"),
    ("fiche-netepark", "/herentals/fiches/{netepark}"),
    ("fiche-rwa", "/herentals/fiches/{rwa}"),
    ("zoeken", "/zoeken?q=riolering"),
    ("buurt", "/buurt?lat=51.1338&lon=4.8328"),
    ("kies-wijk", "/wijk?stad=herentals"),
    ("woordenlijst", "/woordenlijst"),
    ("cijfers", "/herentals/cijfers"),
    ("vergelijken", "/herentals/vergelijken"),
    ("regio", "/regio"),
]

# What a finger taps: every visible control, and the map's buttons. Links inside running text are
# exempt (WCAG 2.5.8 "inline"); links that act as a control (the map's buttons) are in the list
# through their role or class.
JS_SMALL_TARGETS = """() => [...document.querySelectorAll(
        'button, input:not([type=hidden]), select, summary, textarea, [role=button], .leaflet-bar a, '
        + '.leaflet-control-layers-toggle, .leaflet-popup-close-button')]
    .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden'
                  && !el.closest('[aria-hidden=true]'))
    .map(el => { const r = el.getBoundingClientRect();
                 const what = el.getAttribute('aria-label') || el.textContent || el.name || el.className;
                 return {what: what.trim().slice(0, 60),
                         tag: el.tagName.toLowerCase(), w: Math.round(r.width), h: Math.round(r.height)}; })
    .filter(t => t.w < 24 || t.h < 24)"""


# Corners of the map whose legends need scrolling to be read (content taller than the corner).
JS_CLIPPED_LEGENDS = """() => [...document.querySelectorAll('.leaflet-top.leaflet-right')]
    .filter(c => c.querySelector('.fk-legend') && c.scrollHeight > c.clientHeight + 1)
    .map(c => ({scroll: c.scrollHeight, client: c.clientHeight}))"""

# Opens the popup of the first project drawn on the page's map (as a click on it does).
JS_OPEN_FIRST_POPUP = """() => { for (const v of Object.values(window)) {
    if (v instanceof L.Layer && v.feature === undefined && v.eachLayer) {
        let done = false;
        v.eachLayer(l => { if (!done && l.feature && l.feature.properties.fid && l.getPopup && l.getPopup()) {
            l.openPopup(); done = true; } });
        if (done) { return true; } } }
    return false; }"""


def check_popup_not_covered(page) -> bool:
    """Opens a project's popup on the page's map; no control or legend lies over its text, and it
    is panned inside the map. False when the page draws no project."""
    if not page.locator("path.fk-project").count():
        return False
    page.locator(".leaflet-container").first.scroll_into_view_if_needed()   # as a resident scrolls to the map
    if not page.evaluate(JS_OPEN_FIRST_POPUP):
        return False
    page.wait_for_function("() => { const p = document.querySelector('.leaflet-popup');"
                           " return p && getComputedStyle(p).opacity === '1'; }")
    page.wait_for_timeout(350)  # the pan into view
    result = page.evaluate(JS_POPUP_COVERED)
    assert result["checked"] >= 3 and result["covered"] == [], result
    assert result["inside"], result
    return True


def resolve(app, path: str) -> str:
    if "{" not in path:
        return path
    with db(app) as session:
        ids = {"netepark": fiche_by_ref(session, "HER-VT-14").id, "rwa": fiche_by_ref(session, "HER-SO-05").id}
    return path.format(**ids)


def record(name: str, width: str, figures: dict) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    done = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
    done[f"{name} {width}"] = figures
    FIGURES.write_text(json.dumps(done, indent=1, sort_keys=True))


def settle(page) -> None:
    """Maps drawn and wijk labels placed (the declutter runs after every move)."""
    if page.locator(".leaflet-container").count():
        page.wait_for_timeout(500)
        if page.locator(".leaflet-container[data-labels-checked]").count():
            page.wait_for_timeout(300)


@pytest.mark.parametrize("name,path", PAGES, ids=[name for name, _ in PAGES])
def test_every_public_page_at_both_widths(app, chromium, public_server, name, path):
    path = resolve(app, path)
    for viewport, width in ((DESKTOP, "1280"), (PHONE, "360")):
        watched = Watched(chromium, public_server, viewport=viewport)
        try:
            response = watched.goto(path)
            assert response.status == 200, path
            page = watched.page
            settle(page)
            unnamed = page.evaluate(JS_UNNAMED_FOCUSABLE)
            assert unnamed == [], (path, width, unnamed)
            assert watched.axe_violations(ALL_IMPACTS) == [], (path, width)
            assert not watched.overflows_horizontally(), (path, width)
            english = [t for t in page.evaluate(JS_CONTROL_LABELS) if ENGLISH.search(t)]
            assert english == [], (path, width, english)
            if width == "360":
                small = page.evaluate(JS_SMALL_TARGETS)
                assert small == [], (path, small)
            swatches = page.evaluate(JS_LEGEND_SWATCHES)
            looks = [(s["color"], s["shape"]) for s in swatches]
            assert len(set(looks)) == len(looks), (path, width, swatches)
            fills = [s["color"] for s in swatches if "fk-swatch-line" not in s["shape"]]
            assert len(set(fills)) == len(fills), (path, width, swatches)
            if width == "1280":   # open legends, all of them readable without scrolling
                assert page.evaluate(JS_CLIPPED_LEGENDS) == [], (path, page.evaluate(JS_CLIPPED_LEGENDS))
            labels = page.evaluate(JS_VISIBLE_LABELS)
            for i, a in enumerate(labels):
                for b in labels[i + 1:]:
                    overlap = (a["left"] < b["right"] and b["left"] < a["right"]
                               and a["top"] < b["bottom"] and b["top"] < a["bottom"])
                    assert not overlap, (path, width, a, b)
            popup = check_popup_not_covered(page)
            record(name, width, {"path": path, "unnamed_focusable": len(unnamed), "legend_swatches": len(swatches),
                                 "visible_wijk_labels": len(labels), "popup_checked": popup})
            watched.check_clean()
        finally:
            watched.close()
