"""When does a visitor see the first project on the map? Headless Chromium
(Debian's, through Playwright), a cold browser cache, the CPU slowed down 4x
(DevTools' Emulation.setCPUThrottlingRate, as issue 14 asks), against the
app served on loopback: the time from navigation start to the first
project shape (`path.fk-project`) in the map, plus the requests and bytes
the page needed until then. A benchmark (it prints figures), not a test.

    .venv/bin/python scripts/time_first_shape.py [--repeats 7] [--throttle 4] [--database-url URL] [PATH ...]

Default path: /herentals. The database is DATABASE_URL or the app's default
(instance/fichekaart.sqlite, made by scripts/run). Each repeat opens a new
browser context, so nothing is cached between repeats; the app's own kept
pages stay on (as in production).
"""
from __future__ import annotations

import argparse
import logging
import statistics
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

# Records when the first project shape is added to the document.
FIRST_SHAPE_PROBE = """
(() => {
  const seen = () => document.querySelector('path.fk-project');
  const note = () => { if (window.__firstShapeMs === undefined && seen()) window.__firstShapeMs = performance.now(); };
  new MutationObserver(note).observe(document, {childList: true, subtree: true});
})();
"""


def measure(browser, base: str, path: str, throttle: float) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
    requests: list[tuple[float, int]] = []  # (finished at, encoded bytes)
    cdp.on("Network.loadingFinished", lambda e: requests.append((e["timestamp"], int(e["encodedDataLength"]))))
    starts: list[float] = []
    cdp.on("Network.requestWillBeSent", lambda e: starts.append(e["timestamp"]))
    page.add_init_script(FIRST_SHAPE_PROBE)
    page.goto(base + path, wait_until="load")
    page.wait_for_function("() => window.__firstShapeMs !== undefined", timeout=60000)
    first_shape_ms = page.evaluate("() => window.__firstShapeMs")
    load_ms = page.evaluate("() => performance.getEntriesByType('navigation')[0].loadEventEnd")
    origin = min(starts)
    # Requests finished before the first shape (CDP timestamps are seconds since an arbitrary origin).
    before = [size for finished, size in requests if (finished - origin) * 1000 <= first_shape_ms]
    context.close()
    return {"first_shape_ms": first_shape_ms, "load_ms": load_ms, "requests": len(before),
            "kb": sum(before) / 1024}


def first_shape(base: str, path: str, repeats: int = 7, throttle: float = 4) -> dict:
    """measure() `repeats` times after a warm-up: {"first_shape_ms": median,
    "min_ms", "max_ms", "load_ms", "requests", "kb"}. scripts/bench uses this."""
    from browser_fixtures import ARGS, CHROMIUM
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            measure(browser, base, path, throttle)  # warm the server (kept page, imports)
            runs = [measure(browser, base, path, throttle) for _ in range(repeats)]
        finally:
            browser.close()
    shapes = [r["first_shape_ms"] for r in runs]
    return {"first_shape_ms": statistics.median(shapes), "min_ms": min(shapes), "max_ms": max(shapes),
            "load_ms": statistics.median(r["load_ms"] for r in runs),
            "requests": statistics.median(r["requests"] for r in runs),
            "kb": statistics.median(r["kb"] for r in runs), "repeats": repeats, "throttle": throttle,
            "chromium": CHROMIUM}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=["/herentals"])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--throttle", type=float, default=4)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    from browser_fixtures import CHROMIUM, serve

    from app import create_app, migrate

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request would bury the table
    config = {"BASEMAP": "none"}  # no tile requests leave the machine; the shapes are what is timed
    if args.database_url:
        config["DATABASE_URL"] = args.database_url
    app = create_app(config)
    # a database made by an older checkout answers 500 and no shape ever comes
    migrate.upgrade(app.extensions["fichekaart.engine"])
    server, _thread = serve(app)
    base = f"http://127.0.0.1:{server.server_port}"
    print(f"Chromium {CHROMIUM}, CPU throttled {args.throttle:g}x, cold cache, {args.repeats} repeats "
          "(median; min-max)")
    print("| path | first project shape | load event | requests before it | KB before it |")
    print("|---|---|---|---|---|")
    for path in args.paths:
        f = first_shape(base, path, args.repeats, args.throttle)
        print(f"| {path} | {f['first_shape_ms']:.0f} ms ({f['min_ms']:.0f}-{f['max_ms']:.0f}) | "
              f"{f['load_ms']:.0f} ms | {f['requests']:.0f} | {f['kb']:.0f} |")
    server.shutdown()
    threading.Event().wait(0.1)


if __name__ == "__main__":
    main()
