"""The GeoPackage export of every published project fiche against ogr2ogr
writing the same rows from the same database, interleaved: the part of
scripts/bench that issue 14's export target is about (ours <= 1.3x ogr2ogr),
in a few minutes.

    .venv/bin/python scripts/bench_export.py \
        [--url postgresql+psycopg://fichekaart@127.0.0.1:55432/fichekaart_bench] [--repeats 3] [--keep DIR]

Ours: what the download route /alle-steden/download.gpkg does (build_export_data
for every city, then the GeoPackage writer), in-process, a new session each time.
The yardstick: Debian's ogr2ogr, one run per layer (`ogr2ogr -f GPKG out.gpkg
PG:... -sql ...`, `-update` after the first), with SQL that yields our layers
and columns, computed ones included (parent ref, SDGs, dependencies, budget
total, years, illustrative flags, the wijken a fiche lies in, keys, links), in
EPSG:31370. Both read the database READ ONLY (default_transaction_read_only).
Ours is timed up to the bytes the route sends; ogr2ogr writes its files where
our writer makes its scratch file (app.exports.ogr.SCRATCH_DIR: memory where
the system has it), so neither has the faster storage.
A second yardstick runs ogr2ogr once over an OGR VRT holding the same SQL
per layer (one process, one shared connection). Repeats rotate which goes
first, after one warm-up of each; the figures are medians. The script checks
that the files hold the same layers, columns and feature counts.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import geopandas  # noqa: E402,F401  (import order: app/db.py)
from sqlalchemy.engine import make_url  # noqa: E402

from app.exports.ogr import SCRATCH_DIR  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://fichekaart@127.0.0.1:55432/fichekaart_bench"
BASE_URL = "https://fichekaart.example"     # the links of both files (the route uses the request's host)
READ_ONLY = "-c default_transaction_read_only=on"
PROJECT_KINDS = "('fiche', 'actieplan', 'actie')"   # app.read.queries.PROJECT_KINDS

FAMILIES = {  # layer suffix -> (geometry types, ogr2ogr -nlt)
    "punten": (("ST_Point", "ST_MultiPoint"), "MULTIPOINT"),
    "lijnen": (("ST_LineString", "ST_MultiLineString"), "MULTILINESTRING"),
    "vlakken": (("ST_Polygon", "ST_MultiPolygon"), "MULTIPOLYGON"),
    "zonder_ligging": ((), "NONE"),
}


def _family(geom: str, family: str) -> str:
    types = FAMILIES[family][0]
    if not types:
        return f"{geom} IS NULL"
    return f"ST_GeometryType({geom}) IN ({', '.join(repr(t) for t in types)})"


def _in_wijk(family: str) -> str:
    """A wijk counts when the fiche's place has a positive share in it
    (app.read.apportion: a point inside, a line's length, a polygon's area)."""
    if family == "punten":
        return "ST_Intersects(a.geom, sel.geom)"
    measure = "ST_Length" if family == "lijnen" else "ST_Area"
    return ("ST_Intersects(a.geom, sel.geom) AND (ST_ContainsProperly(a.geom, sel.geom) "
            f"OR {measure}(ST_Intersection(a.geom, sel.geom)) > 0)")


def fiches_sql(family: str) -> str:
    """The fiches of one geometry family with the columns of FICHE_FIELDS in
    the order of app.exports.frames.FICHE_ORDER."""
    wijken = ("SELECT NULL::int AS fiche_id, NULL::text AS codes WHERE false" if family == "zonder_ligging" else
              "SELECT sel.id AS fiche_id, string_agg(a.code, ';' ORDER BY a.code) AS codes FROM sel "
              f"JOIN areas a ON a.level = 'wijk' AND {_in_wijk(family)} GROUP BY sel.id")
    geometry = ", ST_Multi(sel.geom) AS geom" if family != "zonder_ligging" else ""
    return f"""
WITH sel AS (SELECT f.* FROM fiches f WHERE f.published AND f.kind IN {PROJECT_KINDS} AND {_family('f.geom', family)}),
bl AS (SELECT b.fiche_id, sum(b.amount_eur) FILTER (WHERE b.direction = 'uitgave') AS spent,
              bool_or(b.basis = 'illustratief') AS illustrative, min(b.year) AS first, max(b.year) AS last
       FROM budget_lines b JOIN sel ON sel.id = b.fiche_id GROUP BY b.fiche_id),
ph AS (SELECT p.fiche_id, bool_or(p.illustrative) AS illustrative,
              least(min(extract(year FROM p.start)), min(extract(year FROM p."end")))::int AS first,
              greatest(max(extract(year FROM p.start)), max(extract(year FROM p."end")))::int AS last
       FROM phases p JOIN sel ON sel.id = p.fiche_id GROUP BY p.fiche_id),
sd AS (SELECT s.fiche_id, string_agg(s.sdg::text, ';' ORDER BY s.sdg) AS sdgs
       FROM fiche_sdgs s JOIN sel ON sel.id = s.fiche_id GROUP BY s.fiche_id),
dep AS (SELECT d.fiche_id, string_agg(t.ref, ';' ORDER BY d.id) FILTER (WHERE t.published) AS refs,
               string_agg(d.partner, ';' ORDER BY d.id) FILTER (WHERE d.partner <> '') AS partners
        FROM dependencies d JOIN sel ON sel.id = d.fiche_id LEFT JOIN fiches t ON t.id = d.depends_on_id
        GROUP BY d.fiche_id),
wk AS ({wijken})
SELECT sel.ref, CASE WHEN par.published THEN par.ref END AS ouder_ref, sel.kind AS soort, sel.number AS nummer,
       sel.code, sel.title AS titel, sel.summary AS samenvatting, sel.plain_language AS wat_verandert, sel.sector,
       sel.responsible_service AS verantwoordelijke_dienst, sel.goal_why AS doel_waarom, sel.goal_what AS doel_wat,
       sel.goal_gain AS doel_winst, sd.sdgs, sel.sdgs_illustrative AS sdgs_illustratief,
       sel.obligation AS verplicht_keuze, sel.priority AS prioritair, sel.priority_reason AS prioritair_afgeleid,
       sel.status, sel.status_basis AS status_volgens, sel.progress_pct AS voortgang_pct,
       sel.state_of_play AS stand_van_zaken, sel.dependencies_text AS afhankelijkheden, sel.risks AS risicos,
       dep.refs AS hangt_af_van, dep.partners, sel.location_description AS locatie, sel.geometry_precision AS ligging,
       sel.location_source AS ligging_bron, sel.location_assumption AS ligging_aanname,
       sel.published AS gepubliceerd, sel.source AS bron, sel.id, m.name AS gemeente, wk.codes AS wijken,
       CASE WHEN bl.fiche_id IS NOT NULL THEN coalesce(bl.spent, 0)::float8 END AS budget_totaal_eur,
       coalesce(bl.illustrative, false) AS budget_illustratief,
       least(ph.first, bl.first) AS jaar_start, greatest(ph.last, bl.last) AS jaar_einde,
       coalesce(bl.illustrative, false) OR sel.sdgs_illustrative OR coalesce(ph.illustrative, false) AS illustratief,
       m.nis_code, to_char(sel.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS bijgewerkt,
       '{BASE_URL}/' || m.slug || '/fiches/' || sel.id AS url{geometry}
FROM sel JOIN municipalities m ON m.id = sel.municipality_id LEFT JOIN fiches par ON par.id = sel.parent_id
LEFT JOIN bl ON bl.fiche_id = sel.id LEFT JOIN ph ON ph.fiche_id = sel.id LEFT JOIN sd ON sd.fiche_id = sel.id
LEFT JOIN dep ON dep.fiche_id = sel.id LEFT JOIN wk ON wk.fiche_id = sel.id
ORDER BY sel.id"""


def phases_sql(family: str) -> str:
    """The phases at their own place or their fiche's (PHASE_ORDER)."""
    place = "coalesce(p.geom, f.geom)"
    geometry = f", ST_Multi({place}) AS geom" if family != "zonder_ligging" else ""
    return f"""
SELECT f.ref AS fiche_ref, p.position AS volgorde, p.title AS titel, p.phase_kind AS soort, p.start,
       p."end" AS einde, p.status, p.illustrative AS illustratief, p.note AS toelichting, p.id,
       f.ref || '-f' || p.position AS sleutel, f.id AS fiche_id, f.title AS fiche_titel,
       p.geom IS NOT NULL AS eigen_geometrie, m.nis_code, '{BASE_URL}/' || m.slug || '/fiches/' || f.id AS url{geometry}
FROM phases p JOIN fiches f ON f.id = p.fiche_id JOIN municipalities m ON m.id = f.municipality_id
WHERE f.published AND f.kind IN {PROJECT_KINDS} AND {_family(place, family)}
ORDER BY f.id, p.position, p.id"""


BUDGET_SQL = f"""
SELECT f.ref || '-b' || b.year || '-' || b.kind || '-'
       || row_number() OVER (PARTITION BY b.fiche_id, b.year, b.kind ORDER BY b.id) AS sleutel,
       f.ref AS fiche_ref, b.year AS jaar, b.kind AS soort, b.direction AS richting, b.amount_eur::float8 AS bedrag_eur,
       b.basis, b.note AS toelichting, b.phase_position AS fase, f.id AS fiche_id
FROM budget_lines b JOIN fiches f ON f.id = b.fiche_id
WHERE f.published AND f.kind IN {PROJECT_KINDS}
ORDER BY f.id, b.year, b.id"""

WIJKEN_SQL = """
SELECT a.code, a.name AS naam, a.level AS niveau, m.nis_code, m.name AS gemeente, a.source AS bron, a.geom
FROM areas a JOIN municipalities m ON m.id = a.municipality_id WHERE a.level = 'wijk' ORDER BY a.code, a.id"""

INDICATOR_SQL = """
SELECT a.code AS gebied_code, i.code AS indicator_code, i.name AS indicator_naam, i.unit AS eenheid,
       v.period AS periode, v.value AS waarde, v.source AS bron, v.illustrative AS illustratief, v.id,
       a.name AS wijk_naam, m.nis_code, v.comparison_value AS vergelijkingswaarde, v.comparison_label AS vergelijking
FROM indicator_values v JOIN areas a ON a.id = v.area_id JOIN indicators i ON i.id = v.indicator_id
JOIN municipalities m ON m.id = a.municipality_id WHERE a.level = 'wijk' ORDER BY m.name, v.id"""

FIGURES_SQL = """
SELECT v.id, m.nis_code, m.name AS gemeente, i.code AS indicator_code, i.name AS indicator_naam, i.unit AS eenheid,
       v.period AS periode, v.value AS waarde, v.comparison_value AS vergelijkingswaarde,
       v.comparison_label AS vergelijking, v.source AS bron, v.quote AS citaat
FROM indicator_values v JOIN areas a ON a.id = v.area_id JOIN indicators i ON i.id = v.indicator_id
JOIN municipalities m ON m.id = a.municipality_id WHERE a.level = 'gemeente' AND NOT v.illustrative
ORDER BY m.name, v.id"""


def yardstick_layers() -> list[tuple[str, str, str]]:
    """[(layer, SQL, -nlt)] in the order of our GeoPackage (app.exports.gpkg.gpkg_layers)."""
    layers = [(f"{table}_{family}", make(family), nlt) for table, make in (("fiches", fiches_sql),
                                                                           ("fasen", phases_sql))
              for family, (_, nlt) in FAMILIES.items()]
    return layers + [("budgetlijnen", BUDGET_SQL, "NONE"), ("wijken", WIJKEN_SQL, "MULTIPOLYGON"),
                     ("indicatorwaarden", INDICATOR_SQL, "NONE"), ("stadscijfers", FIGURES_SQL, "NONE")]


def pg_datasource(url: str) -> str:
    u = make_url(url)
    parts = [f"host={u.host or '127.0.0.1'}", f"port={u.port or 5432}", f"dbname={u.database}",
             f"user={u.username}", f"options='{READ_ONLY}'"]
    if u.password:
        parts.append(f"password={u.password}")
    return "PG:" + " ".join(parts)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_ogr2ogr(url: str, out: Path) -> tuple[float, float]:
    """(seconds for the whole file, CPU seconds of the ogr2ogr processes):
    one ogr2ogr per layer, one after the other."""
    out.unlink(missing_ok=True)
    source = pg_datasource(url)
    cpu = _children_cpu()
    started = time.perf_counter()
    for i, (layer, sql, nlt) in enumerate(yardstick_layers()):
        first = ["-dsco", "VERSION=1.2"] if i == 0 else ["-update"]
        subprocess.run(["ogr2ogr", "-f", "GPKG", *first, str(out), source, "-sql", sql, "-nln", layer,
                        "-nlt", nlt, "-a_srs", "EPSG:31370"], check=True, capture_output=True)
    return time.perf_counter() - started, _children_cpu() - cpu


VRT_TYPES = {"MULTIPOINT": "wkbMultiPoint", "MULTILINESTRING": "wkbMultiLineString",
             "MULTIPOLYGON": "wkbMultiPolygon", "NONE": "wkbNone"}


def yardstick_vrt(url: str, path: Path) -> Path:
    """The same layers as one OGR VRT over one shared PostgreSQL connection
    (SrcSQL per layer), for a single ogr2ogr run: no process start and no
    connection per layer."""
    source = escape(pg_datasource(url))
    layers = "".join(
        f'<OGRVRTLayer name="{name}"><SrcDataSource shared="1">{source}</SrcDataSource>'
        f"<SrcSQL>{escape(sql)}</SrcSQL><GeometryType>{VRT_TYPES[nlt]}</GeometryType>"
        + ("" if nlt == "NONE" else "<LayerSRS>EPSG:31370</LayerSRS>") + "</OGRVRTLayer>"
        for name, sql, nlt in yardstick_layers())
    path.write_text(f"<OGRVRTDataSource>{layers}</OGRVRTDataSource>")
    return path


def run_ogr2ogr_vrt(vrt: Path, out: Path) -> tuple[float, float]:
    """(seconds, CPU seconds of ogr2ogr) for the whole file in one ogr2ogr run over `vrt`."""
    out.unlink(missing_ok=True)
    cpu = _children_cpu()
    started = time.perf_counter()
    subprocess.run(["ogr2ogr", "-f", "GPKG", "-dsco", "VERSION=1.2", str(out), str(vrt)], check=True,
                   capture_output=True)
    return time.perf_counter() - started, _children_cpu() - cpu


def make_ours(url: str):
    """A function that exports like the download route, writes the file to
    `out` and returns (seconds building the data, seconds writing, CPU seconds
    of this process for both)."""
    from app import create_app
    from app.db import get_session
    from app.exports import get_exporter
    from app.exports.assemble import BRUSSELS, build_export_data
    from app.read.queries import FicheFilters

    sep = "&" if "?" in url else "?"
    app = create_app({"DATABASE_URL": f"{url}{sep}options={READ_ONLY.replace(' ', '%20').replace('=', '%3D')}",
                      "SECRET_KEY": "bench"})
    exporter = get_exporter("gpkg")

    def ours(out: Path) -> tuple[float, float, float]:
        with app.app_context():
            cpu = time.process_time()
            started = time.perf_counter()
            now = dt.datetime.now(BRUSSELS).replace(microsecond=0, tzinfo=None)
            data = build_export_data(get_session(), None, FicheFilters(), BASE_URL, now)
            built = time.perf_counter()
            body = exporter.write(data, "EPSG:31370")      # the bytes the route sends
            seconds = built - started, time.perf_counter() - built, time.process_time() - cpu
        out.write_bytes(body)                              # for the layout check, not timed
        return seconds

    return ours


def layer_summary(path: Path) -> dict[str, tuple[int, tuple[str, ...]]]:
    """{layer: (features, columns)} of a GeoPackage, read with sqlite3."""
    with sqlite3.connect(path) as db:
        names = [r[0] for r in db.execute("SELECT table_name FROM gpkg_contents ORDER BY table_name")]
        out = {}
        for name in names:
            columns = tuple(r[1] for r in db.execute(f'PRAGMA table_info("{name}")') if r[1] not in ("fid", "geom"))
            out[name] = (db.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0], columns)
        return out


def _check_same_layout(ours: Path, theirs: Path) -> None:
    summary_ours = layer_summary(ours)
    for layer, (count, columns) in layer_summary(theirs).items():
        ours_count, ours_columns = summary_ours.get(layer, (None, ()))
        if ours_count != count or set(ours_columns) != set(columns):
            raise SystemExit(f"layer {layer}: ogr2ogr {count} rows {columns}, ours {ours_count} rows {ours_columns}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="write the files into this directory and keep them")
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        report(compare(args.url, args.repeats, args.keep))
        return
    report(compare_in_scratch(args.url, args.repeats))


def compare_in_scratch(url: str, repeats: int) -> dict:
    """compare() in a scratch directory: ogr2ogr writes where our writer
    makes its scratch file (memory where the system has it). scripts/bench uses this."""
    with tempfile.TemporaryDirectory(prefix="fichekaart-bench-export-", dir=SCRATCH_DIR) as directory:
        return compare(url, repeats, Path(directory))


def compare(url: str, repeats: int, directory: Path) -> dict:
    """Ours against both yardsticks, interleaved: {"median": {who: seconds,
    who_cpu: seconds, build, write}, "runs": [...], "fiches", "layers", "sizes", "load"}."""
    files = {who: directory / f"{who}.gpkg" for who in ("ours", "ogr2ogr", "vrt")}
    vrt = yardstick_vrt(url, directory / "yardstick.vrt")
    ours = make_ours(url)

    def run(who: str) -> dict:
        if who == "ours":
            build, write, cpu = ours(files["ours"])
            return {"ours": build + write, "build": build, "write": write, "ours_cpu": cpu}
        seconds, cpu = (run_ogr2ogr(url, files[who]) if who == "ogr2ogr"
                        else run_ogr2ogr_vrt(vrt, files[who]))
        return {who: seconds, f"{who}_cpu": cpu}

    load_before = os.getloadavg()
    print(f"[bench-export] warm-up; load average {load_before[0]:.1f}", file=sys.stderr, flush=True)
    for who in files:
        run(who)
    _check_same_layout(files["ours"], files["ogr2ogr"])
    _check_same_layout(files["ours"], files["vrt"])
    order = list(files)
    runs = []
    for i in range(repeats):
        result: dict = {}
        for who in order[i % 3:] + order[:i % 3]:     # each goes first, second and third in turn
            result.update(run(who))
        runs.append(result)
        print(f"[bench-export] repeat {i + 1}: ours {result['ours']:.2f} s (build {result['build']:.2f} + write "
              f"{result['write']:.2f}), ogr2ogr per layer {result['ogr2ogr']:.2f} s, one run (VRT) "
              f"{result['vrt']:.2f} s", file=sys.stderr, flush=True)
    summary = layer_summary(files["ours"])
    return {"median": {k: statistics.median(r[k] for r in runs) for k in runs[0]}, "runs": runs,
            "fiches": sum(summary[f"fiches_{f}"][0] for f in FAMILIES),
            "layers": {layer: count for layer, (count, _) in summary.items()},
            "sizes": {who: path.stat().st_size for who, path in files.items()},
            "load": (load_before[0], os.getloadavg()[0])}


def report(result: dict) -> None:
    med, runs = result["median"], result["runs"]
    print(f"GeoPackage export, {result['fiches']:,} fiches, every city, EPSG:31370; "
          f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; load average {result['load'][0]:.1f} before, "
          f"{result['load'][1]:.1f} after; {os.cpu_count()} CPUs")
    print("layers: " + ", ".join(f"{layer} {count:,}" for layer, count in result["layers"].items()))
    print(f"| median of {len(runs)} interleaved repeats | time | ours / this | median of the repeats' ratios "
          "| client CPU (PostgreSQL not counted) |")
    print("|---|---|---|---|---|")
    for who, label in (("ours", "Fichekaart (build data + write)"), ("ogr2ogr", "ogr2ogr, one run per layer (-sql)"),
                       ("vrt", "ogr2ogr, one run over a VRT of the same SQL")):
        ratio = "" if who == "ours" else (f"{med['ours'] / med[who]:.2f} x | "
                                          f"{statistics.median(r['ours'] / r[who] for r in runs):.2f} x")
        print(f"| {label} | {med[who]:.2f} s | {ratio or ' | '} | {med[f'{who}_cpu']:.2f} s |")
    print(f"ours: build data {med['build']:.2f} s, write {med['write']:.2f} s")
    print("per repeat (ours / per layer / VRT): " + ", ".join(
        f"{r['ours']:.2f} / {r['ogr2ogr']:.2f} / {r['vrt']:.2f} s" for r in runs))
    print("sizes: " + ", ".join(f"{who} {size / 1e6:.1f} MB" for who, size in result["sizes"].items()))


if __name__ == "__main__":
    main()
