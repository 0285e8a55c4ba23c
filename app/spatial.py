"""The dialect seam: everything that differs between PostGIS and SpatiaLite.

Views, queries and layers call these functions and never branch on the
dialect themselves.
"""
from __future__ import annotations

import json
from typing import Any

import numpy as np
import shapely
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import ARRAY, Engine, Integer, any_, bindparam, func, literal_column, select, text
from sqlalchemy.orm import Session

from .crs import STORAGE_EPSG


def dialect_name(bind: Session | Engine) -> str:
    return bind.get_bind().dialect.name if isinstance(bind, Session) else bind.dialect.name


def is_spatialite(bind: Session | Engine) -> bool:
    return dialect_name(bind) == "sqlite"


def to_db(geom: BaseGeometry | None):
    """A shapely geometry in EPSG:31370 -> a value for a geometry column."""
    return None if geom is None else from_shape(geom, srid=STORAGE_EPSG)


def from_db(value) -> BaseGeometry | None:
    return None if value is None else to_shape(value)


def envelope(bind, bbox: tuple[float, float, float, float], srid: int = STORAGE_EPSG):
    minx, miny, maxx, maxy = bbox
    if is_spatialite(bind):
        return func.BuildMbr(minx, miny, maxx, maxy, srid)
    return func.ST_MakeEnvelope(minx, miny, maxx, maxy, srid)


def bbox_filter(bind, column, bbox: tuple[float, float, float, float], srid: int = STORAGE_EPSG):
    """WHERE clause: `column` intersects the box (in `srid`), using the
    spatial index on both databases."""
    if srid != STORAGE_EPSG:
        from .crs import transform

        bbox = transform(shapely.box(*bbox), srid, STORAGE_EPSG).bounds
    box = envelope(bind, bbox)
    if is_spatialite(bind):
        # SpatiaLite does not use its R*Tree by itself: ask the SpatialIndex
        # virtual table for the candidate rowids, then test exactly.
        table = column.table.name
        candidates = text(
            "SELECT ROWID FROM SpatialIndex WHERE f_table_name = :t AND f_geometry_column = :c "
            "AND search_frame = BuildMbr(:x1, :y1, :x2, :y2, :srid)"
        ).bindparams(t=table, c=column.key, x1=bbox[0], y1=bbox[1], x2=bbox[2], y2=bbox[3], srid=STORAGE_EPSG)
        rowid: Any = literal_column(f"{table}.ROWID")
        return rowid.in_(candidates.columns(literal_column("ROWID"))) & func.ST_Intersects(column, box)
    return column.ST_Intersects(box)


def intersects(column, other_column):
    """Both databases spell it ST_Intersects; kept here for symmetry."""
    return func.ST_Intersects(column, other_column)


def extent(session: Session, column, where=None) -> tuple[float, float, float, float] | None:
    """Bounding box (minx, miny, maxx, maxy) in EPSG:31370 of a column."""
    if is_spatialite(session):
        agg = func.Extent(column)
    else:
        agg = func.ST_Extent(column)
    stmt = select(func.ST_AsBinary(agg))  # a box polygon on both
    if where is not None:
        stmt = stmt.where(where)
    wkb = session.execute(stmt).scalar()
    if wkb is None:
        return None
    return shapely.from_wkb(bytes(wkb)).bounds


def simplified(bind, column, tolerance: float):
    """`column` simplified within `tolerance` (in the column's units: metres in
    EPSG:31370) for drawing at a zoom level; never NULL for a non-NULL input.

    Douglas-Peucker without the topology check: measured 4-10x faster than
    ST_SimplifyPreserveTopology on the 2,730 wijken of Flanders, and a ring
    that self-touches at sub-pixel scale draws the same. A shape smaller than
    the tolerance keeps its collapsed form (PostGIS preserveCollapsed) or its
    exact form (SpatiaLite returns NULL)."""
    if is_spatialite(bind):
        return func.coalesce(func.ST_Simplify(column, tolerance), column)
    return func.ST_Simplify(column, tolerance, True)


def as_wkb(column):
    """Plain (ISO) WKB on both databases, for shapely.from_wkb in bulk."""
    return func.ST_AsBinary(column)


def geometries_from_wkb(values) -> np.ndarray:
    """Values selected with as_wkb (bytes or memoryview; None for NULL) ->
    an array of shapely geometries (None stays None), decoded in one call."""
    wkb = np.empty(len(values), dtype=object)
    wkb[:] = [None if v is None else bytes(v) for v in values]
    return shapely.from_wkb(wkb)


def in_ids(bind, column, ids: list[int]):
    """WHERE clause: `column` is one of `ids`, passed as ONE parameter
    whatever their number: short SQL that the driver caches (and PostgreSQL
    prepares) instead of a parameter per id, and no limit on the count
    (SQLite takes at most 32,766 parameters). PostgreSQL: = ANY(array);
    SpatiaLite: IN the values of a JSON array (json_each)."""
    if is_spatialite(bind):
        values = func.json_each(bindparam(None, json.dumps(ids))).table_valued("value")
        return column.in_(select(values.c.value))
    return column == any_(bindparam(None, ids, type_=ARRAY(Integer)))


def without_jit(session: Session) -> None:
    """Switch PostgreSQL's JIT off for the rest of this transaction. Spatial
    aggregates over thousands of rows look expensive to the planner, which then
    spends more time compiling (measured: 700 ms for a 500 ms vector tile) than
    running them. SpatiaLite: nothing to do."""
    if not is_spatialite(session):
        session.execute(text("SET LOCAL jit = off"))
