"""The start page in a real browser (Debian Chromium, issue 17 item 3): the
map of Flanders draws one point per publishing city with its summary, the
city search works by keyboard only (combobox: type, arrows, Enter) and
without JS (GET form), axe-core clean at 1280 and 360 px, no sideways
scrolling, no JS error, no request off 127.0.0.1. Screenshots
test-artifacts/start-*.png."""
from __future__ import annotations

from browser_fixtures import *  # noqa: F401,F403
from browser_fixtures import DESKTOP, PHONE, Watched

pytestmark = BROWSER_MARKS  # noqa: F405
ALL_IMPACTS = ("minor", "moderate", "serious", "critical")


def wait_for_points(watched: Watched) -> int:
    watched.page.wait_for_selector("#start-kaart[data-points-drawn]", state="attached")
    return int(watched.page.get_attribute("#start-kaart", "data-points-drawn"))


def test_start_page_at_both_widths(chromium, public_server):
    for viewport, width in ((DESKTOP, "1280"), (PHONE, "360")):
        watched = Watched(chromium, public_server, viewport=viewport)
        try:
            assert watched.goto("/").status == 200
            assert wait_for_points(watched) == 2
            assert watched.page.locator("#start-kaart path.leaflet-interactive").count() == 2
            assert watched.axe_violations(ALL_IMPACTS) == [], width
            assert not watched.overflows_horizontally(), width
            watched.screenshot(f"start-{width}")
            if width == "360":
                watched.screenshot(f"start-{width}-top", full_page=False)
            watched.check_clean()
        finally:
            watched.close()


def test_a_point_opens_the_city_summary(watched):
    watched.goto("/")
    wait_for_points(watched)
    page = watched.page
    page.locator("#start-kaart path.leaflet-interactive").first.click(force=True)
    popup = page.wait_for_selector(".start-popup")
    text = popup.inner_text()
    assert "projecten" in text and ("Halle" in text or "Herentals" in text)
    assert popup.query_selector("a").get_attribute("href") in ("/halle", "/herentals")
    watched.check_clean()


def test_city_search_by_keyboard_only(watched):
    watched.goto("/")
    page = watched.page
    tabs = 0
    while page.evaluate("() => document.activeElement && document.activeElement.id") != "gemeente":
        page.keyboard.press("Tab")
        tabs += 1
        assert tabs <= 6, "the city search is more than 6 Tab stops from the top of /"
    page.keyboard.type("Morkh", delay=20)
    page.wait_for_selector("#gemeente-suggesties [role=option]")
    search = page.locator("#gemeente")
    assert search.get_attribute("role") == "combobox" and search.get_attribute("aria-expanded") == "true"
    assert page.inner_text("#gemeente-suggesties [role=option]").startswith("Herentals (deelgemeente Morkhoven")
    page.keyboard.press("Escape")                                        # closes the list, keeps the text
    assert search.get_attribute("aria-expanded") == "false" and search.input_value() == "Morkh"
    page.keyboard.press("ArrowDown")                                     # reopens, first suggestion active
    assert search.get_attribute("aria-activedescendant") == "gemeente-suggestie-0"
    assert watched.axe_violations(ALL_IMPACTS) == []                     # with the list open
    watched.screenshot("start-suggesties-1280", full_page=False)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == watched.base + "/herentals"
    watched.check_clean()


def test_city_search_by_postcode_without_javascript(chromium, public_server):
    context = chromium.new_context(viewport=PHONE, locale="nl-BE", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(public_server + "/")
        page.fill("#gemeente", "1500")
        with page.expect_navigation():
            page.click(".start-search button[type=submit]")
        assert page.url == public_server + "/?gemeente=1500"
        with page.expect_navigation():
            page.click(".start-matches a")
        assert page.url == public_server + "/halle"
    finally:
        context.close()


def test_city_first_wijk_chooser_by_keyboard(watched, app, monkeypatch):
    """Above MAX_CHOOSER_WIJKEN (2,730 wijken with every municipality) `/` asks for
    the city first; with JS the chosen city's wijken fill a second list in place."""
    import app.views.finder as finder
    from search_fixtures import NOORDERWIJK

    monkeypatch.setattr(finder, "MAX_CHOOSER_WIJKEN", 5)
    monkeypatch.setitem(app.config, "PAGE_CACHE_SECONDS", 0)   # not the `/` kept by an earlier test
    watched.goto("/")
    page = watched.page
    page.focus("#finder-stad")
    page.keyboard.type("Herentals", delay=10)                          # choose the city by typing
    page.wait_for_selector("#finder-wijk option[value='%s']" % NOORDERWIJK, state="attached")
    assert page.inner_text("label[for=finder-wijk]") == "Kies je wijk in Herentals"
    assert "10 wijken in Herentals" in page.inner_text("[data-finder-city-first] .finder-status")
    page.keyboard.press("Tab")                                         # to the wijk list
    assert page.evaluate("() => document.activeElement.id") == "finder-wijk"
    page.keyboard.type("Noorderwijk", delay=10)
    assert watched.axe_violations(ALL_IMPACTS) == []
    watched.screenshot("start-gemeente-eerst-1280", full_page=False)
    page.keyboard.press("Tab")                                         # "Toon de projecten"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == watched.base + f"/herentals/wijken/{NOORDERWIJK}"
    watched.check_clean()
