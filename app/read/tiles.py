"""Mapbox Vector Tiles of the region-scale layers (fiches, wijken), made by
PostGIS (ST_TileEnvelope, ST_AsMVTGeom, ST_AsMVT). SpatiaLite has no MVT
encoder: there the map falls back to GeoJSON by bbox (app/viewport.py).

Tiles are XYZ in Web Mercator (EPSG:3857), as Leaflet asks for them. A tile
is one SQL statement, run outside any transaction (docs/bench.md, "Cold
tiles against tipg"). The view keeps the last tiles per worker (app/http/kept_tiles.py),
keyed by the data version, so an edit never serves an old tile.
"""
from __future__ import annotations

import math

from sqlalchemy import Float, Integer, bindparam, func, literal_column, select
from sqlalchemy.orm import Session

from ..crs import STORAGE_EPSG
from ..http.lru import LruCache
from ..models import Area, Fiche, Municipality
from ..spatial import is_spatialite, simplified
from .queries import FicheFilters, fiche_conditions
from .viewport import TITLE_MIN_ZOOM, Detail

LAYERS = ("fiches", "wijken")
MAX_ZOOM = 22
EXTENT = 4096   # MVT grid per tile
BUFFER = 64     # grid units drawn beyond the tile edge (no seams for strokes)
_HALF_WORLD = math.pi * 6378137.0  # Web Mercator half width in metres
# Up to this zoom the fiches layer holds clusters (see _fiche_clusters), of this many pixels.
CLUSTER_MAX_ZOOM = 11
CLUSTER_PX = 12


class TileError(ValueError):
    """A tile address that does not exist (Dutch message)."""


def tiles_available(session: Session) -> bool:
    return not is_spatialite(session)


def check_address(layer: str, z: int, x: int, y: int) -> None:
    if layer not in LAYERS:
        raise TileError(f"Onbekende laag '{layer}': kies uit {', '.join(LAYERS)}.")
    if not 0 <= z <= MAX_ZOOM:
        raise TileError(f"Zoomniveau {z} bestaat niet (0 tot {MAX_ZOOM}).")
    if not (0 <= x < 2 ** z and 0 <= y < 2 ** z):
        raise TileError(f"Tegel {z}/{x}/{y} bestaat niet: x en y liggen tussen 0 en {2 ** z - 1}.")


# The tile's address and sizes are parameters of the statement: one
# statement text per layer, zoom band and filters, compiled once (see _statement).
_Z, _X, _Y = (bindparam(name, type_=Integer) for name in ("z", "x", "y"))
_MARGIN, _STEP, _TOLERANCE, _CELL = (bindparam(name, type_=Float) for name in ("margin", "step", "tolerance", "cell"))
TILE = func.ST_TileEnvelope(_Z, _X, _Y)
# The tile plus its buffer in EPSG:31370, for the spatial index; densified, since
# the tile's straight edges are curves in Lambert 72. Transformed by PostGIS, as
# the geometries drawn in the tile are (one transformation for both).
SEARCH = func.ST_Transform(func.ST_Segmentize(func.ST_Expand(TILE, _MARGIN), _STEP), STORAGE_EPSG)


def tile_parameters(z: int, x: int, y: int) -> dict:
    size = 2 * _HALF_WORLD / 2 ** z
    tolerance = Detail.for_zoom(z).tolerance_m  # half a pixel, in metres
    return {"z": z, "x": x, "y": y, "margin": size * BUFFER / EXTENT, "step": size / 8, "tolerance": tolerance,
            "cell": tolerance * 2 * CLUSTER_PX}


def _fiche_rows(session: Session, filters: FicheFilters, titles: bool):
    geom = func.ST_AsMVTGeom(func.ST_Transform(simplified(session, Fiche.geom, _TOLERANCE), 3857),
                             TILE, EXTENT, BUFFER, True)
    # m: the municipality's slug (the popup links to /<m>/fiches/<id>); a tile
    # stores each distinct value once, a full URL per fiche would not repeat.
    # d: 0 point, 1 line, 2 polygon (the style needs it; VectorGrid does not pass the geometry type).
    columns = [geom.label("geom"), Fiche.id.label("id"), Fiche.status.label("status"), Municipality.slug.label("m"),
               func.ST_Dimension(Fiche.geom).label("d")]
    if titles:
        columns += [Fiche.title.label("title"), Municipality.name.label("municipality"),
                    (Fiche.geometry_precision == "indicatief").label("indicative")]
    return (
        select(*columns)
        .join(Municipality, Fiche.municipality_id == Municipality.id)
        .where(Fiche.geom.op("&&")(SEARCH), *fiche_conditions(session, filters))
    )


def _fiche_clusters(session: Session, filters: FicheFilters):
    """Low zooms: one point per occupied cell of about CLUSTER_PX screen pixels,
    with the number of fiches and their most frequent status. A whole region's
    30,000 fiches stay a few hundred points, whatever the region holds.

    The cells are squares in EPSG:31370 metres (a pixel's size at Flanders'
    latitude): grouping by two integers needs no transform per fiche, only
    one per cluster."""
    cell = _CELL
    centre = func.ST_Centroid(Fiche.geom)
    points = (
        select(func.ST_X(centre).label("x"), func.ST_Y(centre).label("y"), Fiche.status.label("status"))
        .where(Fiche.geom.op("&&")(SEARCH), *fiche_conditions(session, filters))
        .subquery("points")
    )
    groups = (
        select(func.avg(points.c.x).label("x"), func.avg(points.c.y).label("y"), func.count().label("count"),
               func.mode().within_group(points.c.status).label("status"))
        .group_by(func.floor(points.c.x / cell), func.floor(points.c.y / cell))
        .subquery("cells")
    )
    centre_3857 = func.ST_Transform(func.ST_SetSRID(func.ST_MakePoint(groups.c.x, groups.c.y), STORAGE_EPSG), 3857)
    return select(func.ST_AsMVTGeom(centre_3857, TILE, EXTENT, BUFFER, True).label("geom"),
                  groups.c.count, groups.c.status)


def _wijk_rows(session: Session, titles: bool):
    geom = func.ST_AsMVTGeom(func.ST_Transform(simplified(session, Area.geom, _TOLERANCE), 3857),
                             TILE, EXTENT, BUFFER, True)
    columns = [geom.label("geom"), Area.code.label("code"), Area.name.label("name")]
    if titles:
        columns.append(Municipality.name.label("municipality"))
    return (
        select(*columns)
        .join(Municipality, Area.municipality_id == Municipality.id)
        .where(Area.level == "wijk", Area.geom.op("&&")(SEARCH))
    )


# Statements made, by layer, zoom band and filters (a few per map: the filters
# change rarely; the text search's condition is made from the query alone).
_STATEMENTS = LruCache(64)


def _statement(session: Session, layer: str, z: int, filters: FicheFilters):
    titles = z >= TITLE_MIN_ZOOM
    clusters = layer == "fiches" and z <= CLUSTER_MAX_ZOOM
    key = (str(session.get_bind().engine.url), layer, clusters, titles, repr(filters))
    stmt = _STATEMENTS.get(key)
    if stmt is None:
        if layer == "wijken":
            rows = _wijk_rows(session, titles)
        elif clusters:
            rows = _fiche_clusters(session, filters)
        else:
            rows = _fiche_rows(session, filters, titles)
        # No "geom IS NOT NULL": ST_AsMVT skips the rows whose geometry is NULL
        # (clipped away), and the filter made PostgreSQL run ST_AsMVTGeom twice per row.
        stmt = select(func.ST_AsMVT(literal_column("tile.*"), layer, EXTENT, "geom")).select_from(rows.subquery("tile"))
        _STATEMENTS.put(key, stmt)
    return stmt


def make_tile(session: Session, layer: str, z: int, x: int, y: int, filters: FicheFilters) -> bytes:
    """The MVT bytes of one tile (b"" when nothing lies in it). PostGIS only."""
    check_address(layer, z, x, y)
    body = one_statement(session, _statement(session, layer, z, filters), tile_parameters(z, x, y))
    return bytes(body) if body else b""


def one_statement(session: Session, stmt, parameters: dict):
    """The scalar of `stmt` from a connection in autocommit mode of the
    session's database: the statement alone, with no BEGIN before it and no
    ROLLBACK after it (two round trips fewer; a single statement sees one
    snapshot anyway). JIT is off for the app's connections (app/db.py)."""
    with session.get_bind().engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        return connection.execute(stmt, parameters).scalar()
