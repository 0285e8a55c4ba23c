"""Mapbox Vector Tiles of the region-scale layers (fiches, wijken), made by
PostGIS (ST_TileEnvelope, ST_AsMVTGeom, ST_AsMVT). SpatiaLite has no MVT
encoder: there the map falls back to GeoJSON by bbox (app/viewport.py).

Tiles are XYZ in Web Mercator (EPSG:3857), as Leaflet asks for them. Each
worker keeps the last tiles it made, keyed by the data version, so an edit
never serves an old tile.
"""
from __future__ import annotations

import math

import shapely
from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import Session

from ..crs import STORAGE_EPSG, transform
from ..http.lru import LruCache
from ..models import Area, Fiche, Municipality
from ..spatial import envelope, is_spatialite, simplified, without_jit
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


def tile_box_31370(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """The tile plus its buffer as a box in EPSG:31370, for the spatial index."""
    size = 2 * _HALF_WORLD / 2 ** z
    margin = size * BUFFER / EXTENT
    minx = -_HALF_WORLD + x * size - margin
    maxy = _HALF_WORLD - y * size + margin
    box = shapely.box(minx, maxy - size - 2 * margin, minx + size + 2 * margin, maxy)
    # Densified: the tile's straight edges are curves in Lambert 72.
    return transform(shapely.segmentize(box, size / 8), 3857, STORAGE_EPSG).bounds


def _fiche_rows(session: Session, filters: FicheFilters, z: int, tile, search):
    detail = Detail.for_zoom(z)
    geom = func.ST_AsMVTGeom(func.ST_Transform(simplified(session, Fiche.geom, detail.tolerance_m), 3857),
                             tile, EXTENT, BUFFER, True)
    # m: the municipality's slug (the popup links to /<m>/fiches/<id>); a tile
    # stores each distinct value once, a full URL per fiche would not repeat.
    # d: 0 point, 1 line, 2 polygon (the style needs it; VectorGrid does not pass the geometry type).
    columns = [geom.label("geom"), Fiche.id.label("id"), Fiche.status.label("status"), Municipality.slug.label("m"),
               func.ST_Dimension(Fiche.geom).label("d")]
    if z >= TITLE_MIN_ZOOM:
        columns += [Fiche.title.label("title"), Municipality.name.label("municipality"),
                    (Fiche.geometry_precision == "indicatief").label("indicative")]
    return (
        select(*columns)
        .join(Municipality, Fiche.municipality_id == Municipality.id)
        .where(Fiche.geom.op("&&")(search), *fiche_conditions(session, filters))
    )


def _fiche_clusters(session: Session, filters: FicheFilters, z: int, tile, search):
    """Low zooms: one point per occupied cell of about CLUSTER_PX screen pixels,
    with the number of fiches and their most frequent status. A whole region's
    30,000 fiches stay a few hundred points, whatever the region holds.

    The cells are squares in EPSG:31370 metres (a pixel's size at Flanders'
    latitude): grouping by two integers needs no transform per fiche, only
    one per cluster."""
    cell = Detail.for_zoom(z).tolerance_m * 2 * CLUSTER_PX
    centre = func.ST_Centroid(Fiche.geom)
    points = (
        select(func.ST_X(centre).label("x"), func.ST_Y(centre).label("y"), Fiche.status.label("status"))
        .where(Fiche.geom.op("&&")(search), *fiche_conditions(session, filters))
        .subquery("points")
    )
    groups = (
        select(func.avg(points.c.x).label("x"), func.avg(points.c.y).label("y"), func.count().label("count"),
               func.mode().within_group(points.c.status).label("status"))
        .group_by(func.floor(points.c.x / cell), func.floor(points.c.y / cell))
        .subquery("cells")
    )
    centre_3857 = func.ST_Transform(func.ST_SetSRID(func.ST_MakePoint(groups.c.x, groups.c.y), STORAGE_EPSG), 3857)
    return select(func.ST_AsMVTGeom(centre_3857, tile, EXTENT, BUFFER, True).label("geom"),
                  groups.c.count, groups.c.status)


def _wijk_rows(session: Session, z: int, tile, search):
    detail = Detail.for_zoom(z)
    geom = func.ST_AsMVTGeom(func.ST_Transform(simplified(session, Area.geom, detail.tolerance_m), 3857),
                             tile, EXTENT, BUFFER, True)
    columns = [geom.label("geom"), Area.code.label("code"), Area.name.label("name")]
    if z >= TITLE_MIN_ZOOM:
        columns.append(Municipality.name.label("municipality"))
    return (
        select(*columns)
        .join(Municipality, Area.municipality_id == Municipality.id)
        .where(Area.level == "wijk", Area.geom.op("&&")(search))
    )


def make_tile(session: Session, layer: str, z: int, x: int, y: int, filters: FicheFilters) -> bytes:
    """The MVT bytes of one tile (b"" when nothing lies in it). PostGIS only."""
    check_address(layer, z, x, y)
    tile = func.ST_TileEnvelope(z, x, y)
    search = envelope(session, tile_box_31370(z, x, y))
    if layer == "wijken":
        rows = _wijk_rows(session, z, tile, search)
    elif z <= CLUSTER_MAX_ZOOM:
        rows = _fiche_clusters(session, filters, z, tile, search)
    else:
        rows = _fiche_rows(session, filters, z, tile, search)
    inner = rows.subquery("tile")
    stmt = select(func.ST_AsMVT(literal_column("tile.*"), layer, EXTENT, "geom")).select_from(inner).where(
        inner.c.geom.is_not(None))
    without_jit(session)
    body = session.execute(stmt).scalar()
    return bytes(body) if body else b""


# The last tiles made in this process, each as (raw bytes, gzip bytes):
# compressing a large tile costs more than reading it.
CACHE = LruCache(512)
