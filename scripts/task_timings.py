"""A resident's tasks, timed and counted in headless Debian Chromium (issue 10's
closing note): Tab stops, clicks, keys and the machine's wall time of each task.

    .venv/bin/python scripts/task_timings.py [--repeats 5] [--database-url URL]

Without --database-url it builds the SpatiaLite database of scripts/screens.py
(migrations, demo content, the TEST address files) and serves the app on
127.0.0.1 with the basemap off. No network or CPU throttling: the times are
this machine's page loads and scripts, not a resident's thinking time. The
wall time of a task runs from the first interaction on a loaded `/` to the
moment its answer is on screen (the wijk's project list, the search results,
the wijk named by "in mijn buurt"); the median of the repeats is printed, with
the minimum and maximum. Prints Markdown tables (docs/citizen-checks.md).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screens import ROOT, WIDTHS, demo_site  # noqa: E402

NOORDERWIJK_LAT_LON = (51.13381, 4.83279)


def tab_until(page, predicate_js: str, limit: int = 150) -> int:
    """Tab stops from the top of the just-loaded page until predicate_js(activeElement)."""
    for stop in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => ({predicate_js})(document.activeElement)"):
            return stop
    return -1


def unnamed_focusable(page) -> int:
    sys.path.insert(0, str(ROOT / "tests"))
    from test_map_reading_browser import JS_UNNAMED_FOCUSABLE

    return len(page.evaluate(JS_UNNAMED_FOCUSABLE))


def tab_counts(browser, base: str) -> list[tuple[str, str, int]]:
    rows = []
    for width, viewport in WIDTHS.items():
        context = browser.new_context(viewport=viewport, locale="nl-BE")
        page = context.new_page()
        page.goto(base + "/")
        page.wait_for_load_state("networkidle")
        rows.append(("top of / -> the wijk chooser", width, tab_until(page, "el => el.id === 'finder-wijk'")))
        page.goto(base + "/herentals")
        page.wait_for_selector("path.fk-project")
        page.wait_for_load_state("networkidle")
        rows.append(("top of /herentals -> first fiche of the list", width,
                     tab_until(page, "el => el === document.querySelector('li.fiche-item h3 a')")))
        # Enter on the list's "Toon op kaart" opens the popup and puts focus in it; Tabs to its link.
        button = page.locator("button.show-on-map").first
        button.focus()
        page.keyboard.press("Enter")
        page.wait_for_selector(".leaflet-popup-content")
        rows.append(("popup opened with Enter -> its 'Bekijk de fiche' link", width,
                     tab_until(page, "el => el.textContent === 'Bekijk de fiche'", limit=20)))
        context.close()
    return rows


def timed(browser, base: str, task, repeats: int, **context_options) -> tuple[list[float], dict]:
    times, counts = [], {}
    for _ in range(repeats):
        context = browser.new_context(viewport=WIDTHS["1280"], locale="nl-BE", **context_options)
        page = context.new_page()
        page.goto(base + "/")
        page.wait_for_load_state("networkidle")
        started = time.perf_counter()
        counts = task(page)
        times.append((time.perf_counter() - started) * 1000)
        context.close()
    return times, counts


def wijk_by_mouse(label: str):
    def task(page):
        page.select_option("#finder-wijk", label=label)                  # click 1 (the list, the name)
        page.click("text=Toon de projecten")                              # click 2
        page.wait_for_selector("#wijk-fiches tbody tr[data-fiche]")
        return {"clicks": 2}
    return task


def wijk_by_keyboard(label: str):
    def task(page):
        tabs = tab_until(page, "el => el.id === 'finder-wijk'")
        typed = ""
        for char in label:                                                 # type until the list shows it
            page.keyboard.type(char)
            typed += char
            if page.eval_on_selector("#finder-wijk", "s => s.selectedOptions[0].textContent") == label:
                break
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.wait_for_selector("#wijk-fiches tbody tr[data-fiche]")
        return {"keys": tabs + len(typed) + 2, "tabs": tabs, "typed": typed}
    return task


def search(q: str):
    def task(page):
        page.click("#finder-q")                                            # click 1: the field
        page.keyboard.type(q)
        page.keyboard.press("Enter")
        page.wait_for_selector(".finder-fiche, .finder-hits")
        return {"clicks": 1, "keys": len(q) + 1}
    return task


def nearby(page):
    started = time.perf_counter()
    page.click(".finder-near-button")                                     # click 1: "In mijn buurt"
    page.wait_for_selector("h1:has-text('wijk Noorderwijk')")
    named = (time.perf_counter() - started) * 1000
    page.click("text=Wat investeert de stad in wijk Noorderwijk?")        # click 2: the wijk page
    page.wait_for_selector("#wijk-fiches tbody tr[data-fiche]")
    return {"clicks": 2, "wijk named after (ms)": round(named)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--database-url")
    options = parser.parse_args()
    with demo_site(options.database_url) as (_app, base, browser):
        print("| Tab count | width | Tab stops |\n|---|---|---|")
        for what, width, stops in tab_counts(browser, base):
            print(f"| {what} | {width} px | {stops} |")
        print()
        noorderwijk, sint_rochus = "Noorderwijk (Herentals)", "Sint-Rochus (Halle)"
        tasks = [
            (f"/ -> {noorderwijk} projects, mouse", wijk_by_mouse(noorderwijk), {}),
            (f"/ -> {noorderwijk} projects, keyboard", wijk_by_keyboard(noorderwijk), {}),
            (f"/ -> {sint_rochus} projects, mouse", wijk_by_mouse(sint_rochus), {}),
            (f"/ -> {sint_rochus} projects, keyboard", wijk_by_keyboard(sint_rochus), {}),
            ("/ search 'Vorselaarsebaan' -> results", search("Vorselaarsebaan"), {}),
            ("/ 'In mijn buurt' (position in Noorderwijk) -> wijk page with its projects", nearby,
             {"geolocation": {"latitude": NOORDERWIJK_LAT_LON[0], "longitude": NOORDERWIJK_LAT_LON[1]},
              "permissions": ["geolocation"]}),
        ]
        print(f"| task | interactions | median ms | min-max ms (n={options.repeats}) |\n|---|---|---|---|")
        for what, task, context_options in tasks:
            times, counts = timed(browser, base, task, options.repeats, **context_options)
            told = ", ".join(f"{k} {v}" for k, v in counts.items())
            print(f"| {what} | {told} | {statistics.median(times):.0f} | {min(times):.0f}-{max(times):.0f} |")


if __name__ == "__main__":
    main()
