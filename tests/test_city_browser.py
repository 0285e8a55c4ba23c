"""The city map page in a real browser (Debian Chromium): the map draws the
projects and the wijken, the slider moves the phases, the list shows the
same fiches as the map, nothing leaves 127.0.0.1, no JS error, no XSS,
axe-core clean at desktop and phone width, no sideways scrolling on a phone.
Writes screenshots and test-artifacts/page-weights.json."""
from __future__ import annotations

import gzip
import json

import pytest

import browser_fixtures
from browser_fixtures import *  # noqa: F401,F403
from browser_fixtures import ARTIFACTS, PHONE, Watched
from city_helpers import (
    HOSTILE_TITLE, embedded, give_a_placed_fiche_a_hostile_title, layer_names, placed_list_ids, timeline_features,
)

pytestmark = BROWSER_MARKS  # noqa: F405
serve = getattr(browser_fixtures, "serve", None) or getattr(browser_fixtures, "_serve")

# Fiche ids drawn by a set of folium layers, from the live Leaflet layers.
JS_FICHE_IDS = """names => {
    const ids = new Set();
    // A Multi* feature is a group of layers carrying the feature itself.
    const walk = l => {
        if (!l.feature && l.eachLayer) { l.eachLayer(walk); return; }
        const m = /\\/fiches\\/(\\d+)/.exec((l.feature && l.feature.properties.popup) || "");
        if (m) { ids.add(Number(m[1])); }
    };
    names.forEach(n => window[n].eachLayer(walk));
    return [...ids].sort((a, b) => a - b);
}"""


def parts(geometry: dict) -> int:
    """How many SVG elements Leaflet draws for a geometry (a MultiPoint: one marker per point)."""
    return len(geometry["coordinates"]) if geometry["type"] == "MultiPoint" else 1


def expected_phase_paths(page, html: str, year: int) -> int:
    def get_json(url):
        return page.evaluate("url => fetch(url).then(answer => answer.json())", url)

    return sum(parts(f["geometry"]) for f in timeline_features(html, get_json)
               if f["properties"]["ys"] <= year <= f["properties"]["ye"])


def slider_year(page) -> int:
    return int(float(page.locator("input.time-slider").input_value()))


def test_map_and_list_show_the_same_projects_and_the_slider_moves_the_phases(watched):
    response = watched.goto("/herentals")
    html = response.text()
    page = watched.page
    page.wait_for_selector("path.fk-project")
    names = layer_names(html)

    drawn = page.evaluate(JS_FICHE_IDS, names["projects"])
    listed = sorted(int(i) for i in page.eval_on_selector_all(
        "li.fiche-item", "els => els.filter(e => !e.textContent.includes('zonder ligging op de kaart'))"
                         ".map(e => e.dataset.ficheId)"))
    assert drawn == listed == sorted(placed_list_ids(html))
    assert len(drawn) > 10
    count_text = page.inner_text("#aantal")
    assert count_text.startswith(f"{page.locator('li.fiche-item').count()} projecten gevonden")

    expected_project_paths = sum(parts(f["geometry"]) for n in names["projects"]
                                 for f in embedded(html, n)["features"])
    assert page.locator("path.fk-project").count() == expected_project_paths
    assert page.locator("path.fk-area-wijk").count() == 10
    assert page.locator(".leaflet-tooltip.fk-label").count() >= 10  # wijk names

    # The phases are off at first (their colours would crowd the projects'), and
    # so is their slider; "Lagen" switches them on.
    assert page.locator("path.fk-phase").count() == 0
    assert not page.locator(".leaflet-timeline-control").is_visible()
    page.focus(".leaflet-control-layers-toggle")
    page.keyboard.press("Enter")  # opens the list and moves focus into it
    assert page.get_attribute(".leaflet-control-layers-toggle", "aria-expanded") == "true"
    page.get_by_label("Fasen", exact=True).check()
    page.wait_for_selector('[data-phases="geladen"]', state="attached")  # fetched when first shown
    page.keyboard.press("Escape")
    assert page.get_attribute(".leaflet-control-layers-toggle", "aria-expanded") == "false"
    assert page.locator(".leaflet-timeline-control").is_visible()

    # The slider: keyboard steps of one year; the visible phases follow the rule.
    slider = page.locator("input.time-slider")
    seen = {}
    for _ in range(3):
        year = slider_year(page)
        seen[year] = page.locator("path.fk-phase").count()
        assert seen[year] == expected_phase_paths(page, html, year), year
        assert page.inner_text(".leaflet-timeline-control output") == f"Jaar {year}"
        assert slider.get_attribute("aria-valuetext") == f"Jaar {year}"  # read out, and announced (live output)
        assert page.get_attribute(".leaflet-timeline-control output", "aria-live") == "polite"
        slider.focus()
        page.keyboard.press("ArrowRight" if year < 2030 else "ArrowLeft")
        page.wait_for_timeout(100)
    assert len(set(seen.values())) > 1, seen
    watched.check_clean()


def test_year_filter_starts_the_slider_at_that_year(watched):
    response = watched.goto("/herentals?year=2028")
    page = watched.page
    page.wait_for_selector('[data-phases="geladen"]', state="attached")  # shown from the start: fetched at once
    assert slider_year(page) == 2028
    assert page.locator("path.fk-phase").count() == expected_phase_paths(page, response.text(), 2028)
    watched.check_clean()


def test_desktop_is_accessible_offline_and_measured(watched):
    response = watched.goto("/herentals")
    page = watched.page
    page.wait_for_selector("path.fk-project")
    watched.check_clean()
    assert watched.axe_violations() == []
    watched.screenshot("city-herentals-desktop", full_page=False)

    html = response.body()
    bodies = []
    for url in dict.fromkeys(watched.requests):
        if url.startswith(watched.base):
            body = page.request.get(url).body()
            bodies.append((url, len(body), len(gzip.compress(body, 6))))
    entries = page.evaluate(
        "() => performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))"
        ".map(e => ({url: e.name, transfer: e.transferSize, body: e.decodedBodySize}))")
    weights = {
        "page": "/herentals",
        "html_bytes": len(html),
        "html_gzip_bytes": len(gzip.compress(html, 6)),
        "requests": len(watched.requests),
        "transferred_bytes": sum(e["transfer"] for e in entries),
        "all_responses_bytes": sum(b for _, b, _ in bodies),
        "all_responses_gzip_bytes": sum(g for _, _, g in bodies),
        "note": ("transferred_bytes: what the browser received, headers included (the app gzips HTML when "
                 "compression is on; static files are sent as they are); *_gzip_bytes: gzip level 6 of the body"),
        "responses": {e["url"].removeprefix(watched.base): {"body_bytes": e["body"], "transferred_bytes": e["transfer"]}
                      for e in entries},
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "page-weights.json").write_text(json.dumps(weights, indent=2), encoding="utf-8")
    assert weights["requests"] < 30
    assert weights["html_gzip_bytes"] < 150_000


def test_phone_is_accessible_and_fits_360_px(phone):
    phone.goto("/herentals?indicator=kinderarmoede")
    page = phone.page
    page.wait_for_selector("path.fk-project")
    assert page.viewport_size["width"] == PHONE["width"]
    assert not phone.overflows_horizontally()
    assert phone.axe_violations() == []
    # Legends fold on a narrow map; the illustrative mark stays visible in their summary.
    assert page.eval_on_selector_all(".fk-legend details", "ds => ds.filter(d => d.open).length") == 0
    assert "Illustratieve cijfers" in page.inner_text(".leaflet-top.leaflet-right")
    # Map first, on the first screen (it started 943 px down, below the whole filter form), then the
    # filters folded (also with a filter in the URL), then the list.
    map_box = page.locator(".city-map").bounding_box()
    list_box = page.locator(".city-list").bounding_box()
    filters_box = page.locator("details.filters-fold").bounding_box()
    assert map_box["y"] < PHONE["height"] - 150, map_box   # 552 px now: 188 px of map on the first screen
    assert map_box["y"] + map_box["height"] <= filters_box["y"] <= list_box["y"]
    assert page.eval_on_selector("details.filters-fold", "d => d.open") is False
    assert list_box["y"] >= map_box["y"] + map_box["height"]
    assert map_box["width"] <= PHONE["width"]
    phone.screenshot("city-herentals-phone", full_page=False)
    page.locator(".city-map").scroll_into_view_if_needed()
    phone.screenshot("city-herentals-phone-map", full_page=False)
    phone.check_clean()


def test_filters_form_keyboard_only(watched):
    watched.goto("/herentals")
    page = watched.page
    page.focus("details.filters-fold > summary")
    page.keyboard.press("Enter")  # the filters are folded until asked for
    page.focus("#f-sector")
    page.select_option("#f-sector", "Vrije Tijd")
    page.focus("#f-q")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # submits the GET form
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/herentals?sector=Vrije+Tijd")  # empty fields and defaults left out
    sectors = page.eval_on_selector_all("li.fiche-item .fiche-ref", "els => els.map(e => e.textContent)")
    assert sectors and all("Vrije Tijd" in s for s in sectors)
    watched.check_clean()


@pytest.fixture
def hostile_server(scratch_app):
    fiche_id = give_a_placed_fiche_a_hostile_title(scratch_app)
    scratch_app.config["BASEMAP"] = "none"
    server, thread = serve(scratch_app)
    yield f"http://127.0.0.1:{server.server_port}", fiche_id
    server.shutdown()
    thread.join(5)


def test_a_hostile_title_never_runs(chromium, hostile_server):
    base, fiche_id = hostile_server
    page_ = Watched(chromium, base)
    try:
        page_.page.add_init_script("window.__xss = false; window.alert = () => { window.__xss = true; };")
        page_.goto("/herentals")
        page = page_.page
        page.wait_for_selector("path.fk-project")
        assert page.locator(f"#fiche-{fiche_id} h3").inner_text() == HOSTILE_TITLE
        # Open the fiche's tooltip and popup on every layer that draws it.
        opened = page.evaluate("""id => {
            let n = 0;
            const walk = l => {
                if (!l.feature && l.eachLayer) { l.eachLayer(walk); return; }
                const p = l.feature && l.feature.properties.popup;
                if (p && p.includes('/fiches/' + id + '"')) { l.openTooltip && l.openTooltip(); l.openPopup(); n++; }
            };
            Object.values(window).forEach(v => { if (v instanceof L.Layer && !(v instanceof L.Map)) { v.eachLayer && v.eachLayer(walk); } });
            return n;
        }""", fiche_id)
        assert opened >= 1
        popups = page.locator(".leaflet-popup-content").all_inner_texts()
        assert popups and all(HOSTILE_TITLE in text for text in popups)
        assert page.locator(".leaflet-popup-content img, .leaflet-tooltip img").count() == 0
        assert page.evaluate("window.__xss") is False
        page_.check_clean()
    finally:
        page_.close()


@pytest.mark.parametrize("path", [
    "/halle",
    "/herentals?kleur=status&indicator=kinderarmoede&klassen=jenks&budget=per_inwoner&year=2027",
    "/herentals?q=geen-enkele-treffer&budget=totaal",      # empty selection: empty layers, empty slider
])
def test_other_views_draw_cleanly(watched, path):
    response = watched.goto(path)
    page = watched.page
    page.wait_for_selector("path.fk-area-wijk")
    assert page.locator("path.fk-area-wijk").count() == 10
    placed = placed_list_ids(response.text())
    assert sorted(page.evaluate(JS_FICHE_IDS, layer_names(response.text())["projects"])) == sorted(placed)
    assert watched.axe_violations() == []
    watched.check_clean()
