"""One harness for the public pages in a real browser (headless Debian
Chromium through Playwright): a live server on the seeded app, a page whose
outside requests and JS errors are recorded, axe-core, and screenshots in
test-artifacts/.

The fixtures (public_server, chromium, watched, phone) are registered once
in conftest.py, so every module shares one browser; a test module takes the
helpers with `from browser_fixtures import *` and marks itself with
`pytestmark = BROWSER_MARKS`. (Importing a fixture into a module would give
that module its own session fixture, and a second Playwright in one process
fails.)
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
AXE_SOURCE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}



def requirements_missing() -> str | None:
    """Why the browser tests cannot run here, or None. Under CI=true nothing
    is skipped: a missing browser is a failure there."""
    if os.environ.get("CI") == "true":
        return None
    if not os.path.exists(CHROMIUM):
        return "Debian chromium is not installed at /usr/bin/chromium (scripts/test installs it)"
    if not (ROOT / "node_modules" / "leaflet" / "dist" / "leaflet.js").is_file():
        return "node_modules is missing: run `npm ci` (scripts/test does)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Python playwright is not installed"
    return None


BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(requirements_missing() is not None, reason=str(requirements_missing())),
]


def serve(application):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


@pytest.fixture(scope="session")
def public_server(app):
    """The seeded read-only app on a free local port, basemap off: with no
    tiles, no request has any reason to leave 127.0.0.1."""
    app.config["BASEMAP"] = "none"
    server, thread = serve(app)
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="session")
def chromium():
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


class Watched:
    """A browser page whose outside requests, JS errors and failed loads are
    recorded; check_clean() fails the test on any of them."""

    def __init__(self, chromium, base: str, viewport: dict = DESKTOP, expected_statuses: tuple[int, ...] = ()):
        self.context = chromium.new_context(viewport=viewport, locale="nl-BE")
        # Waits (load, network idle, selectors) up to 90 s instead of Playwright's 30: on a
        # CI machine running at load 15 a page's network went quiet only after 30 s now and then.
        self.context.set_default_timeout(90_000)
        self.page = self.context.new_page()
        self.base = base
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("request", self._on_request)
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("console", lambda m: self.errors.append(f"console: {m.text}")
                     if m.type == "error" and "Failed to load resource" not in m.text else None)
        self.page.on("response", lambda r: self.errors.append(f"{r.status} {r.url}")
                     if r.status >= 400 and r.status not in expected_statuses else None)
        self.dialogs: list[str] = []
        self.page.on("dialog", self._on_dialog)

    def _on_request(self, request):
        self.requests.append(request.url)
        if not request.url.startswith((self.base, "data:", "blob:")):
            self.outside.append(request.url)

    def _on_dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def goto(self, path: str):
        self.requests.clear()
        response = self.page.goto(self.base + path)
        self.page.wait_for_load_state("networkidle")
        return response

    def wait_until_requested(self, wanted, timeout_ms: int = 10000) -> bool:
        """True as soon as the page has asked for a URL for which `wanted(url)`
        holds; False after `timeout_ms`. (Request events arrive while
        Playwright waits, so a fixed sleep would guess how long a busy
        machine takes.)"""
        for _ in range(timeout_ms // 50):
            if any(wanted(url) for url in self.requests):
                return True
            self.page.wait_for_timeout(50)
        return any(wanted(url) for url in self.requests)

    def check_clean(self):
        assert not self.outside, f"requests left 127.0.0.1: {self.outside}"
        assert not self.errors, f"JS errors or failed loads: {self.errors}"
        assert not self.dialogs, f"a script opened a dialog (XSS?): {self.dialogs}"

    def axe_violations(self, impacts=("serious", "critical")) -> list[dict]:
        """axe-core's violations of the given impacts on the current page.
        evaluate() runs in the page without a <script> tag, so the page's CSP
        stays as it is; the rule set is WCAG 2.1 A/AA. It judges the page at
        rest (settle): axe blends a half-faded text's colour with the map."""
        self.settle()
        self.page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
        result = self.page.evaluate(
            "async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
            "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations"
            ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))"
        )
        return [v for v in result if v["impact"] in impacts]

    def overflows_horizontally(self) -> bool:
        """True when the page is wider than the viewport (needs sideways scrolling)."""
        return self.page.evaluate(
            "() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1")

    def settle(self) -> None:
        """Wait until the running transitions and animations that have an end
        are over (a Leaflet popup fades in over 0.2 s)."""
        self.page.evaluate(
            "() => Promise.all(document.getAnimations()"
            ".filter(a => Number.isFinite(a.effect?.getComputedTiming().endTime))"
            ".map(a => a.finished.catch(() => null)))")

    def screenshot(self, name: str, full_page: bool = True) -> Path:
        self.settle()  # a person looks at the page at rest
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def close(self):
        self.context.close()


@pytest.fixture
def watched(chromium, public_server):
    page = Watched(chromium, public_server)
    yield page
    page.close()


@pytest.fixture
def phone(chromium, public_server):
    page = Watched(chromium, public_server, viewport=PHONE)
    yield page
    page.close()


__all__ = ["BROWSER_MARKS", "CHROMIUM", "ARGS", "requirements_missing", "serve", "PHONE", "DESKTOP", "ARTIFACTS",
           "Watched"]
