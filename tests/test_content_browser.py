"""Content first in a real browser (both databases): the print view of the
fiche and wijk pages (static map shown, Leaflet map, navigation and filters
hidden, tables with their columns), the "Afdrukken" button, and the glossary
page without any axe violation at 1280 and 360 px. Screenshots of screen and
print at both widths in test-artifacts/content-*.png."""
from __future__ import annotations

import pytest

from browser_fixtures import *  # noqa: F401,F403
from browser_fixtures import PHONE, Watched
from staff_fixtures import db, fiche_by_ref

pytestmark = BROWSER_MARKS  # noqa: F405

ALL_IMPACTS = ("minor", "moderate", "serious", "critical")


def visible(page: Watched, selector: str) -> bool:
    locator = page.page.locator(selector)
    return locator.count() > 0 and locator.first.is_visible()


def check_print_view(page: Watched, path: str, name: str, width: int):
    assert page.goto(path).status == 200
    page.check_clean()
    # On screen: the interactive map and the print button; the static map waits for paper.
    assert visible(page, ".page-map") and not visible(page, ".print-map")
    assert visible(page, "button[data-print]"), "print.js shows the Afdrukken button"
    page.screenshot(f"content-{name}-screen-{width}")
    page.page.emulate_media(media="print")
    try:
        assert visible(page, ".print-map svg")
        box = page.page.locator(".print-map svg").bounding_box()
        assert box["height"] > 100 and box["width"] > 200, box
        assert page.page.locator(".print-map svg path, .print-map svg circle").count() >= 2
        for hidden in (".page-map", ".site-header nav", ".breadcrumbs", "button[data-print]", ".skip-link"):
            assert not visible(page, hidden), f"{hidden} is printed"
        # Tables keep their columns on paper, also at phone width.
        header = page.page.locator("table.stack-on-phone thead th").first
        if header.count():
            assert header.is_visible() and header.bounding_box()["height"] > 5
        page.screenshot(f"content-{name}-print-{width}")
    finally:
        page.page.emulate_media(media="screen")


def test_fiche_page_prints_with_a_static_map(app, watched, phone):
    with db(app) as session:
        fiche_id = fiche_by_ref(session, "HER-SO-05").id
    for page, width in ((watched, 1280), (phone, PHONE["width"])):
        check_print_view(page, f"/herentals/fiches/{fiche_id}", "fiche-rwa-as", width)


@pytest.mark.parametrize("code", ["1301101", "23027B1"])
def test_wijk_page_prints_with_a_static_map(watched, phone, code):
    slug = "halle" if code.startswith("23027") else "herentals"
    for page, width in ((watched, 1280), (phone, PHONE["width"])):
        check_print_view(page, f"/{slug}/wijken/{code}", f"wijk-{code}", width)


def test_city_page_prints_without_filters_and_shares_the_view(watched):
    assert watched.goto("/herentals?sector=Stadsontwikkeling&sort=budget").status == 200
    link = watched.page.locator("#deel-link").input_value()
    assert link.endswith("/herentals?sector=Stadsontwikkeling&sort=budget")
    watched.page.locator("form.list-sort").scroll_into_view_if_needed()
    watched.screenshot("content-city-list-1280", full_page=False)
    watched.page.emulate_media(media="print")
    try:
        assert not visible(watched, "form.city-filters") and not visible(watched, "form.list-sort")
        assert visible(watched, ".fiche-list")
    finally:
        watched.page.emulate_media(media="screen")
    # Sorting works with the keyboard and keeps the filters.
    watched.page.select_option("#f-sort", "titel")
    watched.page.locator("form.list-sort button").press("Enter")
    watched.page.wait_for_load_state("networkidle")
    assert "sector=Stadsontwikkeling" in watched.page.url and "sort=titel" in watched.page.url
    watched.check_clean()


def test_glossary_page_has_no_axe_violation(watched, phone):
    for page, width in ((watched, 1280), (phone, PHONE["width"])):
        assert page.goto("/woordenlijst").status == 200
        page.check_clean()
        assert page.axe_violations(impacts=ALL_IMPACTS) == []
        assert not page.overflows_horizontally()
        page.screenshot(f"content-woordenlijst-{width}")
    # A glossary link on a fiche page leads to its entry.
    assert phone.goto("/herentals/wijken/1301101").status == 200
    phone.page.locator('a.term[data-term="rwa-as"]').click()
    phone.page.wait_for_load_state("networkidle")
    assert phone.page.url.endswith("/woordenlijst#term-rwa-as")
