"""CQL2 filters of OGC API - Features Part 3 (`filter`, `filter-lang`,
`filter-crs`) and `sortby`, turned into SQL over the columns a collection
names (app.ogcapi.params parses the parameters).

Parsing: the `cql2` package (cql2-rs) reads cql2-text and cql2-json into the
standard CQL2 JSON tree; this module compiles that tree. Only the
collection's queryables (its /queryables document, the whitelist) may be
named; every value is checked against the queryable's type here, so the
database never sees a comparison it would refuse. Every problem raises
InvalidParameter (400 with the OGC exception JSON).

Supported: AND, OR, NOT; = <> < <= > >=; LIKE (case-sensitive, % and _);
IN; BETWEEN; IS NULL; S_INTERSECTS, S_DISJOINT, S_CONTAINS, S_WITHIN,
S_TOUCHES, S_CROSSES, S_OVERLAPS, S_EQUALS with a geometry or BBOX literal
(in filter-crs); T_INTERSECTS, T_DISJOINT, T_BEFORE, T_AFTER on date
queryables (a date property, or INTERVAL(start, einde)).
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import orjson
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Boolean, Date, Float, String, and_, false, literal, not_, nulls_last, or_, true
from sqlalchemy.sql.elements import ColumnElement

from ..crs import STORAGE_EPSG, transform
from ..read.records import Field
from ..spatial import RELATIONS, byte_order, like, relation
from .errors import InvalidParameter
from .params import Filter, SupportedCrs, data_domain

GEOMETRY = "geometry"            # the name of the spatial queryable of every collection

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
    "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
]


@dataclass(frozen=True)
class Queryable:
    """A name a filter may use: its field (type, title) and its SQL column."""
    field: Field
    column: Any


def order_by(bind, keys: list[tuple[str, bool]], sortable: dict[str, Queryable]) -> list:
    """ORDER BY clauses of parse_sortby's keys; empty values last either way,
    text by code point on both databases."""
    clauses = []
    for name, descending in keys:
        q = sortable[name]
        column = byte_order(bind, q.column) if q.field.type == "string" else q.column
        clauses.append(nulls_last(column.desc() if descending else column.asc()))
    return clauses


# -- compiling -------------------------------------------------------------

_COMPARISONS = {"=": "__eq__", "<>": "__ne__", "<": "__lt__", "<=": "__le__", ">": "__gt__", ">=": "__ge__"}
_SPATIAL = {f"s_{name.lower()}": name for name in RELATIONS}
_TEMPORAL = ("t_intersects", "t_disjoint", "t_before", "t_after")
_KINDS = {"integer": "number", "number": "number", "string": "string", "boolean": "boolean", "date": "date"}
_SQL_TYPES = {"number": Float, "string": String, "boolean": Boolean, "date": Date}


@dataclass(frozen=True)
class _Scalar:
    sql: Any
    kind: str                     # number | string | boolean | date
    value: Any = None
    is_literal: bool = False


class _Compiler:
    def __init__(self, bind, queryables: dict[str, Queryable], crs: SupportedCrs):
        self.bind, self.queryables, self.crs = bind, queryables, crs

    # boolean expressions
    def condition(self, node) -> ColumnElement:
        if isinstance(node, bool):
            return true() if node else false()
        if not isinstance(node, dict) or "op" not in node:
            raise InvalidParameter(f"filter: '{_show(node)}' is geen voorwaarde (verwacht bv. veld = waarde).")
        op, args = str(node["op"]).lower(), node.get("args")
        if not isinstance(args, list):
            args = [args]
        if op in ("and", "or"):
            if len(args) < 2:
                raise InvalidParameter(f"filter: {op.upper()} heeft minstens twee voorwaarden nodig.")
            parts = [self.condition(a) for a in args]
            return and_(*parts) if op == "and" else or_(*parts)
        if op == "not":
            self._count(op, args, 1)
            return not_(self.condition(args[0]))
        if op in _COMPARISONS:
            self._count(op, args, 2)
            left, right = self._pair(op, args[0], args[1])
            if left.kind == "boolean" and op not in ("=", "<>"):
                raise InvalidParameter(f"filter: {op} kan niet met true/false vergelijken; gebruik = of <>.")
            return getattr(left.sql, _COMPARISONS[op])(right.sql)
        if op == "like":
            return self._like(args)
        if op == "in":
            return self._in(args)
        if op == "between":
            self._count(op, args, 3)
            value, low = self._pair(op, args[0], args[1])
            _, high = self._pair(op, args[0], args[2])
            if value.kind == "boolean":
                raise InvalidParameter("filter: BETWEEN werkt niet met true/false.")
            return value.sql.between(low.sql, high.sql)
        if op == "isnull":
            self._count("isNull", args, 1)
            return self._operand(args[0], geometry_ok=True).is_(None)
        if op in _SPATIAL:
            return self._spatial(op, args)
        if op in _TEMPORAL:
            return self._temporal(op, args)
        raise InvalidParameter(
            f"filter: '{_show(node.get('op'))}' wordt niet ondersteund. Wel: AND, OR, NOT, = <> < <= > >=, LIKE, IN, "
            f"BETWEEN, IS NULL, {', '.join(o.upper() for o in _SPATIAL)}, {', '.join(o.upper() for o in _TEMPORAL)}."
        )

    @staticmethod
    def _count(op: str, args: list, n: int) -> None:
        if len(args) != n:
            raise InvalidParameter(f"filter: {op.upper()} verwacht {n} argument(en), niet {len(args)}.")

    # scalar operands
    def _property(self, node) -> Queryable:
        name = node.get("property")
        if not isinstance(name, str) or name not in self.queryables:
            raise InvalidParameter(
                f"filter: '{_show(name)}' is geen queryable van deze collectie. Kies uit: "
                f"{', '.join(sorted(self.queryables))} (zie /queryables)."
            )
        return self.queryables[name]

    def _operand(self, node, geometry_ok: bool = False):
        if isinstance(node, dict) and "property" in node:
            q = self._property(node)
            if q.field.type == "geometry" and not geometry_ok:
                raise InvalidParameter(f"filter: {q.field.name} is een geometrie; gebruik S_INTERSECTS en dergelijke.")
            return q.column
        raise InvalidParameter(f"filter: hier wordt een veld verwacht, geen '{_show(node)}'.")

    def _scalar(self, node, kind: str | None) -> _Scalar:
        """A property or a literal; a literal takes the kind of the other side."""
        if isinstance(node, dict) and "property" in node:
            q = self._property(node)
            if q.field.type == "geometry":
                raise InvalidParameter(f"filter: {q.field.name} is een geometrie; gebruik S_INTERSECTS en dergelijke.")
            return _Scalar(q.column, _KINDS[q.field.type])
        value = self._literal(node, kind)
        return _Scalar(literal(value, _SQL_TYPES[kind or _kind_of(value)]), kind or _kind_of(value), value, True)

    def _literal(self, node, kind: str | None):
        value: Any
        if isinstance(node, dict):
            if "date" in node or "timestamp" in node:
                value = _date(node.get("date", node.get("timestamp")))
            elif "op" in node and str(node["op"]).lower() in ("+", "-", "*", "/", "^", "%", "div"):
                raise InvalidParameter("filter: rekenen (+ - * /) wordt niet ondersteund.")
            elif "op" in node:
                raise InvalidParameter(f"filter: de functie '{_show(node['op'])}' wordt hier niet ondersteund.")
            else:
                raise InvalidParameter(f"filter: '{_show(node)}' is geen waarde die hier kan staan.")
        elif isinstance(node, (bool, int, float, str)):
            value = node
        else:
            raise InvalidParameter(f"filter: '{_show(node)}' is geen waarde die hier kan staan.")
        if isinstance(value, float) and not math.isfinite(value):
            raise InvalidParameter("filter: ongeldig getal.")
        if isinstance(value, str) and "\x00" in value:
            raise InvalidParameter("filter: tekst met een NUL-teken.")
        if kind is None:
            return value
        if kind == "date" and isinstance(value, str):
            return _date(value)
        if _kind_of(value) != kind:
            raise InvalidParameter(f"filter: '{_show(value)}' past niet bij een veld van type {_DUTCH[kind]}.")
        return value

    def _pair(self, op: str, a, b) -> tuple[_Scalar, _Scalar]:
        """Two operands of one comparison, of the same kind (a literal takes
        the kind of the property on the other side)."""
        left = self._scalar(a, None) if _is_property(a) or not _is_property(b) else None
        right = self._scalar(b, left.kind if left else None)
        if left is None:
            left = self._scalar(a, right.kind)
        if left.kind != right.kind:
            raise InvalidParameter(
                f"filter: {op.upper()} vergelijkt {_DUTCH[left.kind]} met {_DUTCH[right.kind]}."
            )
        return left, right

    def _like(self, args) -> ColumnElement:
        self._count("like", args, 2)
        value = self._scalar(args[0], "string")
        pattern = args[1]
        if value.kind != "string" or value.is_literal:
            raise InvalidParameter("filter: LIKE werkt op een tekstveld (veld LIKE 'patroon%').")
        if not isinstance(pattern, str) or "\x00" in pattern:
            raise InvalidParameter("filter: het patroon van LIKE moet een tekst zijn, bv. 'H%'.")
        return like(self.bind, value.sql, pattern)

    def _in(self, args) -> ColumnElement:
        self._count("in", args, 2)
        if not isinstance(args[1], list) or not args[1]:
            raise InvalidParameter("filter: IN verwacht een lijst van waarden, bv. soort IN ('fiche', 'actie').")
        value = self._scalar(args[0], None)
        if value.is_literal:
            raise InvalidParameter("filter: links van IN hoort een veld.")
        return value.sql.in_([self._scalar(v, value.kind).sql for v in args[1]])

    # spatial
    def _spatial(self, op: str, args) -> ColumnElement:
        self._count(op, args, 2)
        name = _SPATIAL[op]
        if _is_property(args[0]):
            column, geom = self._operand(args[0], geometry_ok=True), self._geometry(args[1])
        elif _is_property(args[1]):  # literal first: the mirrored relation
            name = {"Contains": "Within", "Within": "Contains"}.get(name, name)
            column, geom = self._operand(args[1], geometry_ok=True), self._geometry(args[0])
        else:
            raise InvalidParameter(f"filter: {op.upper()} vergelijkt het veld geometry met een geometrie.")
        if not _is_geometry_column(self.queryables, args[0] if _is_property(args[0]) else args[1]):
            raise InvalidParameter(f"filter: {op.upper()} werkt enkel op het veld {GEOMETRY}.")
        if geom is None:  # wholly outside the area any data can lie in
            return column.is_not(None) if name == "Disjoint" else false()
        return relation(self.bind, name, column, geom)

    def _geometry(self, node) -> BaseGeometry | None:
        """A geometry literal (GeoJSON or BBOX) in filter-crs -> EPSG:31370,
        clipped to Lambert 72's area of use (None when nothing is left)."""
        try:
            if isinstance(node, dict) and "bbox" in node:
                values = [float(v) for v in node["bbox"]]
                if len(values) == 6:
                    values = [values[0], values[1], values[3], values[4]]
                if len(values) != 4 or values[0] > values[2] or values[1] > values[3]:
                    raise ValueError("bbox")
                geom = shapely.box(*values)
            elif isinstance(node, dict) and "type" in node:
                geom = shape(node)
            else:
                raise ValueError("no geometry")
            coordinates = shapely.get_coordinates(geom)
            if geom.is_empty or not geom.is_valid or not math.isfinite(float(coordinates.sum())):
                raise ValueError("invalid")
        except InvalidParameter:
            raise
        except Exception:
            raise InvalidParameter(
                f"filter: '{_show(node)}' is geen geldige geometrie (bv. POINT(4.83 51.18) of BBOX(4.8,51.1,4.9,51.2))."
            ) from None
        crs = self.crs
        if crs.lat_first:
            geom = shapely.transform(geom, lambda xy: xy[:, ::-1])
        if crs.epsg == STORAGE_EPSG:
            return geom
        part = geom.intersection(data_domain(crs.epsg))  # keeps far-away shapes out of the projection
        if part.is_empty:
            return None
        x1, y1, x2, y2 = part.bounds
        return transform(part.segmentize(max(x2 - x1, y2 - y1, 1e-9) / 64), crs.epsg, STORAGE_EPSG)

    # temporal: every operand an interval [start, end] of dates (None: open)
    def _temporal(self, op: str, args) -> ColumnElement:
        self._count(op, args, 2)
        (a1, a2), (b1, b2) = self._interval(args[0]), self._interval(args[1])
        if op in ("t_intersects", "t_disjoint"):
            known = [bound.is_not(None) for bound in (a1, a2, b1, b2) if bound is not None]
            overlaps = and_(true(), *known, *[c for c in (_le(a1, b2), _le(b1, a2)) if c is not None])
            return overlaps if op == "t_intersects" else not_(overlaps)
        if op == "t_before":
            condition = _lt(a2, b1)
        else:
            condition = _lt(b2, a1)
        if condition is None:  # an open end on the side that matters: nothing is before -infinity
            return false()
        return condition

    def _interval(self, node) -> tuple:
        if isinstance(node, dict) and "interval" in node:
            bounds = node["interval"]
            if not isinstance(bounds, list) or len(bounds) != 2:
                raise InvalidParameter("filter: INTERVAL heeft een begin en een einde nodig.")
            start, end = (None if b == ".." else self._instant(b) for b in bounds)
            return start, end
        instant = self._instant(node)
        return instant, instant

    def _instant(self, node):
        if _is_property(node):
            q = self._property(node)
            if q.field.type != "date":
                raise InvalidParameter(f"filter: {q.field.name} is geen datumveld; tijdsfuncties werken op "
                                       f"{', '.join(n for n, q in self.queryables.items() if q.field.type == 'date')}.")
            return q.column
        if isinstance(node, dict) and ("date" in node or "timestamp" in node):
            return literal(_date(node.get("date", node.get("timestamp"))), Date)
        if isinstance(node, str):
            return literal(_date(node), Date)
        raise InvalidParameter(f"filter: '{_show(node)}' is geen datum, tijdstip of interval.")


def _le(a, b):
    return None if a is None or b is None else a <= b


def _lt(a, b):
    return None if a is None or b is None else a < b


_DUTCH = {"number": "getal", "string": "tekst", "boolean": "true/false", "date": "datum"}


def _kind_of(value) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, dt.date):
        return "date"
    return "string"


def _date(text) -> dt.date:
    if not isinstance(text, str):
        raise InvalidParameter(f"filter: '{_show(text)}' is geen datum.")
    try:
        if len(text) > 10:
            return dt.datetime.fromisoformat(text.replace("z", "Z")).date()
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidParameter(f"filter: '{text[:40]}' is geen geldige datum (JJJJ-MM-DD) of tijdstip.") from None


def _is_property(node) -> bool:
    return isinstance(node, dict) and "property" in node


def _is_geometry_column(queryables: dict[str, Queryable], node) -> bool:
    q = queryables.get(node.get("property"))
    return q is not None and q.field.type == "geometry"


def _show(value) -> str:
    text = value if isinstance(value, str) else orjson.dumps(value, default=str).decode()
    return text[:80]


def compile_filter(bind, f: Filter, queryables: dict[str, Queryable]) -> ColumnElement:
    """The filter as one SQL condition over the queryables' columns."""
    try:
        return _Compiler(bind, queryables, f.crs).condition(f.tree)
    except RecursionError:
        raise InvalidParameter("filter is te diep genest.") from None


__all__ = ["CONFORMANCE", "Queryable", "compile_filter", "order_by"]
