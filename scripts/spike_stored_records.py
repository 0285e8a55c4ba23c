"""A measurement for a design that is NOT in the app: what would an OGC page
of 100 fiches cost if the write side stored each fiche's public record as
JSON text (docs/bench.md, "Not met: the OGC API built afresh against tipg")?

    .venv/bin/python scripts/spike_stored_records.py [--url URL] [--rounds 4] [--requests 300]

It makes a scratch table `spike_records` in the bench database with the
records of Herentals' published project fiches (app.read.records, as /ogc
builds them), adds a route to an app instance (not to the product) that
answers a page of 100 with ONE select of ready records plus the geometries,
transformed and written as the real path does (app.read.features.geojson_texts),
and times it in-process against /ogc/collections/fiches-herentals/items?limit=100
built afresh, interleaved, both through Flask with the app's hooks and gzip.
The spike's document is leaner (no links, no timestamps), so it is a lower
bound. The table is dropped at the end.
"""
from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgresql+psycopg://fichekaart@127.0.0.1:55432/fichekaart_bench"
REAL = "/ogc/collections/fiches-herentals/items?limit=100"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    os.environ.update({"DATABASE_URL": args.url, "FICHEKAART_BASEMAP": "none", "FICHEKAART_SECRET_KEY": "bench",
                       "FICHEKAART_PAGE_CACHE_SECONDS": "0"})

    import logging

    import orjson
    from flask import Response
    from sqlalchemy import text

    from app import create_app
    from app.db import get_session
    from app.read.features import geojson_texts
    from app.read.queries import FicheFilters, find_municipality
    from app.read.records import fiche_records
    from app.read.rows import load_fiche_rows
    from app.read.wijk_budgets import city_wijk_index
    from app.spatial import geometries_from_wkb

    app = create_app()
    logging.getLogger("app").setLevel(logging.WARNING)  # a log line per request would bury the figures
    with app.app_context():
        session = get_session()
        city = find_municipality(session, "herentals")
        rows = load_fiche_rows(session, FicheFilters(municipality=city.nis_code))
        records = fiche_records(rows, "", city_wijk_index(session, city))
        session.execute(text("DROP TABLE IF EXISTS spike_records"))
        session.execute(text("CREATE TABLE spike_records (id int PRIMARY KEY, municipality_id int, "
                             "no_place boolean, record text)"))
        session.execute(text("INSERT INTO spike_records VALUES (:id, :m, :no_place, :record)"),
                        [{"id": f.id, "m": city.id, "no_place": f.geom is None, "record": orjson.dumps(r).decode()}
                         for r, f in zip(records, rows)])
        session.commit()
        city_id = city.id
    page = text("SELECT r.record, ST_AsBinary(f.geom), count(*) OVER () FROM spike_records r "
                "JOIN fiches f ON f.id = r.id WHERE r.municipality_id = :m "
                "ORDER BY r.no_place, r.id LIMIT 100")

    @app.get("/spike/<int:municipality_id>")
    def spike(municipality_id: int):
        got = get_session().execute(page, {"m": municipality_id}).all()
        texts = geojson_texts(geometries_from_wkb([g[1] for g in got]), 4326, 7)
        features = b",".join(b'{"type":"Feature","geometry":' + (t.encode() if t else b"null")
                             + b',"properties":' + record.encode() + b"}" for (record, _, _), t in zip(got, texts))
        return Response(b'{"type":"FeatureCollection","features":[' + features + b'],"numberMatched":'
                        + str(got[0][2] if got else 0).encode() + b"}", mimetype="application/geo+json")

    client = app.test_client()
    gzip = {"Accept-Encoding": "gzip"}
    urls = {"/ogc items?limit=100, built afresh": REAL, "stored records (spike)": f"/spike/{city_id}"}
    try:
        for url in urls.values():
            for _ in range(30):
                assert client.get(url, headers=gzip).status_code == 200
        gc.collect()
        gc.freeze()  # as the deployed workers (deploy/gunicorn.conf.py)
        figures: dict = {name: {"cpu": [], "wall": []} for name in urls}
        for _ in range(args.rounds):
            for name, url in urls.items():
                cpu, wall = time.process_time(), time.perf_counter()
                for _ in range(args.requests):
                    client.get(url, headers=gzip)
                figures[name]["cpu"].append((time.process_time() - cpu) / args.requests * 1000)
                figures[name]["wall"].append((time.perf_counter() - wall) / args.requests * 1000)
    finally:
        with app.app_context():
            session = get_session()
            session.execute(text("DROP TABLE IF EXISTS spike_records"))
            session.commit()
    print(f"in-process, median of {args.rounds} interleaved rounds of {args.requests} requests; "
          f"load average {os.getloadavg()[0]:.1f}")
    print("| answer | app CPU per answer | wall per answer (the database's time included) |")
    print("|---|---|---|")
    for name, f in figures.items():
        print(f"| {name} | {statistics.median(f['cpu']):.2f} ms | {statistics.median(f['wall']):.2f} ms |")


if __name__ == "__main__":
    main()
