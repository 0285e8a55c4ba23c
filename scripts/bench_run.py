"""The measurements of scripts/bench (see docs/bench.md): prints a table and
writes bench-results/bench.json.

    python scripts/bench_run.py --url postgresql+psycopg://fichekaart@127.0.0.1:55432/fichekaart_bench [--quick]

Server times of pages and viewports are measured in-process (Flask test
client: the app's own work, no network); latency and throughput with wrk
against gunicorn, for the app and for pygeoapi on the same PostGIS table, and
against tipg (uvicorn, its own venv .venv-tipg) on the same rows.
Every figure is the median of the repeats.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gzip
import http.client
import json
import math
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import geopandas  # noqa: E402,F401  (import order: app/db.py)
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

import bench_data  # noqa: E402
import bench_export  # noqa: E402
import time_first_shape  # noqa: E402

RESULTS = ROOT / "bench-results"
WRK_SCRIPT = ROOT / "scripts" / "bench_wrk.lua"
WRK_PATHS_SCRIPT = ROOT / "scripts" / "bench_wrk_paths.lua"  # round and round a list of paths
VIEW_W, VIEW_H = 1280, 800  # the viewport the map data is measured for (pixels)
CITY = "herentals"
# name, zoom, centre (lon, lat)
VIEWPORTS = (
    ("Vlaanderen", 8, (4.45, 51.04)),
    ("Antwerpen", 12, (4.41, 51.215)),
    ("Herentals", 12, (4.83, 51.18)),
    ("Antwerpen centrum", 15, (4.402, 51.219)),
    ("Herentals centrum", 15, (4.833, 51.177)),
)
PYGEOAPI_VIEW = f"bench_pygeoapi_fiches_{CITY}"


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def timed(fn, repeats: int, warmup: int = 1):
    """(median seconds, last result) of fn() over `repeats` runs after `warmup` runs."""
    result = None
    for _ in range(warmup):
        result = fn()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def gz_size(body: bytes) -> int:
    return len(gzip.compress(body, 6))


# --- Web Mercator helpers ------------------------------------------------------
def lonlat_to_pixel(lon: float, lat: float, zoom: int) -> tuple[float, float]:
    scale = 256 * 2 ** zoom
    x = (lon + 180) / 360 * scale
    y = (1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) / 2 * scale
    return x, y


def pixel_to_lonlat(x: float, y: float, zoom: int) -> tuple[float, float]:
    scale = 256 * 2 ** zoom
    lon = x / scale * 360 - 180
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / scale))))
    return lon, lat


def viewport_bbox(zoom: int, centre) -> tuple[float, float, float, float]:
    cx, cy = lonlat_to_pixel(*centre, zoom)
    west, north = pixel_to_lonlat(cx - VIEW_W / 2, cy - VIEW_H / 2, zoom)
    east, south = pixel_to_lonlat(cx + VIEW_W / 2, cy + VIEW_H / 2, zoom)
    return round(west, 5), round(south, 5), round(east, 5), round(north, 5)


def viewport_tiles(zoom: int, centre) -> list[tuple[int, int]]:
    cx, cy = lonlat_to_pixel(*centre, zoom)
    x0, x1 = int((cx - VIEW_W / 2) // 256), int((cx + VIEW_W / 2) // 256)
    y0, y1 = int((cy - VIEW_H / 2) // 256), int((cy + VIEW_H / 2) // 256)
    return [(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]


# --- (1) city page and (2) region page, in-process ------------------------------
def bare_folium_city(app, slug: str) -> bytes:
    """What the city page is compared with: the same published fiches and
    wijken from the database on a plain folium map, rendered to HTML."""
    import folium

    from app.db import get_session
    from app.read.features import area_features, fiche_features
    from app.models import Area
    from app.read.queries import FicheFilters, find_municipality
    from app.read.rows import load_area_rows, load_fiche_rows

    with app.app_context():
        session = get_session()
        city = find_municipality(session, slug)
        fiches = fiche_features(load_fiche_rows(session, FicheFilters(municipality=city.nis_code)))
        wijken = area_features(load_area_rows(session, Area.municipality_id == city.id, Area.level == "wijk"))
        m = folium.Map(location=(51.18, 4.83), zoom_start=13)
        folium.GeoJson(wijken, name="Wijken").add_to(m)
        folium.GeoJson(fiches, name="Fiches",
                       popup=folium.GeoJsonPopup(fields=["title", "status"])).add_to(m)
        folium.LayerControl().add_to(m)
        return m.get_root().render().encode("utf-8")


def page_figures(client, path: str, repeats: int) -> dict:
    seconds, response = timed(lambda: client.get(path), repeats)
    gz = client.get(path, headers={"Accept-Encoding": "gzip"})
    body = response.get_data()
    return {"status": response.status_code, "server_ms": seconds * 1000, "bytes": len(body),
            "bytes_gzip": len(gz.get_data()) if gz.headers.get("Content-Encoding") == "gzip" else gz_size(body)}


def stock_branca_render(fn):
    """fn() with branca's and folium's own render methods, which compile every
    rendered element as a template (layers/rendered.py replaces them)."""
    from layers.rendered import stock_rendering

    with stock_rendering():
        return fn()


def measure_pages(app, repeats: int) -> dict:
    from app.http.page_cache import page_cache

    client = app.test_client()
    city = page_figures(client, f"/{CITY}", repeats)  # repeated views: the kept page (app/http/page_cache.py)
    html = client.get(f"/{CITY}").get_data(as_text=True)
    city["placeholder"] = "leaflet" not in html.lower()

    def built_afresh():
        with app.app_context():
            page_cache().clear()
        return client.get(f"/{CITY}")

    # Interleaved: each page built afresh is followed by the bare map, so load on the machine hits both alike.
    built_afresh(), bare_folium_city(app, CITY)  # warm-up
    built_times, bare_times = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        built_afresh()
        built_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        body = bare_folium_city(app, CITY)
        bare_times.append(time.perf_counter() - started)
    city["server_ms_built"] = statistics.median(built_times) * 1000
    city["built_vs_bare_pairs"] = statistics.median(b / a for b, a in zip(built_times, bare_times))
    seconds = statistics.median(bare_times)
    bare = {"server_ms": seconds * 1000, "bytes": len(body), "bytes_gzip": gz_size(body),
            "server_ms_stock_branca": timed(lambda: stock_branca_render(lambda: bare_folium_city(app, CITY)),
                                            repeats)[0] * 1000}
    region = page_figures(client, "/regio", repeats)
    return {"city_page": city, "bare_folium": bare,
            "city_vs_bare": city["server_ms"] / bare["server_ms"] if bare["server_ms"] else None,
            "city_built_vs_bare": city["server_ms_built"] / bare["server_ms"] if bare["server_ms"] else None,
            "region_shell": region}


def measure_viewports(app, repeats: int, mvt: bool) -> list[dict]:
    from app.http.kept_tiles import kept_tiles
    from app.views.region import GEOJSON_FICHES_MIN_ZOOM

    client = app.test_client()
    gzip_header = {"Accept-Encoding": "gzip"}
    rows = []
    for name, zoom, centre in VIEWPORTS:
        bbox = ",".join(map(str, viewport_bbox(zoom, centre)))
        urls = [f"/api/regio/{layer}.geojson?bbox={bbox}&zoom={zoom}" for layer in ("wijken", "fiches")]

        layers = {}
        for layer, url in zip(("wijken", "fiches"), urls):
            seconds, answer = timed(lambda url=url: client.get(url, headers=gzip_header), repeats)
            layers[layer] = {"server_ms": seconds * 1000, "bytes_gzip": len(answer.get_data()),
                             "status": answer.status_code}
        # What the SpatiaLite region page asks: the fiches only from GEOJSON_FICHES_MIN_ZOOM on.
        asked = [k for k in layers if k == "wijken" or zoom >= GEOJSON_FICHES_MIN_ZOOM]
        row = {"viewport": name, "zoom": zoom, "bbox": bbox, "geojson": {
            "server_ms": sum(v["server_ms"] for v in layers.values()),
            "bytes_gzip": sum(v["bytes_gzip"] for v in layers.values()), "layers": layers,
            "page_server_ms": sum(layers[k]["server_ms"] for k in asked),
            "page_bytes_gzip": sum(layers[k]["bytes_gzip"] for k in asked)}}
        if mvt:
            tile_urls = [f"/api/tiles/{layer}/{zoom}/{x}/{y}.mvt" for layer in ("wijken", "fiches")
                         for x, y in viewport_tiles(zoom, centre)]

            slowest: list[float] = []

            def fetch_tiles(cold: bool, urls=tile_urls, slowest=slowest):
                if cold:
                    with app.app_context():
                        kept_tiles().clear()
                answers, worst = [], 0.0
                for u in urls:
                    started = time.perf_counter()
                    answers.append(client.get(u, headers=gzip_header))
                    worst = max(worst, time.perf_counter() - started)
                if cold:
                    slowest.append(worst)
                return answers

            cold_s, answers = timed(lambda: fetch_tiles(True), repeats)
            warm_s, _ = timed(lambda: fetch_tiles(False), repeats, warmup=0)
            row["mvt"] = {"tiles": len(tile_urls), "server_ms": cold_s * 1000, "server_ms_cached": warm_s * 1000,
                          "slowest_tile_ms": median(slowest) * 1000,
                          "bytes_gzip": sum(len(a.get_data()) for a in answers),
                          "status": sorted({a.status_code for a in answers})}
        rows.append(row)
    return rows


# --- (5) exports, in-process ----------------------------------------------------
def measure_exports(app, repeats: int) -> dict:
    from app.exports import get_exporter
    from app.read.queries import FicheFilters, find_municipality
    from app.exports.assemble import build_export_data

    out = {}
    with app.app_context():
        from app.db import get_session

        session = get_session()
        city = find_municipality(session, CITY)  # metadata and wijken; the fiches: the whole region

        def build():
            session.expunge_all()
            return build_export_data(session, city, FicheFilters())

        build_s, data = timed(build, repeats, warmup=0)
        out["fiches"] = len(data.fiches)
        out["build_s"] = build_s
        for key in ("gpkg", "geojson"):
            exporter = get_exporter(key)
            write_s, body = timed(lambda exporter=exporter: exporter.write(data, "EPSG:31370"), repeats, warmup=0)
            out[key] = {"write_s": write_s, "total_s": build_s + write_s, "bytes": len(body)}
    return out


def measure_data_version(app, repeats: int) -> dict:
    """The data-version check as a request makes it when its one-second memo
    ran out (app.read.version): one primary-key lookup, whatever the number of fiches."""
    from app.db import get_session
    from app.read.version import read_data_version

    with app.app_context():
        session = get_session()
        seconds, _ = timed(lambda: read_data_version(session), repeats, warmup=10)
        fiches = session.execute(text("SELECT count(*) FROM fiches")).scalar()
    return {"ms": seconds * 1000, "fiches": fiches}


# --- servers and wrk --------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A gunicorn process group we started (and stop, by its own pid)."""

    def __init__(self, app_spec: str, env: dict, workers: int, name: str, port: int | None = None,
                 options: tuple[str, ...] = (), command: list[str] | None = None, cwd: Path = ROOT):
        """gunicorn serving `app_spec`, or `command` (another server, e.g. uvicorn) as given."""
        self.port = port or free_port()
        self.name = name
        self.log = open(RESULTS / f"{name}.log", "w")
        self.proc = subprocess.Popen(
            command or [sys.executable, "-m", "gunicorn", *options, "--workers", str(workers), "--bind",
                        f"127.0.0.1:{self.port}", "--timeout", "120", "--log-level", "warning", app_spec],
            env={**os.environ, **env}, stdout=self.log, stderr=subprocess.STDOUT, cwd=cwd, start_new_session=True,
        )

    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait(self, path: str, timeout: float = 90) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} stopped; see {self.log.name}")
            try:
                with urllib.request.urlopen(self.base() + path, timeout=30) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"{self.name} did not answer {path} within {timeout} s")

    def pids(self) -> list[int]:
        """The server's processes: every process of its process group (started in a session of its own)."""
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == self.proc.pid:  # the process group id
                found.append(int(stat.parent.name))
        return found

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(p) for p in children.read_text().split()] if children.exists() else []

    def peak_rss_mb(self) -> dict:
        peaks = []
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        # PSS counts a page shared by n processes as 1/n in each: what a worker
        # really costs when the master preloads the app (VmHWM counts it whole).
        pss = {pid: proportional_set_size_mb(pid) for pid in [self.proc.pid, *self.worker_pids()]}
        workers_pss = [v for pid, v in pss.items() if pid != self.proc.pid and v is not None]
        return {"workers": len(peaks), "max_worker_mb": max(peaks, default=None), "sum_workers_mb": sum(peaks),
                "max_worker_pss_mb": max(workers_pss, default=None),
                "total_pss_mb": sum(v for v in pss.values() if v is not None)}

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


def proportional_set_size_mb(pid: int) -> float | None:
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return None
    return next((int(line.split()[1]) / 1024 for line in rollup.splitlines() if line.startswith("Pss:")), None)


def cpu_seconds(pids) -> float:
    """User + system CPU time used so far by these processes (those still running)."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def backend_pids(url: str, application_name: str) -> list[int]:
    """The PostgreSQL backends serving a server of the bench (by the application_name it connects with)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        pids = conn.execute(text("SELECT pid FROM pg_stat_activity WHERE application_name = :n"),
                            {"n": application_name}).scalars().all()
    engine.dispose()
    return list(pids)


class CpuMeter:
    """CPU time of a server's processes and of its PostgreSQL backends: what
    one request costs the machine, whatever else runs on it (a noisy
    neighbour slows both servers but does not add to their CPU time)."""

    def __init__(self, server: Server, url: str, application_name: str):
        self.server, self.url, self.application_name = server, url, application_name

    def start(self) -> None:
        self.app_pids, self.db_pids = self.server.pids(), backend_pids(self.url, self.application_name)
        self.app0, self.db0 = cpu_seconds(self.app_pids), cpu_seconds(self.db_pids)
        self.each0 = {pid: cpu_seconds([pid]) for pid in self.app_pids}

    def busy_processes(self) -> int:
        """How many of the server's processes did a quarter or more of the
        busiest one's work since start(): wrk's few connections are kept
        alive, and where they land (which worker accepted them) decides how
        many workers serve them."""
        used = [cpu_seconds([pid]) - before for pid, before in self.each0.items()]
        return sum(1 for u in used if u >= 0.25 * max(used, default=0) > 0)

    def stop(self) -> tuple[float, float]:
        """(app seconds, database seconds) since start(); a backend that connected
        in the meantime (a pool growing) counts whole."""
        born = set(backend_pids(self.url, self.application_name)) - set(self.db_pids)
        return (cpu_seconds(self.app_pids) - self.app0,
                cpu_seconds(self.db_pids) - self.db0 + cpu_seconds(born))


def wrk(url: str, connections: int, seconds: int, script: Path = WRK_SCRIPT, *script_args: str) -> dict:
    threads = min(connections, 2)
    out = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s",
         "-H", "Accept-Encoding: gzip", "-s", str(script), url, *(["--", *script_args] if script_args else [])],
        capture_output=True, text=True, check=True,
    ).stdout
    line = [x for x in out.splitlines() if x.startswith("{")][-1]
    result = json.loads(line)
    result["non_2xx_3xx"] = int(next((x.split(":")[1] for x in out.splitlines() if "Non-2xx" in x), "0").strip() or 0)
    return result


def load_test(targets: dict[str, str], concurrency, seconds: int, repeats: int) -> dict:
    """{target: {connections: median figures}}: repeats interleaved, so a noisy
    minute hits every target alike."""
    raw: dict = {name: {c: [] for c in concurrency} for name in targets}
    for name, url in targets.items():  # every worker has imported, connected and warmed its caches
        log(f"wrk warm-up {name}")
        wrk(url, 8, 2)
    for r in range(repeats):
        for name, url in targets.items():
            for c in concurrency:
                log(f"wrk {name} c={c} run {r + 1}/{repeats}")
                raw[name][c].append(wrk(url, c, seconds))
    out = {}
    for name, by_c in raw.items():
        out[name] = {}
        for c, runs in by_c.items():
            out[name][c] = {
                "rps": median([x["rps"] for x in runs]),
                "p50_ms": median([x["p50_ms"] for x in runs]),
                "p95_ms": median([x["p95_ms"] for x in runs]),
                "p99_ms": median([x["p99_ms"] for x in runs]),
                "errors": sum(sum(x["errors"].values()) + x["non_2xx_3xx"] for x in runs),
                "requests": sum(x["requests"] for x in runs),
                "bytes_per_request": median([x["bytes"] / max(1, x["requests"]) for x in runs]),
            }
    return out


# --- pygeoapi -------------------------------------------------------------------
def prepare_pygeoapi(url: str, workdir: Path, port: int) -> dict:
    """A view on the fiches table with the rows of our collection fiches-<city>
    (published project fiches of the city), a pygeoapi config and OpenAPI."""
    from app.read.queries import PROJECT_KINDS

    engine = create_engine(url)
    kinds = ", ".join(f"'{k}'" for k in PROJECT_KINDS)
    with engine.begin() as conn:
        conn.execute(text(f"DROP VIEW IF EXISTS {PYGEOAPI_VIEW}"))
        conn.execute(text(
            f"CREATE VIEW {PYGEOAPI_VIEW} AS SELECT f.id, f.ref, f.kind, f.number, f.code, f.title, f.summary, "
            "f.sector, f.responsible_service, f.goal_why, f.goal_what, f.goal_gain, f.sdgs_illustrative, "
            "f.obligation, f.priority, f.status, f.progress_pct, f.state_of_play, f.dependencies_text, f.risks, "
            "f.location_description, f.geometry_precision, f.published, f.source, f.geom "
            "FROM fiches f JOIN municipalities m ON m.id = f.municipality_id "
            f"WHERE m.slug = '{CITY}' AND f.published AND f.kind IN ({kinds})"))
    engine.dispose()
    u = make_url(url)
    config = {
        "server": {"bind": {"host": "127.0.0.1", "port": port}, "url": f"http://127.0.0.1:{port}",
                   "mimetype": "application/json; charset=UTF-8", "encoding": "utf-8", "gzip": True,
                   "languages": ["en-US"], "cors": False, "pretty_print": False,
                   "limits": {"default_items": 10, "max_items": 1000},
                   "map": {"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "attribution": "OSM"}},
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {"title": "Fichekaart benchmark", "description": "pygeoapi on the same table",
                               "keywords": ["benchmark"], "keywords_type": "theme",
                               "terms_of_service": "https://example.org", "url": "https://example.org"},
            "license": {"name": "CC-BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
            "provider": {"name": "Fichekaart", "url": "https://example.org"},
            "contact": {"name": "Fichekaart", "email": "bench@example.org", "role": "pointOfContact"},
        },
        "resources": {f"fiches-{CITY}": {
            "type": "collection", "title": f"Fiches {CITY}", "description": "Benchmark: same rows as /ogc",
            "keywords": ["fiches"], "links": [],
            "extents": {"spatial": {"bbox": [2.5, 50.6, 6.0, 51.6],
                                    "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}},
            "providers": [{
                "type": "feature", "name": "PostgreSQL",
                "data": {"host": u.host, "port": u.port, "dbname": u.database, "user": u.username,
                         "password": u.password or "", "search_path": ["public"]},
                "id_field": "id", "table": PYGEOAPI_VIEW, "geom_field": "geom",
                "storage_crs": "http://www.opengis.net/def/crs/EPSG/0/31370",
            }],
        }},
    }
    import yaml

    config_path, openapi_path = workdir / "pygeoapi-config.yml", workdir / "pygeoapi-openapi.yml"
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    env = {"PYGEOAPI_CONFIG": str(config_path), "PYGEOAPI_OPENAPI": str(openapi_path)}
    subprocess.run([str(Path(sys.executable).parent / "pygeoapi"), "openapi", "generate", str(config_path),
                    "--output-file", str(openapi_path)], check=True, env={**os.environ, **env},
                   capture_output=True)
    return env


# --- tipg -----------------------------------------------------------------------
# tipg (FastAPI + asyncpg: one SQL statement per page) in its own venv, made by
# scripts/lib.sh ensure_tipg. It serves a table or view as it is, in CRS84.
TIPG_PYTHON = ROOT / ".venv-tipg" / "bin" / "python"
TIPG_TILE_VIEW = "bench_tipg_fiches"
TIPG_TILE_COLLECTION = f"pg_temp.{TIPG_TILE_VIEW}"


# The densest city's published project fiches as a view for tipg: the dense
# bbox target of issue 14 (limit=1000, every fiche of that city).
DENSE_VIEW = "bench_tipg_fiches_dense"


def densest_city(url: str) -> tuple[str, tuple[float, float, float, float], int]:
    """(slug, CRS84 bbox of its published project fiches, their number)."""
    from app.read.queries import PROJECT_KINDS

    kinds = ", ".join(f"'{k}'" for k in PROJECT_KINDS)
    engine = create_engine(url)
    with engine.begin() as conn:
        slug, n = conn.execute(text(
            "SELECT m.slug, count(*) FROM fiches f JOIN municipalities m ON m.id = f.municipality_id "
            f"WHERE f.published AND f.kind IN ({kinds}) AND f.geom IS NOT NULL GROUP BY m.slug "
            "ORDER BY 2 DESC LIMIT 1")).one()
        box = conn.execute(text(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(ST_Transform(f.geom, 4326)) "
            "AS e FROM fiches f JOIN municipalities m ON m.id = f.municipality_id "
            f"WHERE m.slug = :slug AND f.published AND f.kind IN ({kinds})) x"), {"slug": slug}).one()
        conn.execute(text(f"DROP VIEW IF EXISTS {DENSE_VIEW}"))
        conn.execute(text(
            f"CREATE VIEW {DENSE_VIEW} AS SELECT f.id, f.ref, f.kind, f.number, f.code, f.title, f.summary, "
            "f.sector, f.responsible_service, f.goal_why, f.goal_what, f.goal_gain, f.sdgs_illustrative, "
            "f.obligation, f.priority, f.status, f.progress_pct, f.state_of_play, f.dependencies_text, f.risks, "
            "f.location_description, f.geometry_precision, f.published, f.source, f.geom "
            "FROM fiches f JOIN municipalities m ON m.id = f.municipality_id "
            f"WHERE m.slug = '{slug}' AND f.published AND f.kind IN ({kinds})"))
    engine.dispose()
    pad = 0.001
    return slug, (box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad), n


def tipg_server(url: str, workers: int, workdir: Path, items: bool = True, extra_tables: tuple[str, ...] = ()) -> Server:
    """tipg under uvicorn with `workers` processes, publishing the rows of
    /ogc's fiches-<city> (PYGEOAPI_VIEW, made by prepare_pygeoapi; when
    `items`) and TIPG_TILE_VIEW: every published project fiche with the
    columns of our fiches tile, and `extra_tables`; nothing else of the database.

    TIPG_TILE_VIEW is a temporary view that tipg makes on each of its
    connections (its TIPG_CUSTOM_SQL_DIRECTORY is run into pg_temp on
    connect): nothing is written to the benchmark database. Its tiles have
    our tiles' buffer (64 of 4096; tipg's default is 256)."""
    from app.read.queries import PROJECT_KINDS
    from app.read.tiles import BUFFER, EXTENT

    kinds = ", ".join(f"'{k}'" for k in PROJECT_KINDS)
    sql_dir = workdir / "tipg-sql"
    sql_dir.mkdir(exist_ok=True)
    (sql_dir / "tile_view.sql").write_text(
        f"CREATE OR REPLACE TEMP VIEW {TIPG_TILE_VIEW} AS SELECT f.id, f.status, m.slug AS m, "
        "ST_Dimension(f.geom) AS d, f.title, m.name AS municipality, "
        "f.geometry_precision = 'indicatief' AS indicative, f.geom "
        "FROM fiches f JOIN municipalities m ON m.id = f.municipality_id "
        f"WHERE f.published AND f.kind IN ({kinds});\n")
    u = make_url(url)
    dsn = (f"postgresql://{u.username}{':' + u.password if u.password else ''}@{u.host}:{u.port}/{u.database}"
           f"?application_name={TIPG_APP_NAME}")  # asyncpg passes it on as a server setting
    tables = [TIPG_TILE_COLLECTION] + ([f"public.{PYGEOAPI_VIEW}"] if items else []) + list(extra_tables)
    env = {"DATABASE_URL": dsn, "TIPG_DB_SCHEMAS": '["public"]', "TIPG_DB_TABLES": json.dumps(tables),
           "TIPG_CUSTOM_SQL_DIRECTORY": str(sql_dir), "TIPG_TILE_BUFFER": str(BUFFER),
           "TIPG_TILE_RESOLUTION": str(EXTENT), "TIPG_DB_SPATIAL_EXTENT": "false",
           "TIPG_DB_DATETIME_EXTENT": "false", "TIPG_MAX_FEATURES_PER_QUERY": "10000"}
    port = free_port()
    command = [str(TIPG_PYTHON), "-m", "uvicorn", "tipg.main:app", "--host", "127.0.0.1", "--port", str(port),
               "--workers", str(workers), "--log-level", "warning", "--no-access-log"]
    return Server("tipg.main:app", env, workers, "uvicorn-tipg", port, command=command)


def tipg_tile_path(z: int, x: int, y: int) -> str:
    """tipg's URL of our fiches tile z/x/y, with the properties our tile holds at z."""
    from app.read.viewport import TITLE_MIN_ZOOM

    properties = "id,status,m,d" + (",title,municipality,indicative" if z >= TITLE_MIN_ZOOM else "")
    return f"/collections/{TIPG_TILE_COLLECTION}/tiles/WebMercatorQuad/{z}/{x}/{y}?properties={properties}"


# --- cold tiles, interleaved ------------------------------------------------------
# The dense viewport whose tiles are compared (Antwerpen), and the zooms.
COLD_TILE_CENTRE = (4.41, 51.215)
COLD_TILE_ZOOMS = (12, 13, 14)
COLD_TILE_MODES = ("kept alive", "new connection")


def cold_tile_addresses() -> list[tuple[int, int, int]]:
    return [(z, x, y) for z in COLD_TILE_ZOOMS for x, y in viewport_tiles(z, COLD_TILE_CENTRE)]


class Client:
    """HTTP/1.1 GETs to one server on one connection kept alive, as a browser
    asks for tiles (made again when the server has closed it)."""

    def __init__(self, port: int):
        self.port, self.conn = port, None

    def get(self, path: str) -> tuple[float, int, bytes, dict]:
        """(seconds, status, body, headers with lower-case names)."""
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                started = time.perf_counter()
                self.conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
                response = self.conn.getresponse()
                body = response.read()
                seconds = time.perf_counter() - started
            except (http.client.RemoteDisconnected, ConnectionError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
                continue
            if response.will_close:
                self.conn.close()
                self.conn = None
            return seconds, response.status, body, {k.lower(): v for k, v in response.getheaders()}
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def tile_features(body: bytes, headers: dict) -> set:
    """(layer-independent) ids of the features of a tile answer, for the check that both serve the same tile."""
    import mapbox_vector_tile

    if not body:
        return set()
    if headers.get("content-encoding") == "gzip":
        body = gzip.decompress(body)
    layers = mapbox_vector_tile.decode(body)
    return {f["properties"]["id"] for layer in layers.values() for f in layer["features"]}


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def our_tile_path(z: int, x: int, y: int) -> str:
    return f"/api/tiles/fiches/{z}/{x}/{y}.mvt"


def measure_cold_tiles(servers: dict, passes: int, meters: dict, yardstick: str = "tipg") -> dict:
    """Every z12-z14 fiches tile of the Antwerpen viewport from each server
    ({name: (Server, path of tile z/x/y)}: ours with nothing kept, every tile
    made afresh, and tipg, which keeps nothing), one request at a time,
    interleaved: each tile is asked of every server one after the other, which
    first rotating, so a noisy neighbour hits all alike. Each tile twice per
    server: on a connection kept alive (as a browser asks for tiles; tipg's
    uvicorn and our gthread workers both keep it) and on a new connection (the
    TCP handshake and the server's accept included). A first pass is not
    timed (every worker connected and warmed, the same pages of the table in
    PostgreSQL's memory for all); it also compares what the tiles hold.
    `meters`: {name: CpuMeter}, the CPU time of the timed passes per request."""
    addresses = cold_tile_addresses()
    names = list(servers)
    asks = [(name, mode) for mode in COLD_TILE_MODES for name in names]
    times: dict = {ask: {z: [] for z in COLD_TILE_ZOOMS} for ask in asks}
    sizes: dict = {name: 0 for name in names}
    features: dict = {name: 0 for name in names}
    not_in_yardstick: dict = {name: 0 for name in names}
    only_yardstick: dict = {name: 0 for name in names}
    kept = {name: Client(server.port) for name, (server, _path) in servers.items()}
    for run in range(passes + 1):
        if run == 1:
            for meter in meters.values():
                meter.start()
        for i, (z, x, y) in enumerate(addresses):
            turn = (i + run) % len(asks)
            answers = {}
            for name, mode in asks[turn:] + asks[:turn]:
                server, path = servers[name]
                client = kept[name] if mode == "kept alive" else Client(server.port)
                seconds, status, body, headers = client.get(path(z, x, y))
                if mode != "kept alive":
                    client.close()
                if status not in (200, 204):
                    raise RuntimeError(f"{name} tile {z}/{x}/{y}: HTTP {status}")
                answers[name] = (body, headers)
                if run:
                    times[name, mode][z].append(seconds)
            if not run:  # the warm-up pass: what the tiles hold
                held = {name: tile_features(*answers[name]) for name in names}
                for name in names:
                    sizes[name] += len(answers[name][0])
                    features[name] += len(held[name])
                    not_in_yardstick[name] += len(held[name] - held[yardstick])
                    only_yardstick[name] += len(held[yardstick] - held[name])
    cpu = {name: meter.stop() for name, meter in meters.items()}
    for client in kept.values():
        client.close()
    out: dict = {"tiles": len(addresses), "zooms": list(COLD_TILE_ZOOMS), "centre": COLD_TILE_CENTRE,
                 "passes": passes, "yardstick": yardstick, "modes": list(COLD_TILE_MODES), "servers": {}}
    for name in names:
        app_s, db_s = cpu.get(name, (None, None))
        requests = sum(len(v) for mode in COLD_TILE_MODES for v in times[name, mode].values())
        out["servers"][name] = {
            "cpu_app_ms": app_s / requests * 1000 if app_s is not None else None,
            "cpu_db_ms": db_s / requests * 1000 if db_s is not None else None,
            "bytes_gzip": sizes[name], "features": features[name],
            # Ours draws the buffer around the tile (64 of 4096), tipg's tile filter is the
            # tile itself: a fiche just outside the edge is only in ours.
            "features_not_in_yardstick": not_in_yardstick[name], "yardstick_features_missing": only_yardstick[name]}
        for mode in COLD_TILE_MODES:
            by_zoom = times[name, mode]
            every = [t for values in by_zoom.values() for t in values]
            out["servers"][name][mode] = {
                "median_ms": median(every) * 1000, "p90_ms": percentile(every, 90) * 1000,
                "mean_ms": statistics.fmean(every) * 1000, "requests": len(every),
                "by_zoom_median_ms": {z: median(v) * 1000 for z, v in by_zoom.items()}}
    for mode in COLD_TILE_MODES:
        base = out["servers"][yardstick][mode]
        for name in names:
            f = out["servers"][name][mode]
            f["ratio_median"] = f["median_ms"] / base["median_ms"]
            f["ratio_p90"] = f["p90_ms"] / base["p90_ms"]
            f["ratio_by_zoom"] = {z: f["by_zoom_median_ms"][z] / base["by_zoom_median_ms"][z]
                                  for z in COLD_TILE_ZOOMS}
    return out


def measure_cold_tile_load(servers: dict, meters: dict, workdir: Path, connections, seconds: int, repeats: int,
                           yardstick: str = "tipg") -> dict:
    """wrk going round the same tiles as measure_cold_tiles on each server,
    at each number of connections; runs interleaved (server after server,
    which first rotating), median of `repeats`."""
    names = list(servers)
    lists = {}
    for name, (_server, path) in servers.items():
        lists[name] = workdir / f"tiles-{len(lists)}.txt"
        lists[name].write_text("".join(path(*a) + "\n" for a in cold_tile_addresses()))
    raw: dict = {name: {c: [] for c in connections} for name in names}
    for r in range(repeats):
        for c in connections:
            turn = (r + c) % len(names)
            for name in names[turn:] + names[:turn]:
                log(f"wrk cold tiles {name} c={c} run {r + 1}/{repeats}")
                meters[name].start()
                result = wrk(servers[name][0].base() + "/", c, seconds, WRK_PATHS_SCRIPT, str(lists[name]))
                app_s, db_s = meters[name].stop()
                result["cpu_ms"] = (app_s + db_s) / max(1, result["requests"]) * 1000
                result["busy_processes"] = meters[name].busy_processes()
                raw[name][c].append(result)
    out: dict = {"connections": list(connections), "seconds": seconds, "repeats": repeats, "servers": {}}
    for name, by_c in raw.items():
        out["servers"][name] = {c: {
            "rps": median([x["rps"] for x in runs]), "p50_ms": median([x["p50_ms"] for x in runs]),
            "p99_ms": median([x["p99_ms"] for x in runs]), "cpu_ms": median([x["cpu_ms"] for x in runs]),
            "busy_processes": [x["busy_processes"] for x in runs], "rps_runs": [x["rps"] for x in runs],
            "errors": sum(sum(x["errors"].values()) + x["non_2xx_3xx"] for x in runs)} for c, runs in by_c.items()}
    for by_c in out["servers"].values():
        for c, f in by_c.items():
            base = out["servers"][yardstick][c]["rps"]
            f["rps_ratio"] = f["rps"] / base if base else None
    return out


AFRESH_APP_NAME = "bench-fichekaart-afresh"  # PostgreSQL application_name: its backends, for the CPU meter
TIPG_APP_NAME = "bench-tipg"


def afresh_env(url: str) -> dict:
    """Our app with nothing kept: pages (app/http/page_cache.py) and tiles
    (app/http/kept_tiles.py) built afresh for every request."""
    named = make_url(url).update_query_dict({"application_name": AFRESH_APP_NAME})
    return {"DATABASE_URL": named.render_as_string(hide_password=False), "FICHEKAART_BASEMAP": "none", "FICHEKAART_SECRET_KEY": "bench",
            "FICHEKAART_PAGE_CACHE_SECONDS": "0", "FICHEKAART_TILE_CACHE_SIZE": "0"}


# --- output ---------------------------------------------------------------------
def fmt(value, unit: str = "", digits: int = 1) -> str:
    if value is None:
        return "-"
    if unit == "KB":
        return f"{value / 1024:,.1f} KB"
    return f"{value:,.{digits}f}{(' ' + unit) if unit else ''}"


COLD_TILE_LABELS = {"Fichekaart": "Fichekaart (nothing kept: every tile made afresh)", "tipg": "tipg (keeps nothing)"}


def _met(value, ok) -> str:
    return "-" if value is None else ("yes" if ok(value) else "**no**")


def targets_table(results: dict) -> str:
    """Issue 14's targets, each with its yardstick, all from this one run."""
    rows = []
    items = f"/collections/fiches-{CITY}/items?limit=100"
    load = results.get("load") or {}
    pages = results.get("pages") or {}
    if pages:
        ratio = pages.get("city_built_vs_bare")
        rows.append((f"city page /{CITY} built afresh / bare folium map of the same features",
                     f"{fmt(pages['city_page'].get('server_ms_built'), 'ms')} / "
                     f"{fmt(pages['bare_folium']['server_ms'], 'ms')}", fmt(ratio, "x", 2), "<= 1.5x",
                     _met(ratio, lambda v: v <= 1.5)))
    for key, yardstick, target, bound in (("ogc_built_vs_tipg", "tipg", ">= 1.5x", 1.5),
                                          ("ogc_built_vs_pygeoapi", "pygeoapi", ">= 4x", 4.0)):
        ratio = (results.get(key) or {}).get(8)
        ours = (load.get(f"Fichekaart /ogc{items} (built afresh)") or {}).get(8, {})
        theirs = (load.get(f"{yardstick} {items}") or {}).get(8, {})
        rows.append((f"OGC items?limit=100 built afresh / {yardstick}, req/s at 8 connections",
                     f"{fmt(ours.get('rps'))} / {fmt(theirs.get('rps'))}", fmt(ratio, "x", 2), target,
                     _met(ratio, lambda v, bound=bound: v >= bound)))
    p99 = (load.get(f"Fichekaart /ogc{items} (built afresh)") or {}).get(8, {}).get("p99_ms")
    tipg_p99 = (load.get(f"tipg {items}") or {}).get(8, {}).get("p99_ms")
    rows.append(("OGC items?limit=100 built afresh: p99 at 8 connections (tipg's)",
                 f"{fmt(p99, 'ms')} ({fmt(tipg_p99, 'ms')})", "", "< 100 ms", _met(p99, lambda v: v < 100)))
    dense = results.get("dense")
    if dense:
        ratio = (results.get("dense_built_vs_tipg") or {}).get(8)
        name = f"dense bbox {dense['city']} limit=1000"
        ours = (load.get(f"Fichekaart /ogc {name} (built afresh)") or {}).get(8, {})
        theirs = (load.get(f"tipg {name}") or {}).get(8, {})
        rows.append((f"dense bbox ({dense['city']}, {dense['fiches']} fiches) limit=1000 built afresh / tipg, "
                     "req/s at 8 connections", f"{fmt(ours.get('rps'))} / {fmt(theirs.get('rps'))}",
                     fmt(ratio, "x", 2), ">= 2x", _met(ratio, lambda v: v >= 2)))
    cold = results.get("cold_tiles")
    if cold:
        for mode in cold["modes"]:
            f = cold["servers"]["Fichekaart"][mode]
            them = cold["servers"][cold["yardstick"]][mode]
            rows.append((f"cold MVT tiles ({cold['tiles']} tiles, {mode}) / tipg, median time",
                         f"{fmt(f['median_ms'], 'ms', 2)} / {fmt(them['median_ms'], 'ms', 2)}",
                         fmt(f["ratio_median"], "x", 2), "<= 1.00x", _met(f["ratio_median"], lambda v: v <= 1.0)))
    gpkg = results.get("gpkg_vs_ogr2ogr")
    if gpkg:
        med = gpkg["median"]
        for who, label in (("ogr2ogr", "ogr2ogr, one run per layer"), ("vrt", "ogr2ogr over one VRT")):
            ratio = med["ours"] / med[who]
            rows.append((f"GeoPackage of every fiche ({gpkg['fiches']:,}) / {label}",
                         f"{fmt(med['ours'], 's', 2)} / {fmt(med[who], 's', 2)}", fmt(ratio, "x", 2), "<= 1.3x",
                         _met(ratio, lambda v: v <= 1.3)))
    version = results.get("data_version")
    if version:
        rows.append((f"data-version check ({version['fiches']:,} fiches; one primary-key lookup)",
                     fmt(version["ms"], "ms", 2), "", "O(1): < 1 ms", _met(version["ms"], lambda v: v < 1)))
    shape = results.get("first_shape")
    if shape:
        rows.append((f"first project shape of /{CITY} (Chromium, cold cache, CPU {shape['throttle']:g}x slower; "
                     f"{shape['requests']:.0f} requests, {shape['kb']:.0f} KB)",
                     f"{fmt(shape['first_shape_ms'], 'ms', 0)} ({shape['min_ms']:.0f}-{shape['max_ms']:.0f})", "",
                     "< 1 s", _met(shape["first_shape_ms"], lambda v: v < 1000)))
    memory = (results.get("memory") or {}).get("Fichekaart")
    if memory:
        pss = memory.get("max_worker_pss_mb")
        rows.append(("memory per worker after the load test (PSS; peak RSS)",
                     f"{fmt(pss, 'MB')} ({fmt(memory.get('max_worker_mb'), 'MB')})", "", "<= 150 MB",
                     _met(pss, lambda v: v <= 150)))
    lines = ["## Issue 14's targets, all from this run",
             "| target | Fichekaart / yardstick | ratio | target | met |", "|---|---|---|---|---|"]
    lines += [f"| {' | '.join(row)} |" for row in rows]
    return "\n".join(lines) + "\n"


def table(results: dict) -> str:
    lines = []
    add = lines.append
    add(targets_table(results))
    p = results.get("pages", {})
    if p:
        c, b, r = p["city_page"], p["bare_folium"], p["region_shell"]
        add("## Pages (in-process server time, median)")
        add("| page | server time | HTML | gzipped | target |")
        add("|---|---|---|---|---|")
        placeholder = " (placeholder!)" if c.get("placeholder") else ""
        add(f"| city map /{CITY}{placeholder}, repeated view (kept page) | {fmt(c['server_ms'], 'ms')} | "
            f"{fmt(c['bytes'], 'KB')} | {fmt(c['bytes_gzip'], 'KB')} | <= 1.5x bare folium, < 300 KB gzipped |")
        add(f"| city map /{CITY}, built afresh (first view after a change) | {fmt(c.get('server_ms_built'), 'ms')} "
            "| | | |")
        add(f"| bare folium map, same features | {fmt(b['server_ms'], 'ms')} | {fmt(b['bytes'], 'KB')} | "
            f"{fmt(b['bytes_gzip'], 'KB')} | |")
        add(f"| bare folium map, stock branca rendering | {fmt(b.get('server_ms_stock_branca'), 'ms')} | | | |")
        add(f"| ratio city page / bare folium: repeated view | {fmt(p['city_vs_bare'], 'x', 2)} | | | <= 1.5x |")
        add(f"| ratio city page / bare folium: built afresh | {fmt(p.get('city_built_vs_bare'), 'x', 2)} "
            f"(median of the interleaved pairs {fmt(c.get('built_vs_bare_pairs'), 'x', 2)}) | | | <= 1.5x |")
        add(f"| region shell /regio | {fmt(r['server_ms'], 'ms')} | {fmt(r['bytes'], 'KB')} | "
            f"{fmt(r['bytes_gzip'], 'KB')} | < 50 ms, < 20 KB |")
        add("")
    if results.get("viewports"):
        add(f"## Viewport data ({VIEW_W}x{VIEW_H} px; wijken + fiches; server time = sum of the requests, sequential)")
        add("| viewport | zoom | GeoJSON time | GeoJSON gzipped | as the SpatiaLite page asks | tiles | MVT time (cold) "
            "| slowest tile | MVT time (cached) | MVT gzipped | target |")
        add("|---|---|---|---|---|---|---|---|---|---|---|")
        for v in results["viewports"]:
            g, m = v["geojson"], v.get("mvt") or {}
            add(f"| {v['viewport']} | {v['zoom']} | {fmt(g['server_ms'], 'ms')} | {fmt(g['bytes_gzip'], 'KB')} | "
                f"{fmt(g['page_server_ms'], 'ms')}, {fmt(g['page_bytes_gzip'], 'KB')} | "
                f"{m.get('tiles', '-')} | {fmt(m.get('server_ms'), 'ms')} | {fmt(m.get('slowest_tile_ms'), 'ms')} | "
                f"{fmt(m.get('server_ms_cached'), 'ms')} | "
                f"{fmt(m.get('bytes_gzip'), 'KB')} | < 300 ms, < 500 KB |")
        add("")
    load = results.get("load")
    if load:
        add(f"## Load (wrk, gunicorn {results['meta']['workers']} workers, Accept-Encoding: gzip, median of "
            f"{results['meta']['repeats']} runs of {results['meta']['wrk_seconds']} s)")
        add("| endpoint | connections | req/s | p50 | p95 | p99 | errors | bytes/req |")
        add("|---|---|---|---|---|---|---|---|")
        for name, by_c in load.items():
            for c, f in by_c.items():
                add(f"| {name} | {c} | {fmt(f['rps'])} | {fmt(f['p50_ms'], 'ms')} | {fmt(f['p95_ms'], 'ms')} | "
                    f"{fmt(f['p99_ms'], 'ms')} | {f['errors']} | {fmt(f['bytes_per_request'], '', 0)} |")
        ratios = (("ogc_vs_pygeoapi", "kept answers", "pygeoapi", "-"),
                  ("ogc_built_vs_pygeoapi", "built afresh", "pygeoapi", ">= 4x at 8 connections"),
                  ("ogc_vs_tipg", "kept answers", "tipg", "-"),
                  ("ogc_built_vs_tipg", "built afresh", "tipg", ">= 1.5x at 8 connections"),
                  ("tile_vs_tipg", "kept tile", "tipg (no cache)", "no slower than tipg"))
        for key, label, yardstick, target in ratios:
            ratio = results.get(key) or {}
            if ratio:
                add("")
                what = "z12 tile" if key.startswith("tile") else "OGC items?limit=100"
                add(f"| {what}: Fichekaart ({label}) / {yardstick} throughput | " +
                    " | ".join(f"{c} conn: {fmt(v, 'x', 2)}" for c, v in ratio.items()) + f" | target {target} |")
        add("")
    cold = results.get("cold_tiles")
    if cold:
        add(f"## Cold vector tiles: every z{cold['zooms'][0]}-z{cold['zooms'][-1]} fiches tile of the Antwerpen "
            f"viewport ({cold['tiles']} tiles), one request at a time, the servers interleaved; "
            f"{cold['passes']} timed passes after a warm-up pass")
        add("| server | connection | median | p90 | mean | " + " | ".join(f"median z{z}" for z in cold["zooms"]) +
            f" | ratio to {cold['yardstick']}: median, p90 |")
        add("|---|---|---|---|---|" + "---|" * len(cold["zooms"]) + "---|")
        for mode in cold["modes"]:
            for name, server in cold["servers"].items():
                f = server[mode]
                by_zoom = " | ".join(fmt(v, "ms", 2) for v in f["by_zoom_median_ms"].values())
                add(f"| {COLD_TILE_LABELS.get(name, name)} | {mode} | {fmt(f['median_ms'], 'ms', 2)} | "
                    f"{fmt(f['p90_ms'], 'ms', 2)} | {fmt(f['mean_ms'], 'ms', 2)} | {by_zoom} | "
                    f"{fmt(f['ratio_median'], 'x', 2)}, {fmt(f['ratio_p90'], 'x', 2)} |")
        add("")
        add("| server | CPU per tile: app + PostgreSQL | gzipped, all tiles | fiches in the tiles | "
            f"not in {cold['yardstick']}'s tile (the 64/4096 buffer beyond the edge) |")
        add("|---|---|---|---|---|")
        for name, f in cold["servers"].items():
            add(f"| {COLD_TILE_LABELS.get(name, name)} | {fmt(f['cpu_app_ms'], 'ms', 2)} + "
                f"{fmt(f['cpu_db_ms'], 'ms', 2)} | {fmt(f['bytes_gzip'], 'KB')} | {f['features']:,} | "
                f"{f['features_not_in_yardstick']} (missing: {f['yardstick_features_missing']}) |")
        add(f"\nTarget: Fichekaart <= 1.00x {cold['yardstick']}.")
        load = cold.get("load")
        if load:
            add("")
            add(f"wrk going round the same tiles, median of {load['repeats']} runs of {load['seconds']} s, "
                "interleaved (both keep connections alive):")
            add("")
            add("| server | connections | req/s | p50 | p99 | errors | req/s ratio to tipg "
                "| CPU per tile, app + PostgreSQL | req/s of each run | busy processes in each run |")
            add("|---|---|---|---|---|---|---|---|---|---|")
            for name, by_c in load["servers"].items():
                for c, f in by_c.items():
                    add(f"| {COLD_TILE_LABELS.get(name, name)} | {c} | {fmt(f['rps'])} | {fmt(f['p50_ms'], 'ms')} | "
                        f"{fmt(f['p99_ms'], 'ms')} | {f['errors']} | {fmt(f['rps_ratio'], 'x', 2)} | "
                        f"{fmt(f['cpu_ms'], 'ms', 2)} | {', '.join(fmt(v, '', 0) for v in f['rps_runs'])} | "
                        f"{', '.join(map(str, f['busy_processes']))} |")
        add("")
    e = results.get("exports")
    if e:
        add(f"## Exports ({e['fiches']:,} fiches, EPSG:31370, median)")
        add("| format | build data | write | total | size | target |")
        add("|---|---|---|---|---|---|")
        for key in ("gpkg", "geojson"):
            add(f"| {key} | {fmt(e['build_s'], 's', 2)} | {fmt(e[key]['write_s'], 's', 2)} | "
                f"{fmt(e[key]['total_s'], 's', 2)} | {fmt(e[key]['bytes'] / 1048576, 'MB')} | "
                f"{'< 10 s' if key == 'gpkg' else ''} |")
        add("")
    mem = results.get("memory")
    if mem:
        add("## Memory of the gunicorn processes after the load test")
        add("VmHWM: peak resident size, shared pages counted whole. PSS: shared pages divided among the "
            "processes sharing them (the master included in the total).")
        add("| server | workers | peak per worker (VmHWM) | PSS per worker | PSS total |")
        add("|---|---|---|---|---|")
        for name, m in mem.items():
            add(f"| {name} | {m['workers']} | {fmt(m['max_worker_mb'], 'MB')} | "
                f"{fmt(m.get('max_worker_pss_mb'), 'MB')} | {fmt(m.get('total_pss_mb'), 'MB')} |")
    return "\n".join(lines)


# Our servers as deployed (deploy/gunicorn.conf.py: the app preloaded in the
# master, gc.freeze before the fork, gthread workers of 4 threads; the
# "--worker-class sync" asked here before 6 December never applied: gunicorn
# runs gthread whenever threads > 1). --max-requests 0: no worker recycled in
# the middle of a measurement.
AS_DEPLOYED = ("--config", str(ROOT / "deploy" / "gunicorn.conf.py"), "--max-requests", "0")


def run_meta(url: str, workers: int) -> dict:
    engine = create_engine(url)
    with engine.connect() as conn:
        version = conn.execute(text("SELECT version()")).scalar()
        jit = conn.execute(text("SHOW jit")).scalar()
    engine.dispose()
    return {"date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "machine": platform.platform(),
            "cpus": os.cpu_count(), "load_average_at_start": os.getloadavg(), "python": platform.python_version(),
            "database": make_url(url).render_as_string(hide_password=True), "workers": workers,
            "postgresql": version, "jit_server_default": jit}  # the app's connections run with jit off (app/db.py)


def only_cold_tiles(args) -> None:
    """scripts/bench --only tiles: the cold tiles of both servers, nothing else;
    the database is only read (bench_data.counts), never built or migrated."""
    started = time.time()
    results: dict = {"meta": {**run_meta(args.url, args.workers), "counts": bench_data.counts(args.url)}}
    workdir = Path(tempfile.mkdtemp(prefix="fichekaart-bench-"))
    servers = []
    try:
        ours = Server("app:create_app()", afresh_env(args.url), args.workers, "gunicorn-fichekaart-built",
                      options=AS_DEPLOYED)
        servers.append(ours)
        tipg = tipg_server(args.url, args.workers, workdir, items=False)
        servers.append(tipg)
        ours.wait("/api/tiles/fiches/0/0/0.mvt")
        tipg.wait(tipg_tile_path(0, 0, 0))
        log(f"cold tiles: {len(cold_tile_addresses())} tiles x 2 servers x {args.passes + 1} passes, interleaved")
        both = {"Fichekaart": (ours, our_tile_path), "tipg": (tipg, tipg_tile_path)}
        meters = {"Fichekaart": CpuMeter(ours, args.url, AFRESH_APP_NAME),
                  "tipg": CpuMeter(tipg, args.url, TIPG_APP_NAME)}
        results["cold_tiles"] = measure_cold_tiles(both, args.passes, meters)
        results["cold_tiles"]["load"] = measure_cold_tile_load(both, meters, workdir, (1, 8), args.seconds or 5,
                                                               args.repeats or 3)
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    results["meta"]["load_average_at_end"] = os.getloadavg()
    results["meta"]["duration_s"] = round(time.time() - started, 1)
    (RESULTS / "bench-tiles.json").write_text(json.dumps(results, indent=2, default=str))
    print(table(results))
    print(f"\n(written to {RESULTS / 'bench-tiles.json'}; {results['meta']['duration_s']} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the benchmark database (PostGIS); built when needed")
    parser.add_argument("--quick", action="store_true", help="3,000 fiches, 1 repeat, 2 s per wrk run")
    parser.add_argument("--fiches", type=int)
    parser.add_argument("--repeats", type=int)
    parser.add_argument("--seconds", type=int, help="duration of one wrk run")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--only", choices=["tiles"],
                        help="tiles: only the cold tiles, ours (nothing kept) against tipg, interleaved; "
                             "the database is only read (not built nor migrated)")
    parser.add_argument("--passes", type=int, default=5, help="timed passes over the cold tiles")
    args = parser.parse_args()
    n_fiches = args.fiches or (3_000 if args.quick else 30_000)
    repeats = args.repeats or (1 if args.quick else 3)
    seconds = args.seconds or (2 if args.quick else 5)
    concurrency = (1, 8, 32)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / ".gitignore").write_text("*\n")
    started = time.time()

    if args.only == "tiles":
        only_cold_tiles(args)
        return
    counts = bench_data.build(args.url, n_fiches)
    dense_slug, dense_box, dense_n = densest_city(args.url)
    results: dict = {"meta": {
        "date": dt.datetime.now().isoformat(timespec="seconds"), "machine": platform.platform(),
        "cpus": os.cpu_count(), "load_average_at_start": os.getloadavg(), "python": platform.python_version(),
        "database": make_url(args.url).render_as_string(hide_password=True), "counts": counts,
        "repeats": repeats, "wrk_seconds": seconds, "workers": args.workers, "quick": args.quick,
    }}

    from app import create_app

    engine = create_engine(args.url)
    with engine.connect() as conn:
        results["meta"]["postgresql"] = conn.execute(text("SELECT version()")).scalar()
        # the server's default; the app's own connections run with jit off (app/db.py)
        results["meta"]["jit_server_default"] = conn.execute(text("SHOW jit")).scalar()
    engine.dispose()
    app = create_app({"DATABASE_URL": args.url, "SECRET_KEY": "bench"})
    log("pages (in-process)")
    results["pages"] = measure_pages(app, 21)  # 21 interleaved pairs: the ratio of two ~20 ms timings is noisy
    log("viewports (in-process)")
    results["viewports"] = measure_viewports(app, repeats, mvt=True)
    log("exports (in-process)")
    results["exports"] = measure_exports(app, 1 if args.quick else min(repeats, 2))
    log("data-version check (in-process)")
    results["data_version"] = measure_data_version(app, 500)
    app.extensions["fichekaart.engine"].dispose()
    log("GeoPackage of every fiche against ogr2ogr (bench_export.py), interleaved")
    results["gpkg_vs_ogr2ogr"] = bench_export.compare_in_scratch(args.url, repeats)

    workdir = Path(tempfile.mkdtemp(prefix="fichekaart-bench-"))
    servers = []
    try:
        ours = Server("app:create_app()", {"DATABASE_URL": args.url, "FICHEKAART_BASEMAP": "none",
                                          "FICHEKAART_SECRET_KEY": "bench"}, args.workers, "gunicorn-fichekaart",
                      options=AS_DEPLOYED)
        servers.append(ours)
        # The same app with nothing kept (app/http/page_cache.py off): every answer built afresh.
        ours_built = Server("app:create_app()", afresh_env(args.url), args.workers, "gunicorn-fichekaart-built",
                            options=AS_DEPLOYED)
        servers.append(ours_built)
        pygeoapi_port = free_port()
        env = prepare_pygeoapi(args.url, workdir, pygeoapi_port)
        theirs = Server("pygeoapi.flask_app:APP", env, args.workers, "gunicorn-pygeoapi", pygeoapi_port)
        servers.append(theirs)
        tipg = tipg_server(args.url, args.workers, workdir, extra_tables=(f"public.{DENSE_VIEW}",))
        servers.append(tipg)
        ours.wait("/regio")
        ours_built.wait("/regio")
        theirs.wait(f"/collections/fiches-{CITY}/items?limit=1&f=json")
        tipg.wait(f"/collections/public.{PYGEOAPI_VIEW}/items?limit=1")
        _, zoom, centre = VIEWPORTS[1]
        bbox = ",".join(map(str, viewport_bbox(zoom, centre)))
        tx, ty = viewport_tiles(zoom, centre)[len(viewport_tiles(zoom, centre)) // 2]
        items = f"/collections/fiches-{CITY}/items?limit=100"
        dense_bbox = ",".join(f"{v:.6f}" for v in dense_box)
        dense = f"dense bbox {dense_slug} limit=1000"
        results["dense"] = {"city": dense_slug, "fiches": dense_n, "bbox": dense_bbox}
        targets = {
            f"/{CITY} (city map page, kept)": ours.base() + f"/{CITY}",
            f"/{CITY} (city map page, built afresh)": ours_built.base() + f"/{CITY}",
            f"/api/{CITY}/fiches.geojson": ours.base() + f"/api/{CITY}/fiches.geojson",
            "/api/regio/fiches.geojson (Antwerpen z12)": ours.base() + f"/api/regio/fiches.geojson?bbox={bbox}&zoom={zoom}",
            f"/api/tiles/fiches/{zoom}/{tx}/{ty}.mvt": ours.base() + f"/api/tiles/fiches/{zoom}/{tx}/{ty}.mvt",
            f"Fichekaart /ogc{items}": ours.base() + "/ogc" + items,
            f"Fichekaart /ogc{items} (built afresh)": ours_built.base() + "/ogc" + items,
            f"pygeoapi {items}": theirs.base() + items + "&f=json",
            f"tipg {items}": tipg.base() + f"/collections/public.{PYGEOAPI_VIEW}/items?limit=100",
            f"tipg tile {zoom}/{tx}/{ty}": tipg.base() + tipg_tile_path(zoom, tx, ty),
            f"Fichekaart /ogc {dense} (built afresh)":
                ours_built.base() + f"/ogc/collections/fiches-{dense_slug}/items?limit=1000&bbox={dense_bbox}",
            f"tipg {dense}": tipg.base() + f"/collections/public.{DENSE_VIEW}/items?limit=1000&bbox={dense_bbox}",
        }
        for name, url in targets.items():  # every target answers before we measure it
            with urllib.request.urlopen(url, timeout=60) as r:
                if r.status != 200:
                    raise RuntimeError(f"{name}: HTTP {r.status}")
        log("cold tiles (nothing kept) against tipg, interleaved")
        both = {"Fichekaart": (ours_built, our_tile_path), "tipg": (tipg, tipg_tile_path)}
        meters = {"Fichekaart": CpuMeter(ours_built, args.url, AFRESH_APP_NAME),
                  "tipg": CpuMeter(tipg, args.url, TIPG_APP_NAME)}
        results["cold_tiles"] = measure_cold_tiles(both, args.passes, meters)
        results["cold_tiles"]["load"] = measure_cold_tile_load(both, meters, workdir, (1, 8), seconds, repeats)
        log(f"load tests: {len(targets)} targets x {concurrency} connections x {repeats} runs x {seconds} s")
        results["load"] = load_test(targets, concurrency, seconds, repeats)
        pyg = results["load"][f"pygeoapi {items}"]
        for key, name in (("ogc_vs_pygeoapi", f"Fichekaart /ogc{items}"),
                          ("ogc_built_vs_pygeoapi", f"Fichekaart /ogc{items} (built afresh)")):
            ogc = results["load"][name]
            results[key] = {c: (ogc[c]["rps"] / pyg[c]["rps"]) if pyg[c]["rps"] else None for c in concurrency}
        for key, name, yardstick in (
                ("ogc_vs_tipg", f"Fichekaart /ogc{items}", f"tipg {items}"),
                ("ogc_built_vs_tipg", f"Fichekaart /ogc{items} (built afresh)", f"tipg {items}"),
                ("tile_vs_tipg", f"/api/tiles/fiches/{zoom}/{tx}/{ty}.mvt", f"tipg tile {zoom}/{tx}/{ty}"),
                ("dense_built_vs_tipg", f"Fichekaart /ogc {dense} (built afresh)", f"tipg {dense}")):
            ogc, them = results["load"][name], results["load"][yardstick]
            results[key] = {c: (ogc[c]["rps"] / them[c]["rps"]) if them[c]["rps"] else None for c in concurrency}
        log(f"first project shape of /{CITY} in Chromium (time_first_shape.py), served as deployed")
        results["first_shape"] = time_first_shape.first_shape(ours.base(), f"/{CITY}", repeats=7, throttle=4)
        results["memory"] = {"Fichekaart": ours.peak_rss_mb(), "Fichekaart (nothing kept)": ours_built.peak_rss_mb(),
                             "pygeoapi": theirs.peak_rss_mb(), "tipg": tipg.peak_rss_mb()}
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    results["meta"]["duration_s"] = round(time.time() - started, 1)
    (RESULTS / "bench.json").write_text(json.dumps(results, indent=2, default=str))
    print(table(results))
    print(f"\n(written to {RESULTS / 'bench.json'}; {results['meta']['duration_s']} s)")


if __name__ == "__main__":
    main()
