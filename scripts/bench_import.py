"""Measure one bulk import job as the worker runs it: a GENERATED CSV of N
fiches for Herentals (titles say "gegenereerd (benchmark)", never published)
through the check job (read, check every row, preview in a rolled-back
transaction) and, when it passes, the write job (one transaction). Prints
the time of each job and the peak RSS of this process (the worker's).

    DATABASE_URL=sqlite:////tmp/fk-bench/fk.sqlite python scripts/bench_import.py --rows 20000 [--max-rows N]

The database must be migrated and seeded (`fichekaart db upgrade && fichekaart seed`);
it is written to (the fiches of a passing file stay). docs/bench.md has the figures.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def generated_csv(rows: int, prefix: str) -> bytes:
    lines = ["ref;titel;samenvatting;status;sdgs;gepubliceerd;ligging;geometrie_wkt"]
    for i in range(rows):
        x, y = 180000 + (i % 400) * 10, 205000 + (i // 400) * 10
        lines.append(f"{prefix}-{i:06d};Fiche {i} gegenereerd (benchmark);Gegenereerd voor de meting, geen echte fiche."
                     f";voorstel;3 11;nee;indicatief;POINT ({x} {y})")
    return ("\n".join(lines) + "\n").encode()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--max-rows", type=int, default=None, help="FICHEKAART_IMPORT_MAX_ROWS for this run")
    args = parser.parse_args()

    from app import create_app
    from app.auth import create_user, find_user, parse_role
    from app.db import get_session
    from app.jobs import imports as jobs
    from app.models import ImportJob, Municipality
    from app.write.editing import bulk
    from sqlalchemy import select

    config = {"QUEUE_URL": "immediate", "DB_STATEMENT_TIMEOUT_MS": 0}
    if args.max_rows:
        config["IMPORT_MAX_ROWS"] = args.max_rows
    app = create_app(config)
    data = generated_csv(args.rows, f"BENCH{os.getpid()}")
    print(f"file: {args.rows} rows, {len(data) / 1e6:.1f} MB; limit {jobs.max_rows(app)} rows; "
          f"rss at start {peak_rss_mb():.0f} MB", flush=True)
    with app.app_context():
        session = get_session()
        user = find_user(session, "bench-import@fichekaart.test") or create_user(
            session, "bench-import@fichekaart.test", os.urandom(16).hex(), roles=[parse_role("beheerder", session)])
        session.commit()
        city = session.scalar(select(Municipality).where(Municipality.slug == "herentals"))
        started = time.monotonic()
        job = jobs.start(session, user, city, bulk.IMPORT_KINDS["fiches"], data, "bench.csv", {})  # runs the check
        session.expire_all()
        job = session.get(ImportJob, job.id)
        result = jobs.result_of(job)
        print(f"check job: {time.monotonic() - started:.1f} s -> {job.state}; "
              f"{result.get('created', 0)} new; errors: {[e['message'] for e in result.get('errors', [])][:1]}; "
              f"peak rss {peak_rss_mb():.0f} MB", flush=True)
        if job.state != "voorvertoning":
            return
        started = time.monotonic()
        jobs.confirm(session, job)  # runs the write
        session.expire_all()
        job = session.get(ImportJob, job.id)
        print(f"write job: {time.monotonic() - started:.1f} s -> {job.state}; {jobs.result_of(job)}; "
              f"peak rss {peak_rss_mb():.0f} MB", flush=True)


if __name__ == "__main__":
    main()
