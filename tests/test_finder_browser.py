"""The resident's route in a real browser (Debian Chromium, issue 10): from
`/` to the Noorderwijk (Herentals) and Sint-Rochus (Halle) wijk pages in two
interactions, by mouse and by keyboard only; "In mijn buurt" with the
browser's position; the search results page. No JS error, no request off
127.0.0.1, axe-core 0 violations at 1280 and 360 px; screenshots
test-artifacts/finder-*.png."""
from __future__ import annotations

import fcntl
import json
import re
import time
from pathlib import Path

import pytest

from browser_fixtures import *  # noqa: F401,F403
from browser_fixtures import DESKTOP, PHONE, Watched, serve
from search_fixtures import NETEPARK, NOORDERWIJK, NOORDERWIJK_LAT_LON, RWA, SINT_ROCHUS, import_test_addresses
from staff_fixtures import db, fiche_by_ref

pytestmark = BROWSER_MARKS  # noqa: F405
ALL_IMPACTS = ("minor", "moderate", "serious", "critical")
TIMINGS = Path(__file__).resolve().parent.parent / "test-artifacts" / "task-timings.json"


def record_timing(task: str, started: float) -> None:
    """The machine's part of a resident's task (page loads, no thinking time), for the
    closing note and docs/search.md: written to test-artifacts, never asserted."""
    elapsed_ms = round((time.perf_counter() - started) * 1000)
    TIMINGS.parent.mkdir(exist_ok=True)
    # The suite runs in several processes (pytest-xdist): one writer at a time.
    with open(TIMINGS.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = json.loads(TIMINGS.read_text()) if TIMINGS.exists() else {}
        done[task] = elapsed_ms
        TIMINGS.write_text(json.dumps(done, indent=1, sort_keys=True))


def assert_projects_listed(page) -> None:
    """The wijk page answers what is planned, when and for how much: its list of projects, each with
    its years and its amount for the wijk, shown (not behind a fold)."""
    rows = page.locator("#wijk-fiches tbody tr[data-fiche]")
    assert rows.count() >= 1
    for i in range(rows.count()):
        row = rows.nth(i)
        assert row.is_visible()
        assert re.fullmatch(r"\d{4}(–\d{4})?", row.locator("td[data-label=Wanneer]").inner_text().strip())
        assert "€" in row.locator("td[data-label='Uitgaven voor de wijk']").inner_text()


ROUTES = [("Noorderwijk (Herentals)", f"/herentals/wijken/{NOORDERWIJK}", "Noorderwijk"),
          ("Sint-Rochus (Halle)", f"/halle/wijken/{SINT_ROCHUS}", "Sint-Rochus")]


@pytest.mark.parametrize("label,path,name", ROUTES)
def test_two_clicks_from_index_to_the_wijk(watched, backend, label, path, name):
    started = time.perf_counter()
    watched.goto("/")
    page = watched.page
    page.select_option("#finder-wijk", label=label)                     # interaction 1
    with page.expect_navigation():
        page.click("text=Toon de projecten")                             # interaction 2
    page.wait_for_load_state("networkidle")
    assert page.url == watched.base + path
    assert name in page.title() or name in page.inner_text("main")[:400]
    record_timing(f"{backend}: / -> {name}, mouse (ms)", started)
    assert_projects_listed(page)
    watched.check_clean()


@pytest.mark.parametrize("label,path,name", ROUTES)
def test_two_clicks_through_the_wijk_list(watched, label, path, name):
    watched.goto("/")
    page = watched.page
    page.click("text=Alle wijken per stad")                              # interaction 1: open the list
    with page.expect_navigation():
        page.click(f".finder-wijken a[href='{path}']")                   # interaction 2
    assert page.url == watched.base + path
    watched.check_clean()


@pytest.mark.parametrize("label,path,name", ROUTES)
def test_keyboard_only_from_index_to_the_wijk(watched, backend, label, path, name):
    started = time.perf_counter()
    watched.goto("/")
    page = watched.page
    tabs = 0
    while page.evaluate("() => document.activeElement && document.activeElement.id") != "finder-wijk":
        page.keyboard.press("Tab")
        tabs += 1
        assert tabs <= 10, "the wijk chooser is more than 10 Tab stops from the top of /"
    # skip link, brand, Steden, Aanmelden, the city search (field, button), then the chooser
    assert tabs == 7
    page.keyboard.type(label, delay=10)                                  # interaction 1: choose by typing
    assert page.eval_on_selector("#finder-wijk", "s => s.selectedOptions[0].textContent") == label
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")                                     # interaction 2: "Toon de projecten"
    page.wait_for_load_state("networkidle")
    assert page.url == watched.base + path
    record_timing(f"{backend}: / -> {name}, keyboard (ms)", started)
    assert_projects_listed(page)
    watched.check_clean()


def test_in_mijn_buurt_uses_the_position_and_only_our_server(chromium, public_server):
    watched = Watched(chromium, public_server)
    try:
        lat, lon = NOORDERWIJK_LAT_LON
        watched.context.grant_permissions(["geolocation"], origin=public_server)
        watched.context.set_geolocation({"latitude": lat, "longitude": lon})
        watched.goto("/")
        page = watched.page
        button = page.locator(".finder-near-button")
        assert button.is_visible()                                       # shown only where JS and geolocation work
        with page.expect_navigation():
            button.click()
        page.wait_for_load_state("networkidle")
        assert page.url.startswith(public_server + "/buurt?lat=51.1338&lon=4.8328")   # rounded to ~10 m
        assert "wijk Noorderwijk" in page.inner_text("h1")
        assert page.locator(f"a[href='/herentals/wijken/{NOORDERWIJK}']").first.is_visible()
        watched.check_clean()
    finally:
        watched.close()


def test_denied_position_says_so_in_dutch(watched):
    watched.goto("/")
    page = watched.page
    page.click(".finder-near-button")                                     # no permission granted: denied
    page.wait_for_function("() => document.querySelector('.finder-status').textContent.length > 30")
    assert "toestemming" in page.inner_text(".finder-status") or "niet bepaald" in page.inner_text(".finder-status")
    watched.check_clean()


@pytest.fixture
def address_server(scratch_app, scratch_session):
    import_test_addresses(scratch_session)
    scratch_app.config["BASEMAP"] = "none"
    server, thread = serve(scratch_app)
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


PAGES = [("index", "/"), ("results", "/zoeken?q=Vorselaarsebaan"), ("results-riolering", "/zoeken?q=riolering"),
         ("nearby", "/buurt?stad=herentals&straat=Hoofdstraat")]


def test_pages_accessible_at_both_widths(chromium, address_server):
    for viewport, width in ((DESKTOP, "1280"), (PHONE, "360")):
        watched = Watched(chromium, address_server, viewport=viewport)
        try:
            for name, path in PAGES:
                response = watched.goto(path)
                assert response.status == 200, path
                assert watched.axe_violations(ALL_IMPACTS) == [], (path, width)
                assert not watched.overflows_horizontally(), (path, width)
                if width == "360":
                    for box in watched.page.eval_on_selector_all(
                            ".finder button:visible, .finder select, .finder input:not([type=hidden])",
                            "els => els.map(e => e.getBoundingClientRect().height)"):
                        assert box >= 24
                watched.screenshot(f"finder-{name}-{width}")
                if width == "360":
                    watched.screenshot(f"finder-{name}-{width}-top", full_page=False)   # what a phone shows first
            results = watched.goto("/zoeken?q=Vorselaarsebaan")
            assert results.status == 200
            text = watched.page.inner_text("main")
            assert "Vorselaarsebaan, 2200 Herentals" in text and "wijk Open ruimte Nete en Aa" in text
            watched.check_clean()
        finally:
            watched.close()


# What each search of the issue must find, typed into the search box of `/` (then Enter).
SEARCHES = [
    ("Sint Janneke", {"HER-SO-01"}, None),
    ("sint-janneke", {"HER-SO-01"}, None),
    ("Vorselaarsebaan", NETEPARK, "Vorselaarsebaan, 2200 Herentals"),
    ("riolering", RWA | {"HER-SO-39"}, None),
]


@pytest.mark.parametrize("q,refs,street", SEARCHES, ids=[q for q, _, _ in SEARCHES])
def test_the_searches_of_the_issue_from_the_start_page(chromium, address_server, scratch_app, backend, q, refs,
                                                       street):
    with db(scratch_app) as session:
        titles = {fiche_by_ref(session, ref).title for ref in refs}
    watched = Watched(chromium, address_server)
    try:
        watched.goto("/")
        page = watched.page
        started = time.perf_counter()
        page.fill("#finder-q", q)                                          # interaction 1: type
        with page.expect_navigation():
            page.keyboard.press("Enter")                                    # interaction 2: Enter
        page.wait_for_selector(".result-count")
        record_timing(f"{backend}: search {q!r} -> results (ms)", started)
        found = page.eval_on_selector_all(".finder-fiche h3 a", "as => as.map(a => a.textContent.trim())")
        if q == "riolering":   # the five with the word (or RWA) in their title first
            assert set(found[:len(titles)]) == titles, found
        else:
            assert set(found) == titles, found
        if street:
            assert street in page.inner_text("section[aria-labelledby=res-straten]")
            # the second step: the projects near the street, with when and how much
            with page.expect_navigation():
                page.click(f"text=Projecten binnen 500 m van {q}")
            listed = page.eval_on_selector_all(".finder-fiche h3 a", "as => as.map(a => a.textContent.trim())")
            assert titles <= set(listed), listed
            first = page.inner_text(".finder-fiche >> nth=0")
            assert re.search(r"\b20\d\d-20\d\d\b", first) and "€" in first, first
        watched.check_clean()
    finally:
        watched.close()
