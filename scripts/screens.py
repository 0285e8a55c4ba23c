"""Screenshots of every public page kind as a resident sees it (issue 10), at
1280x800 and 360x740, in headless Debian Chromium, written to
test-artifacts/screens/ (gitignored) for a person to look at.

    .venv/bin/python scripts/screens.py [--out DIR] [--database-url URL] [--only NAME ...]

Without --database-url it builds a fresh SpatiaLite database in a temporary
directory (migrations, the demo content and the TEST address files of
tests/data, which are marked as test data) and serves the app on 127.0.0.1
with the basemap off, so nothing leaves the machine. Per page: the first
screen (what a visitor sees before scrolling) and the whole page; the print
views are taken with print media emulated; the city maps also with a popup
opened through the list's "Toon op kaart" button.
"""
from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WIDTHS = {"1280": {"width": 1280, "height": 800}, "360": {"width": 360, "height": 740}}


def pages(fiche_ids: dict[str, int]) -> list[tuple[str, str, str]]:
    """(name, path, kind) for every public page kind; kind is screen, print or popup."""
    netepark, rwa = fiche_ids["HER-VT-14"], fiche_ids["HER-SO-05"]
    return [
        ("index", "/", "screen"),
        ("herentals", "/herentals", "screen"),
        ("herentals-popup", "/herentals", "popup"),
        ("halle", "/halle", "screen"),
        ("halle-popup", "/halle?year=2027", "popup"),
        ("wijk-noorderwijk", "/herentals/wijken/1301106", "screen"),
        ("wijk-sint-rochus", "/halle/wijken/23027A1", "screen"),
        ("fiche-netepark", f"/herentals/fiches/{netepark}", "screen"),
        ("fiche-rwa", f"/herentals/fiches/{rwa}", "screen"),
        ("zoeken-riolering", "/zoeken?q=riolering", "screen"),
        ("zoeken-vorselaarsebaan", "/zoeken?q=Vorselaarsebaan", "screen"),
        ("buurt", "/buurt?lat=51.1338&lon=4.8328", "screen"),
        ("buurt-straat", "/buurt?stad=herentals&straat=Hoofdstraat", "screen"),
        ("woordenlijst", "/woordenlijst", "screen"),
        ("print-wijk", "/herentals/wijken/1301106", "print"),
        ("print-fiche", f"/herentals/fiches/{netepark}", "print"),
        ("regio", "/regio", "screen"),
        ("cijfers", "/herentals/cijfers", "screen"),
        ("vergelijken", "/herentals/vergelijken", "screen"),
    ]


def build_database(directory: Path) -> str:
    from conftest import make_test_app

    from app import migrate
    from app.db import get_session
    try:
        from app.write.imports.demo import load_demo
    except ImportError:   # an older checkout (the "before" screenshots of issue 10)
        from app.imports.demo import load_demo

    url = f"sqlite:///{directory / 'screens.sqlite'}"
    app = make_test_app(url)
    with app.app_context():
        migrate.upgrade(app.extensions["fichekaart.engine"])
        session = get_session()
        with session.begin():
            load_demo(session, log=lambda *_: None)
        try:
            from search_fixtures import import_test_addresses
        except ImportError:   # before the address import existed
            import_test_addresses = None
        if import_test_addresses:
            import_test_addresses(session)
    app.extensions["fichekaart.engine"].dispose()
    return url


def fiche_ids(app) -> dict[str, int]:
    from sqlalchemy import select

    from app.db import get_session
    from app.models import Fiche

    with app.app_context():
        rows = get_session().execute(select(Fiche.ref, Fiche.id)).all()
    return {ref: fid for ref, fid in rows}


def settle(page) -> None:
    """Wait for the maps to be drawn and the wijk labels placed, as a visitor sees the page once settled."""
    page.wait_for_load_state("networkidle")
    if page.locator(".leaflet-container").count():
        page.wait_for_timeout(600)


def open_a_popup(page) -> None:
    """Through the list's "Toon op kaart" (the keyboard route); an older page without it: a click
    on the first project drawn."""
    button = page.locator("button.show-on-map").first
    if button.count():
        button.scroll_into_view_if_needed()
        button.focus()
        page.keyboard.press("Enter")
    else:
        page.locator(".leaflet-overlay-pane path.leaflet-interactive").last.click(force=True)
    try:
        page.wait_for_selector(".leaflet-popup-content", timeout=5000)
    except Exception:  # noqa: BLE001 (the screenshot shows what happened instead)
        print("  no popup opened")
    page.wait_for_timeout(500)


def shoot(browser, base: str, out: Path, name: str, path: str, kind: str) -> list[Path]:
    made = []
    for width, viewport in WIDTHS.items():
        context = browser.new_context(viewport=viewport, locale="nl-BE")
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        page.goto(base + path)
        settle(page)
        if kind == "print":
            page.emulate_media(media="print")
            page.wait_for_timeout(300)
        if kind == "popup":
            open_a_popup(page)
        first = out / f"{name}-{width}.png"
        page.screenshot(path=str(first), full_page=False)
        made.append(first)
        if kind != "popup":
            whole = out / f"{name}-{width}-full.png"
            page.screenshot(path=str(whole), full_page=True)
            made.append(whole)
        if errors:
            print(f"  JS errors on {path} at {width}: {errors}")
        context.close()
    return made


@contextlib.contextmanager
def demo_site(database_url: str | None):
    """(the app, its base URL, a headless Chromium) on the demo database (or
    `database_url`), served on 127.0.0.1 with the basemap off; quiet logs."""
    import logging

    from conftest import make_test_app
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    import layers  # noqa: F401  (pyproj/pyogrio before the first SpatiaLite connection)
    for name in ("werkzeug", "app"):   # one line per request would bury what the scripts print
        logging.getLogger(name).setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        app = make_test_app(database_url or build_database(Path(tmp)), BASEMAP="none")
        logging.getLogger("app").setLevel(logging.WARNING)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                yield app, f"http://127.0.0.1:{server.server_port}", browser
                browser.close()
        finally:
            server.shutdown()
            app.extensions["fichekaart.engine"].dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "test-artifacts" / "screens"))
    parser.add_argument("--database-url")
    parser.add_argument("--only", nargs="*", help="names of the pages to take (default: all)")
    options = parser.parse_args()
    out = Path(options.out)
    out.mkdir(parents=True, exist_ok=True)
    with demo_site(options.database_url) as (app, base, browser):
        for name, path, kind in pages(fiche_ids(app)):
            if options.only and name not in options.only:
                continue
            for made in shoot(browser, base, out, name, path, kind):
                print(made.relative_to(ROOT) if made.is_relative_to(ROOT) else made)


if __name__ == "__main__":
    main()
