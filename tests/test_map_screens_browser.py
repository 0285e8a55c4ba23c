"""Screenshots of the map pages at desktop and phone width (test-artifacts/,
git-ignored): /herentals, /halle and /regio, plus /herentals with a popup open.
They are for people to look at; the assertions live in test_map_reading_browser.py."""
from __future__ import annotations

import os

import pytest

from browser_fixtures import *  # noqa: F401,F403
from browser_fixtures import BROWSER_MARKS, PHONE, Watched

pytestmark = BROWSER_MARKS
TAG = os.environ.get("FICHEKAART_SHOT_TAG", "after")


@pytest.mark.parametrize("path", ["/herentals", "/halle", "/regio"])
@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_screenshots(chromium, public_server, backend, path, width):
    page_ = Watched(chromium, public_server, viewport=PHONE) if width == "phone" else Watched(chromium, public_server)
    try:
        page_.goto(path)
        page_.page.wait_for_selector(".leaflet-container")
        page_.page.wait_for_timeout(500)
        name = f"map-{path.strip('/')}-{width}-{backend}-{TAG}"
        page_.screenshot(name, full_page=False)
        page_.screenshot(name + "-full", full_page=True)
        page_.page.locator(".leaflet-container").first.scroll_into_view_if_needed()
        page_.page.wait_for_timeout(300)
        page_.screenshot(name + "-map", full_page=False)
    finally:
        page_.close()


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_screenshot_with_phases_and_a_popup(chromium, public_server, backend, width):
    page_ = Watched(chromium, public_server, viewport=PHONE) if width == "phone" else Watched(chromium, public_server)
    try:
        page_.goto("/herentals?year=2027")
        page = page_.page
        page.wait_for_selector("path.fk-phase")
        button = page.locator("button.show-on-map").nth(4)
        button.focus()
        page.keyboard.press("Enter")
        page.wait_for_selector(".leaflet-popup-content")
        page.wait_for_timeout(400)
        page_.screenshot(f"map-herentals-popup-{width}-{backend}-{TAG}", full_page=False)
    finally:
        page_.close()
