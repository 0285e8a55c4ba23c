"""The comparison page in Chromium: both maps draw the ten wijken and move
together, the scatter chart has one point per wijk, no JS error, nothing
loaded from outside, axe clean at desktop and phone width, no sideways
scrolling on a phone. Screenshots in test-artifacts/compare-*.png."""
from __future__ import annotations

import pytest

from browser_fixtures import *  # noqa: F401,F403
from browser_fixtures import BROWSER_MARKS

pytestmark = BROWSER_MARKS

MAP_NAMES = "() => document.querySelector('[data-sync-maps]').dataset.syncMaps.split(' ')"
CENTER = "(name) => { const c = window[name].getCenter(); return [c.lat, c.lng, window[name].getZoom()]; }"


def open_page(watched, path: str):
    watched.goto(path)
    # compare.js syncs the maps once folium's opening zoom has finished.
    watched.page.wait_for_selector("[data-sync-maps][data-synced=true]", state="attached", timeout=5000)


def wijk_paths(page, map_index: int) -> int:
    return page.evaluate(
        "(i) => document.querySelectorAll('.compare-map')[i].querySelectorAll('path.fk-choropleth').length",
        map_index)


@pytest.mark.parametrize("slug", ["herentals", "halle"])
def test_maps_chart_and_sync_on_desktop(watched, slug):
    open_page(watched, f"/{slug}/vergelijken?indicator=kinderarmoede&measure=eur_per_inhabitant")
    page = watched.page
    assert wijk_paths(page, 0) == 10, "the budget map draws the 10 wijken"
    assert wijk_paths(page, 1) == 10, "the indicator map draws the 10 wijken"
    assert page.locator(".compare-map .fk-illustratief").count() == 2, "both legends say illustratief"

    points = page.evaluate("() => Chart.getChart(document.getElementById('compare-scatter'))"
                           ".data.datasets[0].data.map(p => p.label)")
    table = page.evaluate("() => [...document.querySelectorAll('tr[data-code] th')].map(th => th.textContent.trim())")
    assert len(points) == 10 and sorted(points) == sorted(table)
    drawn = page.evaluate("() => Chart.getChart(document.getElementById('compare-scatter'))"
                          ".getDatasetMeta(0).data.filter(e => !e.skip && isFinite(e.x) && isFinite(e.y)).length")
    assert drawn == 10, "every point is drawn on the canvas"

    assert page.get_attribute("[data-sync-maps]", "data-synced") == "true"
    left, right = page.evaluate(MAP_NAMES)
    start = page.evaluate(CENTER, left)
    assert start == pytest.approx(page.evaluate(CENTER, right))
    box = page.locator(f"#{left}").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 - 120, box["y"] + box["height"] / 2 - 60, steps=8)
    page.mouse.up()
    page.wait_for_timeout(400)
    moved_left, moved_right = page.evaluate(CENTER, left), page.evaluate(CENTER, right)
    assert moved_left[:2] != pytest.approx(start[:2], abs=1e-6), "the drag moved the left map"
    assert moved_right == pytest.approx(moved_left, abs=1e-9), "panning one map moves the other"
    page.evaluate("(name) => window[name].setZoom(window[name].getZoom() + 1, {animate: false})", right)
    page.wait_for_timeout(300)
    assert page.evaluate(CENTER, left)[2] == page.evaluate(CENTER, right)[2], "zooming one map zooms the other"

    watched.check_clean()
    assert watched.axe_violations() == []
    watched.screenshot(f"compare-{slug}-desktop")


def test_pan_really_moves_the_view(watched):
    open_page(watched, "/herentals/vergelijken")
    page = watched.page
    left, right = page.evaluate(MAP_NAMES)
    before = page.evaluate(CENTER, right)
    box = page.locator(f"#{right}").bounding_box()
    page.mouse.move(box["x"] + 200, box["y"] + 200)
    page.mouse.down()
    page.mouse.move(box["x"] + 80, box["y"] + 120, steps=8)
    page.mouse.up()
    page.wait_for_timeout(400)
    after_right, after_left = page.evaluate(CENTER, right), page.evaluate(CENTER, left)
    assert after_right[:2] != pytest.approx(before[:2], abs=1e-6), "the drag moved the right map"
    assert after_left == pytest.approx(after_right, abs=1e-9), "and the left one followed"
    watched.check_clean()


def test_phone_stacks_the_maps_without_sideways_scrolling(phone):
    open_page(phone, "/herentals/vergelijken?measure=amount_eur&year=2027&scheme=natural_breaks")
    page = phone.page
    first, second = (page.locator(".compare-map").nth(i).bounding_box() for i in (0, 1))
    assert second["y"] >= first["y"] + first["height"], "stacked on a phone"
    assert first["width"] <= 360
    assert wijk_paths(page, 0) == 10 and wijk_paths(page, 1) == 10
    assert not phone.overflows_horizontally()
    phone.check_clean()
    assert phone.axe_violations() == []
    phone.screenshot("compare-herentals-phone")


def test_bad_arguments_show_the_notice_and_still_draw(watched):
    watched.goto("/herentals/vergelijken?indicator=onbekend&year=abc")
    assert watched.page.locator(".flash-error").count() == 2
    assert wijk_paths(watched.page, 1) == 10
    watched.check_clean()
