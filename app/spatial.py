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
from sqlalchemy import ARRAY, Engine, Integer, String, Text, any_, bindparam, cast, func, literal_column, select, text
from sqlalchemy import column as sa_column
from sqlalchemy import table as sa_table
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

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


def extents_by(session: Session, column, key, where=None) -> dict:
    """{key value: bounding box (minx, miny, maxx, maxy) in EPSG:31370} of a
    column per group, in one query (extent() for many groups at once)."""
    agg = func.Extent(column) if is_spatialite(session) else func.ST_Extent(column)
    stmt = select(key, func.ST_AsBinary(agg)).group_by(key)
    if where is not None:
        stmt = stmt.where(where)
    return {k: shapely.from_wkb(bytes(wkb)).bounds for k, wkb in session.execute(stmt) if wkb is not None}


def simplified(bind, column, tolerance: float | ColumnElement[float]):
    """`column` simplified within `tolerance` (in the column's units: metres in
    EPSG:31370) for drawing at a zoom level; never NULL for a non-NULL input.

    Douglas-Peucker without the topology check: measured 4-10x faster than
    ST_SimplifyPreserveTopology on the 2,730 wijken of Flanders, and a ring
    that self-touches at sub-pixel scale draws the same. A shape smaller than
    the tolerance keeps its collapsed form (PostGIS preserveCollapsed) or its
    exact form (SpatiaLite returns NULL). `tolerance` may be a bound
    parameter (a statement made once for every zoom, app/read/tiles.py)."""
    if is_spatialite(bind):
        return func.coalesce(func.ST_Simplify(column, tolerance), column)
    return func.ST_Simplify(column, tolerance, True)


def as_wkb(column):
    """Plain (ISO) WKB on both databases, for shapely.from_wkb in bulk."""
    return func.ST_AsBinary(column)


def geometries_from_wkb(values) -> np.ndarray:
    """Values selected with as_wkb (bytes or memoryview; None for NULL) or
    wkb_hex (str) -> an array of shapely geometries (None stays None),
    decoded in one call."""
    wkb = np.empty(len(values), dtype=object)
    wkb[:] = [v if v is None or isinstance(v, str) else bytes(v) for v in values]
    return shapely.from_wkb(wkb)


def json_rows(bind, *columns):
    """An aggregate of `columns` as one JSON array of arrays: with a
    correlated subquery it brings a fiche's children (phases, budget lines
    ...) in the fiche's own row, one statement instead of one per kind.
    Unordered (SQLite 3.40 has no ORDER BY in an aggregate): the caller sorts.
    Text; no rows: NULL on PostgreSQL, '[]' on SQLite. Booleans come as 0/1
    on SQLite, dates as ISO text on both."""
    if is_spatialite(bind):
        return func.json_group_array(func.json_array(*columns))
    # as text: orjson parses it several times faster than psycopg's json.loads
    return cast(func.json_agg(func.json_build_array(*columns)), Text)


def wkb_hex(bind, column):
    """A geometry as hex WKB (JSON holds no bytes), for shapely.from_wkb.
    NULL stays NULL on PostgreSQL; SQLite's hex(NULL) is ''."""
    wkb = func.ST_AsBinary(column)
    return func.hex(wkb) if is_spatialite(bind) else func.encode(wkb, "hex")


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


# --- Tolerant text search and distances (issue 10) -------------------------
# The search documents are normalised in Python (app/searchtext.py), the same
# for both databases; what differs is the index that finds the words:
# PostgreSQL full text ('simple' configuration: the text is already lower case
# and unaccented) with a GIN expression index, plus pg_trgm similarity of the
# titles for the ranking; SQLite an FTS5 table over the same columns, kept in
# step with `fiches` by triggers (external content, so nothing is stored twice).

FICHE_FTS_TABLE = "fiches_fts"
# Indexes made here rather than declared on the models (expression and
# operator-class indexes alembic cannot compare); app.migrate skips them.
SEARCH_INDEXES = frozenset({"ix_fiches_search_fts", "ix_fiches_search_title_trgm", "ix_addresses_street_key_trgm"})
_SIMPLE: Any = literal_column("'simple'::regconfig")


def _fts5_match_string(query) -> str:
    from .searchtext import matches_as_prefix

    # Words are letters and digits only (app.searchtext.normalise), so quoting
    # them is all the escaping FTS5 needs.
    return " AND ".join(
        "(" + " OR ".join(f'"{w}"' + ("*" if matches_as_prefix(w) else "") for w in term.alternatives) + ")"
        for term in query.terms
    )


def _tsquery_string(query) -> str:
    from .searchtext import matches_as_prefix

    return " & ".join(
        "(" + " | ".join(w + (":*" if matches_as_prefix(w) else "") for w in term.alternatives) + ")"
        for term in query.terms
    )


def text_search(bind, query, *, id_column, title_column, text_column):
    """(condition, score) for a parsed app.searchtext.SearchQuery against the
    fiches' normalised `search_title`/`search_text`: the condition is true when
    every term (one of its alternatives; a word of 3+ letters also as a
    prefix) occurs; a higher score is a better hit (title words weigh more)."""
    if is_spatialite(bind):
        fts = sa_table(FICHE_FTS_TABLE, sa_column("rowid"))
        match = bindparam(None, _fts5_match_string(query), type_=String)
        matches = literal_column(FICHE_FTS_TABLE).op("MATCH")(match)
        condition = id_column.in_(select(fts.c.rowid).where(matches))
        # bm25: lower is better; the title column weighs four times the text.
        score = (
            select(literal_column(f"-bm25({FICHE_FTS_TABLE}, 4.0, 1.0)"))
            .select_from(fts).where(matches, fts.c.rowid == id_column).scalar_subquery()
        )
        return condition, score
    tsquery = func.to_tsquery(_SIMPLE, bindparam(None, _tsquery_string(query), type_=String))
    condition = func.to_tsvector(_SIMPLE, text_column).op("@@")(tsquery)
    title_vector = func.setweight(func.to_tsvector(_SIMPLE, func.coalesce(title_column, "")), literal_column("'A'"))
    weighted = title_vector.op("||")(func.to_tsvector(_SIMPLE, func.coalesce(text_column, "")))
    score = func.ts_rank(weighted, tsquery) + func.similarity(
        func.coalesce(title_column, ""), bindparam(None, query.text, type_=String)
    )
    return condition, score


def create_search_indexes(connection) -> None:
    """The text-search indexes of migration 0003 (fiches' search columns,
    addresses' street key). Run after the columns exist and are filled."""
    if is_spatialite(connection):
        t = FICHE_FTS_TABLE
        connection.execute(text(
            f"CREATE VIRTUAL TABLE {t} USING fts5(search_title, search_text, content='fiches', "
            "content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
        ))
        old = f"INSERT INTO {t}({t}, rowid, search_title, search_text) " \
              "VALUES ('delete', old.id, old.search_title, old.search_text);"
        new = f"INSERT INTO {t}(rowid, search_title, search_text) VALUES (new.id, new.search_title, new.search_text);"
        connection.execute(text(f"CREATE TRIGGER {t}_ai AFTER INSERT ON fiches BEGIN {new} END"))
        connection.execute(text(f"CREATE TRIGGER {t}_ad AFTER DELETE ON fiches BEGIN {old} END"))
        connection.execute(text(
            f"CREATE TRIGGER {t}_au AFTER UPDATE OF search_title, search_text ON fiches BEGIN {old} {new} END"
        ))
        connection.execute(text(f"INSERT INTO {t}({t}) VALUES ('rebuild')"))
        return
    connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    connection.execute(text(
        "CREATE INDEX ix_fiches_search_fts ON fiches USING gin (to_tsvector('simple'::regconfig, search_text))"
    ))
    connection.execute(text("CREATE INDEX ix_fiches_search_title_trgm ON fiches USING gin (search_title gin_trgm_ops)"))
    connection.execute(text(
        "CREATE INDEX ix_addresses_street_key_trgm ON addresses USING gin (street_key gin_trgm_ops)"
    ))


def drop_search_indexes(connection) -> None:
    if is_spatialite(connection):
        for suffix in ("ai", "ad", "au"):
            connection.execute(text(f"DROP TRIGGER IF EXISTS {FICHE_FTS_TABLE}_{suffix}"))
        connection.execute(text(f"DROP TABLE IF EXISTS {FICHE_FTS_TABLE}"))
        return
    for name in sorted(SEARCH_INDEXES):
        connection.execute(text(f"DROP INDEX IF EXISTS {name}"))
    # pg_trgm stays: another schema or database object may use it.


def point_from_text(wkt: str, srid: int = STORAGE_EPSG):
    """A geometry value from WKT (both databases spell it the same)."""
    return func.ST_GeomFromText(bindparam(None, wkt, type_=String), srid)


def within_distance(bind, column, geom: BaseGeometry, metres: float):
    """WHERE clause: `column` lies within `metres` of `geom` (both EPSG:31370),
    using the spatial index on both databases."""
    value = point_from_text(geom.wkt)
    if is_spatialite(bind):
        minx, miny, maxx, maxy = geom.bounds
        box = (minx - metres, miny - metres, maxx + metres, maxy + metres)
        return bbox_filter(bind, column, box) & (func.ST_Distance(column, value) <= metres)
    return func.ST_DWithin(column, value, metres)


# Spatial relations of OGC CQL2 (S_INTERSECTS ...): both databases spell them ST_<Name>.
RELATIONS = ("Intersects", "Disjoint", "Contains", "Within", "Touches", "Crosses", "Overlaps", "Equals")


def relation(bind, name: str, column, geom: BaseGeometry):
    """WHERE clause: `column` (EPSG:31370) stands in relation `name` (one of
    RELATIONS) to `geom`. NULL, as on PostGIS, when the column is NULL:
    SpatiaLite answers -1 there, which a WHERE clause would take as true
    (and NOT as false)."""
    if name not in RELATIONS:
        raise ValueError(name)
    answer = getattr(func, f"ST_{name}")(column, point_from_text(geom.wkt))
    if is_spatialite(bind):
        return func.nullif(answer, -1) == 1
    return answer


def like(bind, column, pattern: str):
    """WHERE clause: `column` matches a CQL2/SQL LIKE pattern (% any run, _
    one character, backslash escapes), case-sensitive on both databases:
    SpatiaLite's LIKE ignores ASCII case, so there it becomes a GLOB."""
    if not is_spatialite(bind):
        return column.like(bindparam(None, pattern, type_=String), escape="\\")
    glob, chars = [], iter(pattern)
    for char in chars:
        if char == "\\":
            char = next(chars, "\\")
            glob.append(f"[{char}]" if char in "*?[" else char)
        elif char == "%":
            glob.append("*")
        elif char == "_":
            glob.append("?")
        else:
            glob.append(f"[{char}]" if char in "*?[" else char)
    return column.op("GLOB", is_comparison=True)(bindparam(None, "".join(glob), type_=String))


def byte_order(bind, column):
    """`column` for ORDER BY in the same order on both databases: by code
    point (SQLite's BINARY; PostgreSQL's default collation follows the
    server's locale)."""
    if is_spatialite(bind):
        return column
    return column.collate("C")
def geometry_type_in(column, type_names) -> Any:
    """WHERE clause: `column`'s geometry type is one of `type_names`
    ('Point', 'MultiPoint' ...). Both databases answer GeometryType() in
    capitals ('MULTIPOINT'); 2D only, as app.geometry stores."""
    return func.GeometryType(column).in_([name.upper() for name in type_names])
