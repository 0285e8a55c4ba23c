"""In-process timings of answers built afresh (no kept pages), for before/after
comparisons of one change: a small complement to scripts/bench (which runs
servers under load and takes ten minutes).

    .venv/bin/python scripts/time_pages.py [--repeats 25] [--database-url URL] [PATH ...]

Default paths: the city page /herentals and one page of 100 OGC API items.
--bare: each request of a city page /<slug> is followed by a build of the bare
folium map of the same fiches and wijken (scripts/bench_run.bare_folium_city,
the yardstick of issue 14), so load on the machine hits both alike; prints
the bare map's figures and the ratio.
Per path: minimum, median and 90th percentile in ms over the repeats (after two warm-up
requests), the SQL statements per request, the answer's size (kB, and gzipped at level 6),
and the data-version check alone.
The database is DATABASE_URL or the app's default (instance/fichekaart.sqlite,
made by scripts/run: migrations and the demo content).
"""
from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

DEFAULT_PATHS = ("/herentals", "/ogc/collections/fiches-herentals/items?limit=100")


def row(label: str, times: list[float], count: int | None, body: bytes) -> None:
    times = sorted(times)
    size, zipped = len(body) / 1000, len(gzip.compress(body, 6)) / 1000
    print(f"{label:<55} {times[0]:>7.1f} {statistics.median(times):>10.1f} {times[int(0.9 * (len(times) - 1))]:>8.1f} "
          f"{'' if count is None else count:>11} {size:>7.1f} {zipped:>8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=list(DEFAULT_PATHS))
    parser.add_argument("--repeats", type=int, default=25)
    parser.add_argument("--database-url")
    parser.add_argument("--bare", action="store_true", help="interleave the bare folium map of each city page")
    args = parser.parse_args()

    from bench_run import bare_folium_city
    from sqlalchemy import event

    from app import create_app

    config = {"PAGE_CACHE_SECONDS": 0, "DATA_VERSION_TTL": 1.0}
    if args.database_url:
        config["DATABASE_URL"] = args.database_url
    app = create_app(config)
    engine = app.extensions["fichekaart.engine"]
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    client = app.test_client()
    print(f"{'path':<55} {'min ms':>7} {'median ms':>10} {'p90 ms':>8} {'statements':>11} {'kB':>7} {'gzip kB':>8}")
    for path in args.paths:
        slug = path.strip("/").split("?")[0]
        bare = args.bare and "/" not in slug
        times, bare_times = [], []
        for i in range(args.repeats + 2):
            statements.clear()
            start = time.perf_counter()
            response = client.get(path)
            elapsed = (time.perf_counter() - start) * 1000
            assert response.status_code == 200, (path, response.status_code)
            count = len(statements)
            if bare:
                start = time.perf_counter()
                body = bare_folium_city(app, slug)
                if i >= 2:
                    bare_times.append((time.perf_counter() - start) * 1000)
            if i >= 2:
                times.append(elapsed)
        row(path, times, count, response.data)
        if bare:
            row(f"  bare folium map of /{slug}", bare_times, None, body)
            ratios = sorted(t / b for t, b in zip(times, bare_times))
            print(f"{'  ratio page / bare map (median of the pairs)':<55} {statistics.median(ratios):>18.2f} "
                  f"(ratio of the medians {statistics.median(times) / statistics.median(bare_times):.2f})")
    with app.app_context():
        from app.db import get_session
        from app.http import caching

        app.config["DATA_VERSION_TTL"] = 0
        session = get_session()
        times = []
        for _ in range(args.repeats):
            caching._REMEMBERED.clear()  # the check itself, not its 1 s memo
            start = time.perf_counter()
            caching.data_version(session)
            times.append((time.perf_counter() - start) * 1000)
        print(f"{'data version check (not remembered)':<55} {min(times):>7.2f} {statistics.median(times):>10.2f}")


if __name__ == "__main__":
    main()
