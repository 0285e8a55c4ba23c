"""OGC API items built afresh against tipg (and pygeoapi), interleaved: the
part of scripts/bench that issue 14's OGC targets are about, in a few minutes
instead of the whole run.

    .venv/bin/python scripts/bench_ogc.py --url postgresql+psycopg://fichekaart@127.0.0.1:55432/fichekaart_bench \
        [--repeats 3] [--seconds 5] [--workers 4] [--no-pygeoapi]

Targets (issue 14): /ogc items?limit=100 of one city built afresh >= 1.5x tipg
and >= 4x pygeoapi at 8 connections with p99 < 100 ms; a dense bbox
(limit=1000, every fiche of the densest city) built afresh >= 2x tipg. All in
CRS84 (tipg has no output CRS; ours answers CRS84 when no crs is asked).

Our server runs as deployed (deploy/gunicorn.conf.py: gthread workers, 4 threads) with
nothing kept (FICHEKAART_PAGE_CACHE_SECONDS=0): every answer is built from the
tables (the fiches' public records from fiche_records, which the write side
keeps: docs/architecture.md). tipg (.venv-tipg, uvicorn, the same number of workers) and pygeoapi
read views with the same rows. Every run of wrk is followed by the same run
against the others, round after round, so a noisy neighbour hits all alike.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_run  # noqa: E402
from bench_run import (  # noqa: E402
    AFRESH_APP_NAME,
    AS_DEPLOYED,
    CITY,
    DENSE_VIEW,
    PYGEOAPI_VIEW,
    RESULTS,
    TIPG_APP_NAME,
    CpuMeter,
    Server,
    afresh_env,
    densest_city,
    free_port,
    log,
    prepare_pygeoapi,
    tipg_server,
    wrk,
)

PYGEOAPI_APP_NAME = "bench-pygeoapi"


def measured(meter: CpuMeter, url: str, connections: int, seconds: int) -> dict:
    """wrk's figures, and the CPU the server's processes and its PostgreSQL
    backends spent per answer (bench_run.CpuMeter: robust to a noisy neighbour)."""
    meter.start()
    result = wrk(url, connections, seconds)
    app_s, db_s = meter.stop()
    n = max(1, result["requests"])
    result["server_cpu_ms"], result["database_cpu_ms"] = app_s / n * 1000, db_s / n * 1000
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--no-pygeoapi", action="store_true")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    bench_run.bench_data.build(args.url, 30_000)
    slug, box, n_dense = densest_city(args.url)
    bbox = ",".join(f"{v:.6f}" for v in box)
    servers: list[Server] = []
    workdir = Path(tempfile.mkdtemp(prefix="fichekaart-bench-ogc-"))
    try:
        pygeoapi_port = free_port()
        # also the view tipg reads; PGAPPNAME names pygeoapi's backends for the CPU meter (libpq)
        pygeoapi_env = {**prepare_pygeoapi(args.url, workdir, pygeoapi_port), "PGAPPNAME": PYGEOAPI_APP_NAME}
        ours = Server("app:create_app()", afresh_env(args.url), args.workers, "gunicorn-fichekaart-built",
                      options=AS_DEPLOYED)
        servers.append(ours)
        them = tipg_server(args.url, args.workers, workdir, extra_tables=(f"public.{DENSE_VIEW}",))
        servers.append(them)
        items = f"/collections/fiches-{CITY}/items?limit=100"
        dense = f"/collections/fiches-{slug}/items?limit=1000&bbox={bbox}"
        ours_meter, their_meter = CpuMeter(ours, args.url, AFRESH_APP_NAME), CpuMeter(them, args.url, TIPG_APP_NAME)
        meters = [ours_meter, their_meter, ours_meter, their_meter]
        targets = {
            "Fichekaart items?limit=100 (built afresh)": ours.base() + "/ogc" + items,
            "tipg items?limit=100": them.base() + f"/collections/public.{PYGEOAPI_VIEW}/items?limit=100",
            f"Fichekaart dense bbox {slug} limit=1000 (built afresh)": ours.base() + "/ogc" + dense,
            f"tipg dense bbox {slug} limit=1000": them.base() + f"/collections/public.{DENSE_VIEW}/items?limit=1000"
                                                              f"&bbox={bbox}",
        }
        if not args.no_pygeoapi:
            pyg = Server("pygeoapi.flask_app:APP", pygeoapi_env, args.workers, "gunicorn-pygeoapi-ogc", pygeoapi_port)
            servers.append(pyg)
            targets["pygeoapi items?limit=100"] = pyg.base() + items + "&f=json"
            meters.append(CpuMeter(pyg, args.url, PYGEOAPI_APP_NAME))
        ours.wait("/ogc")
        them.wait(f"/collections/public.{PYGEOAPI_VIEW}/items?limit=1")
        if not args.no_pygeoapi:
            pyg.wait(f"/collections/fiches-{CITY}/items?limit=1&f=json")
        for name, url in targets.items():
            with urllib.request.urlopen(url, timeout=60) as r:
                body = json.loads(r.read())
                log(f"{name}: {body.get('numberReturned', len(body.get('features', [])))} features")
        for url in targets.values():
            wrk(url, 8, 2)  # warm-up
        concurrency = (1, 8, 32)
        raw: dict = {name: {c: [] for c in concurrency} for name in targets}
        for r in range(args.repeats):
            for c in concurrency:
                for (name, url), meter in zip(targets.items(), meters):
                    log(f"round {r + 1}/{args.repeats} c={c} {name}")
                    raw[name][c].append(measured(meter, url, c, args.seconds))
    finally:
        for server in servers:
            server.stop()
    med = {name: {c: {"rps": statistics.median(x["rps"] for x in runs),
                      "p99_ms": statistics.median(x["p99_ms"] for x in runs),
                      "errors": sum(sum(x["errors"].values()) + x["non_2xx_3xx"] for x in runs),
                      "error_kinds": {k: sum(x["errors"][k] for x in runs) for k in runs[0]["errors"]}
                      | {"non_2xx_3xx": sum(x["non_2xx_3xx"] for x in runs)},
                      "server_cpu_ms": statistics.median(x["server_cpu_ms"] for x in runs),
                      "database_cpu_ms": statistics.median(x["database_cpu_ms"] for x in runs),
                      "bytes": statistics.median(x["bytes"] / max(1, x["requests"]) for x in runs)}
                  for c, runs in by_c.items()} for name, by_c in raw.items()}
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}; {args.workers} workers each; "
          f"{args.repeats} rounds of {args.seconds} s; dense city {slug} ({n_dense} fiches)")
    print("| target | 1 conn req/s | 8 conn req/s | 32 conn req/s | p99 at 8 (ms) | CPU per answer at 8: server + "
          "database (ms) | bytes/answer | errors |")
    print("|---|---|---|---|---|---|---|---|")
    for name, by_c in med.items():
        errors = {k: sum(v["error_kinds"][k] for v in by_c.values()) for k in by_c[8]["error_kinds"]}
        print(f"| {name} | " + " | ".join(f"{by_c[c]['rps']:.1f}" for c in concurrency)
              + f" | {by_c[8]['p99_ms']:.0f} | {by_c[8]['server_cpu_ms']:.1f} + {by_c[8]['database_cpu_ms']:.1f} "
              f"| {by_c[8]['bytes']:.0f} | {sum(errors.values())} {({k: v for k, v in errors.items() if v})} |")
    names = list(med)
    ratios = [("items built afresh / tipg", names[0], names[1], ">= 1.5x at 8"),
              ("dense bbox built afresh / tipg", names[2], names[3], ">= 2x")]
    if not args.no_pygeoapi:
        ratios.append(("items built afresh / pygeoapi", names[0], names[4], ">= 4x at 8"))
    print("\n| ratio | 1 conn | 8 conn | 32 conn | target |")
    print("|---|---|---|---|---|")
    for label, a, b, target in ratios:
        print(f"| {label} | " + " | ".join(f"{med[a][c]['rps'] / med[b][c]['rps']:.2f}x" for c in concurrency)
              + f" | {target} |")
    (RESULTS / "bench_ogc.json").write_text(json.dumps(med, indent=2))


if __name__ == "__main__":
    main()
