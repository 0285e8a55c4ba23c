"""The benchmark dataset: a separate PostGIS database with the migrations,
the demo content, the 2,730 real wijken of Flanders and Brussels
(geodata/areas/vlaanderen_wijken.gpkg, municipalities from its `gemeenten`
layer by the NIS code prefix) and N GENERATED fiches placed inside them.

Generated fiches are marked everywhere: title and summary say
"gegenereerd (benchmark)", source is region.GENERATED_SOURCE, placement
"indicatief", phases illustrative, budget basis "illustratief". Herentals
and Halle get none (their pages keep the demo data). A fixed seed makes the
same dataset every time; the database is rebuilt only when the recipe changed
(the recipe is kept as the database's comment).

    python scripts/bench_data.py postgresql+psycopg://fichekaart@127.0.0.1:55432/fichekaart_bench [--fiches 30000]
"""
from __future__ import annotations

import argparse
import math
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import geopandas  # noqa: E402,F401  (import order: app/db.py)
import numpy as np  # noqa: E402
import pyogrio  # noqa: E402
import shapely  # noqa: E402
import shapely.affinity  # noqa: E402
from sqlalchemy import create_engine, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app.views.region import GENERATED_SOURCE  # noqa: E402

RECIPE = "bench-data-v1"
SEED = 20261202
WIJKEN_GPKG = ROOT / "geodata" / "areas" / "vlaanderen_wijken.gpkg"
DEMO_CITIES = ("13011", "23027")  # Herentals, Halle: demo content only
WIJK_SOURCE = "Bron: Statbel, Provincies in Cijfers (gebiedsniveaus, wijken 2024)"
SECTORS = ("Burger en Samenleving", "Vrije Tijd", "Stadsontwikkeling", "Ondersteunende Diensten")
STATUSES = ("voorstel", "gepland", "lopend", "gerealiseerd", "uitgesteld", "geschrapt")
STATUS_WEIGHTS = (0.2, 0.3, 0.25, 0.15, 0.05, 0.05)
PHASE_KINDS = ("studie", "ontwerp", "vergunning", "aanbesteding", "uitvoering", "oplevering")
GENERATED = "gegenereerd (benchmark)"


def log(message: str) -> None:
    print(f"[bench-data] {message}", file=sys.stderr, flush=True)


def _admin(url: str):
    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def existing_recipe(url: str) -> str | None:
    name = make_url(url).database
    with _admin(url).connect() as conn:
        return conn.execute(text(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = :n"), {"n": name}
        ).scalar()


def recreate_database(url: str) -> None:
    name = make_url(url).database
    engine = _admin(url)
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    engine.dispose()


def mark_database(url: str, recipe: str) -> None:
    with _admin(url).connect() as conn:
        conn.execute(text(f"COMMENT ON DATABASE \"{make_url(url).database}\" IS '{recipe}'"))


def ewkb(geom) -> str:
    return shapely.to_wkb(shapely.set_srid(geom, 31370), hex=True, include_srid=True)


# --- geometry generators ------------------------------------------------------
def point_inside(rng, polygon, prepared_bounds) -> shapely.Point:
    minx, miny, maxx, maxy = prepared_bounds
    for _ in range(200):
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if shapely.contains_xy(polygon, x, y):
            return shapely.Point(x, y)
    return shapely.point_on_surface(polygon)


def line_from(rng, start: shapely.Point) -> shapely.LineString:
    """2-6 vertices, 50-2,000 m in total (log-uniform), turning up to 40 degrees per segment."""
    length = math.exp(rng.uniform(math.log(50), math.log(2000)))
    segments = int(rng.integers(1, 6))
    heading = rng.uniform(0, 2 * math.pi)
    coords = [(start.x, start.y)]
    for _ in range(segments):
        heading += rng.uniform(-0.7, 0.7)
        x, y = coords[-1]
        step = length / segments
        coords.append((x + step * math.cos(heading), y + step * math.sin(heading)))
    return shapely.LineString(coords)


def polygon_around(rng, center: shapely.Point) -> shapely.Polygon:
    """6-11 vertices around the centre, 0.1-10 ha (log-uniform), star-shaped so always valid."""
    area = math.exp(rng.uniform(math.log(1_000), math.log(100_000)))
    k = int(rng.integers(6, 12))
    angles = np.sort(rng.uniform(0, 2 * math.pi, k))
    radii = rng.uniform(0.75, 1.25, k)
    ring = [(center.x + r * math.cos(a), center.y + r * math.sin(a)) for a, r in zip(angles, radii)]
    polygon = shapely.Polygon(ring)
    scale = math.sqrt(area / polygon.area)
    polygon = shapely.affinity.scale(polygon, scale, scale, origin=center)
    return polygon if polygon.is_valid else center.buffer(math.sqrt(area / math.pi), 4)


# --- loading ------------------------------------------------------------------
def municipality_names(wijken) -> dict[str, str]:
    """{NIS code: name} for every wijk's code prefix. Nine prefixes are codes
    from before the 2019 mergers (not in the 2024 `gemeenten` layer): their
    name comes from the main deelgemeente ("Aalter (Dg.)") or the first wijk
    ("Westerlo (wijk)"), without the part in brackets."""
    names = dict(zip(*pyogrio.read_dataframe(WIJKEN_GPKG, layer="gemeenten", read_geometry=False)[["code", "naam"]]
                     .T.values))
    parts = pyogrio.read_dataframe(WIJKEN_GPKG, layer="deelgemeenten", read_geometry=False)
    main_parts = dict(zip(parts["code"], parts["naam"]))
    for code, name in sorted(zip(wijken["code"], wijken["naam"])):
        prefix = code[:5]
        if prefix not in names:
            names[prefix] = re.sub(r"\s*\(.*\)\s*$", "", main_parts.get(prefix + "A", name)) or prefix
    return names


def load_areas(session, conn) -> list[dict]:
    """Municipalities (gemeenten layer) and wijken not yet in the database. Returns every wijk."""
    from app.write.imports.areas import slugify
    from app.models import Area, Municipality

    wijken = pyogrio.read_dataframe(WIJKEN_GPKG, layer="wijken")
    known = {m.nis_code: m for m in session.scalars(select(Municipality))}
    slugs = {m.slug for m in known.values()}
    for code, name in municipality_names(wijken).items():
        if code in known:
            continue
        slug = slugify(name)
        slug = slug if slug not in slugs else f"{slug}-{code}"
        slugs.add(slug)
        known[code] = Municipality(nis_code=code, name=name, slug=slug)
        session.add(known[code])
    session.flush()
    existing = set(session.scalars(select(Area.code)))
    rows = []
    for code, name, geom in zip(wijken["code"], wijken["naam"], wijken.geometry):
        if code in existing:
            continue
        rows.append(Area(municipality_id=known[code[:5]].id, level="wijk", code=code, name=name,
                         source=WIJK_SOURCE, geom=f"SRID=31370;{geom.wkt}"))
    session.add_all(rows)
    session.flush()
    log(f"{len(known)} municipalities, {len(rows)} wijken added ({len(wijken)} in the file)")
    return [{"code": c, "name": n, "nis": c[:5], "municipality_id": known[c[:5]].id, "geom": g}
            for c, n, g in zip(wijken["code"], wijken["naam"], wijken.geometry)]


def generate_fiches(wijken: list[dict], n: int, first_id: int, rng):
    """(fiche rows, phase rows, budget rows) for COPY."""
    candidates = [w for w in wijken if w["nis"] not in DEMO_CITIES]
    bounds = {w["code"]: w["geom"].bounds for w in candidates}
    for w in candidates:
        shapely.prepare(w["geom"])
    kinds = rng.choice(3, size=n, p=(0.60, 0.25, 0.15))
    picks = rng.integers(0, len(candidates), size=n)
    fiches, phases, budgets = [], [], []
    phase_id, budget_id = first_id, first_id
    for i in range(n):
        wijk = candidates[picks[i]]
        anchor = point_inside(rng, wijk["geom"], bounds[wijk["code"]])
        geom = (anchor, line_from(rng, anchor), polygon_around(rng, anchor))[kinds[i]]
        fiche_id = first_id + i
        status = STATUSES[rng.choice(len(STATUSES), p=STATUS_WEIGHTS)]
        shape = ("Punt", "Tracé", "Zone")[kinds[i]]
        fiches.append((
            fiche_id, wijk["municipality_id"], f"GEN-{wijk['nis']}-{i + 1:05d}", "fiche",
            f"{shape} {i + 1} in {wijk['name']}: {GENERATED}",
            f"Fiche {GENERATED}: geen echt project, enkel om de kaarten en de API op regioschaal te meten.",
            SECTORS[int(rng.integers(0, len(SECTORS)))], status, ("verplicht", "keuze")[int(rng.integers(0, 2))],
            bool(rng.random() < 0.1), int(rng.integers(0, 101)) if status == "lopend" else None, "indicatief",
            f"Willekeurige ligging in de wijk {wijk['name']} ({wijk['code']}).",
            GENERATED_SOURCE, bool(rng.random() >= 0.03), True, 1, ewkb(geom),
        ))
        start_year = int(rng.integers(2025, 2030))
        for position in range(1, int(rng.integers(1, 4)) + 1):
            kind = PHASE_KINDS[min(len(PHASE_KINDS) - 1, (position - 1) * 2 + int(rng.integers(0, 2)))]
            start = f"{start_year + position - 1}-{int(rng.integers(1, 7)):02d}-01"
            end = f"{start_year + position - 1}-{int(rng.integers(7, 13)):02d}-28"
            phases.append((phase_id, fiche_id, position, f"{kind.capitalize()} ({GENERATED})", kind, start, end,
                           "gepland", True))
            phase_id += 1
        for _ in range(int(rng.integers(1, 5))):
            amount = round(math.exp(rng.uniform(math.log(10_000), math.log(5_000_000))), -2)
            budgets.append((budget_id, fiche_id, int(rng.integers(2025, 2032)),
                            ("investering", "exploitatie")[int(rng.integers(0, 2))], "uitgave", amount,
                            "illustratief", f"Bedrag {GENERATED}, illustratief."))
            budget_id += 1
    return fiches, phases, budgets


FICHE_COLUMNS = ("id, municipality_id, ref, kind, title, summary, sector, status, obligation, priority, progress_pct, "
                 "geometry_precision, location_description, source, published, sdgs_illustrative, version, geom")
PHASE_COLUMNS = 'id, fiche_id, position, title, phase_kind, start, "end", status, illustrative'
BUDGET_COLUMNS = "id, fiche_id, year, kind, direction, amount_eur, basis, note"


def copy_rows(raw, table: str, columns: str, rows) -> None:
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def build(url: str, n_fiches: int, force: bool = False) -> dict:
    """Make sure the database at `url` holds the dataset; returns its counts."""
    from app import create_app, migrate
    from app.db import get_engine, get_session
    from app.write.imports.demo import load_demo

    recipe = f"{RECIPE}:{n_fiches}:{SEED}"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    if force or existing_recipe(url) != recipe:
        started = time.perf_counter()
        log(f"building {make_url(url).database} ({n_fiches} generated fiches, seed {SEED})")
        recreate_database(url)
        with app.app_context():
            migrate.upgrade(get_engine())
            session = get_session()
            with session.begin():
                load_demo(session, log=lambda *_: None)
                wijken = load_areas(session, None)
                first_id = session.execute(text("SELECT coalesce(max(id), 0) + 1000 FROM fiches")).scalar()
                rng = np.random.default_rng(SEED)
                fiches, phases, budgets = generate_fiches(wijken, n_fiches, first_id, rng)
                log(f"generated {len(fiches)} fiches, {len(phases)} phases, {len(budgets)} budget lines")
                raw = session.connection().connection.driver_connection
                copy_rows(raw, "fiches", FICHE_COLUMNS, fiches)
                copy_rows(raw, "phases", PHASE_COLUMNS, phases)
                copy_rows(raw, "budget_lines", BUDGET_COLUMNS, budgets)
                for table in ("fiches", "phases", "budget_lines", "areas", "municipalities"):
                    session.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
            session.close()
            # COPY went around the session's events: the generated fiches' public records
            filled = time.perf_counter()
            log(f"stored {migrate.fill_stored_records(get_engine())} public records "
                f"in {time.perf_counter() - filled:.1f} s")
            get_engine().dispose()
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("VACUUM ANALYZE"))
        engine.dispose()
        mark_database(url, recipe)
        log(f"built in {time.perf_counter() - started:.1f} s")
    else:
        # the same rows, but the code may have new migrations since the build
        with app.app_context():
            migrate.upgrade(get_engine())
            get_engine().dispose()
        log(f"{make_url(url).database} is up to date ({recipe}), migrated to the head")
    return counts(url)


def counts(url: str) -> dict:
    """What the database at `url` holds (read only)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        found = dict(conn.execute(text(
            "SELECT 'fiches', count(*) FROM fiches UNION ALL SELECT 'generated', count(*) FROM fiches "
            "WHERE ref LIKE 'GEN-%' UNION ALL SELECT 'phases', count(*) FROM phases UNION ALL "
            "SELECT 'budget_lines', count(*) FROM budget_lines UNION ALL SELECT 'wijken', count(*) FROM areas "
            "WHERE level = 'wijk' UNION ALL SELECT 'municipalities', count(*) FROM municipalities")).all())
    engine.dispose()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--fiches", type=int, default=30_000)
    parser.add_argument("--force", action="store_true", help="rebuild even if the recipe is unchanged")
    args = parser.parse_args()
    print(build(args.url, args.fiches, args.force))


if __name__ == "__main__":
    main()
