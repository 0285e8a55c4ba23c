"""CRS handling and query parameter parsing for the OGC API, in one place.

Axis order (OGC API - Features Part 2): coordinates, and the numbers of a
`bbox` given with `bbox-crs`, follow the axis order the CRS defines.
EPSG:4326 is latitude/longitude; OGC CRS84 is longitude/latitude (the
GeoJSON default); EPSG:31370 and EPSG:3812 are easting/northing. GDAL reads
EPSG:4326 responses as lat/lon, so getting this wrong moves every feature.

Every parse error raises InvalidParameter (400) with a Dutch description.
"""
from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import cql2
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from ..crs import BELGIUM_31370, CRS_LABELS, OFFERED_EPSG, STORAGE_EPSG, crs_name, transform
from ..numbers import INT32_MAX, whole_number
from ..read.records import Field
from .errors import InvalidParameter

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/{}"

DEFAULT_LIMIT = 10
MAX_LIMIT = 10_000


@dataclass(frozen=True)
class SupportedCrs:
    uri: str
    epsg: int            # the code pyproj transforms with (always x=east first)
    lat_first: bool      # the CRS's own first axis points north (EPSG:4326)
    label: str

    @property
    def header(self) -> str:
        """The Content-Crs header value."""
        return f"<{self.uri}>"


def _supported(uri: str, definition: str, label: str) -> SupportedCrs:
    crs = CRS.from_user_input(definition)
    epsg = crs.to_epsg() or 4326  # OGC:CRS84 has no EPSG code; it is 4326 with lon/lat order
    return SupportedCrs(uri, epsg, crs.axis_info[0].direction == "north", label)


def _offered(epsg: int) -> SupportedCrs:
    """An offered CRS of app.crs by its EPSG URI, in its own axis order."""
    name = crs_name(epsg)
    supported = _supported(EPSG_URI.format(epsg), name, "")
    order = ", volgorde breedte, lengte" if supported.lat_first else ""
    return SupportedCrs(supported.uri, epsg, supported.lat_first, f"{CRS_LABELS[epsg]} ({name}{order})")


# CRS84 (what GeoJSON clients expect) first, then the CRSs app.crs offers, WGS 84 before the Lambert ones.
SUPPORTED_CRS: tuple[SupportedCrs, ...] = (
    _supported(CRS84, "OGC:CRS84", "WGS 84, lengte- en breedtegraad (CRS84)"),
    *(_offered(epsg) for epsg in sorted(OFFERED_EPSG, key=lambda e: (e != 4326, e == 3812))),
)
CRS_URIS = [c.uri for c in SUPPORTED_CRS]
BY_URI = {c.uri: c for c in SUPPORTED_CRS}
STORAGE_CRS = BY_URI[EPSG_URI.format(STORAGE_EPSG)]
DEFAULT_CRS = BY_URI[CRS84]

_CURIE = re.compile(r"^\[?(EPSG|OGC):(?:[0-9.]*:)?([A-Za-z0-9]+)\]?$", re.IGNORECASE)


def parse_crs(value: str | None, name: str = "crs") -> SupportedCrs:
    """A CRS URI (http or https), or a short form (EPSG:31370, [EPSG:31370],
    OGC:CRS84) -> one of the supported CRSs."""
    if value is None or value == "":
        return DEFAULT_CRS
    text = value.strip()
    if text.startswith("https://"):
        text = "http://" + text.removeprefix("https://")
    match = _CURIE.match(text)
    if match:
        authority, code = match.group(1).upper(), match.group(2)
        text = CRS84 if (authority, code.upper()) == ("OGC", "CRS84") else EPSG_URI.format(code)
    if text.upper() == "CRS84":
        text = CRS84
    if text in BY_URI:
        return BY_URI[text]
    raise InvalidParameter(
        f"Coördinatenstelsel '{value}' ({name}) wordt niet ondersteund. Kies uit: {', '.join(CRS_URIS)}."
    )


# -- bbox ------------------------------------------------------------------

@dataclass(frozen=True)
class StorageBox:
    """A requested bbox expressed for the database (EPSG:31370).

    `envelope` is what the spatial index filter uses; `polygon` is the exact
    shape when the bbox was given in another CRS (a lon/lat box is not a
    rectangle in Lambert 72). `envelope` None: the box lies wholly outside
    the area the data can be in, so nothing matches."""
    envelope: tuple[float, float, float, float] | None
    polygon: BaseGeometry | None = None


def _numbers(text: str, name: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise InvalidParameter(f"{name} moet uit getallen bestaan, gescheiden door komma's: '{text}'.") from None
    if not all(math.isfinite(v) for v in values):
        raise InvalidParameter(f"{name} bevat een ongeldig getal: '{text}'.")
    return values


@functools.lru_cache(maxsize=8)
def data_domain(epsg: int) -> BaseGeometry:
    """Lambert 72's area of use (with a margin) as a box in another CRS."""
    return shapely.box(*transform(BELGIUM_31370.segmentize(10_000), STORAGE_EPSG, epsg).bounds)


def parse_bbox(value: str | None, crs_value: str | None) -> StorageBox | None:
    if value is None:
        if crs_value:
            parse_crs(crs_value, "bbox-crs")
        return None
    crs = parse_crs(crs_value, "bbox-crs")
    values = _numbers(value, "bbox")
    if len(values) == 6:  # with heights: minz and maxz are ignored
        values = [values[0], values[1], values[3], values[4]]
    if len(values) != 4:
        raise InvalidParameter("bbox heeft 4 getallen nodig (of 6 met hoogtes).")
    a1, b1, a2, b2 = values
    if a1 > a2 or b1 > b2:
        raise InvalidParameter("bbox: de ondergrens ligt boven de bovengrens (volgorde: min, min, max, max).")
    minx, miny, maxx, maxy = (b1, a1, b2, a2) if crs.lat_first else (a1, b1, a2, b2)
    if crs.epsg == 4326 and not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        order = "breedte/lengte" if crs.lat_first else "lengte/breedte"
        raise InvalidParameter(f"bbox valt buiten de geldige lengte- en breedtegraden ({order} voor {crs.uri}).")
    if crs.epsg == STORAGE_EPSG:
        return StorageBox((minx, miny, maxx, maxy))
    # Keep only the part that can hold data (Lambert 72's area of use, with
    # a margin) so that far-away boxes do not overflow the projection.
    part = shapely.box(minx, miny, maxx, maxy).intersection(data_domain(crs.epsg))
    if part.is_empty or part.area == 0:
        return StorageBox(None)
    x1, y1, x2, y2 = part.bounds
    exact = transform(part.segmentize(max(x2 - x1, y2 - y1) / 64), crs.epsg, STORAGE_EPSG)
    return StorageBox(exact.bounds, exact)


# -- datetime --------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    """Closed interval of dates; None is an open end."""
    start: dt.date | None
    end: dt.date | None


_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[Tt ](.*))?$")


def _instant(text: str) -> dt.date:
    match = _DATE.match(text.strip())
    if not match:
        raise InvalidParameter(
            f"datetime '{text}' is geen datum of tijdstip volgens RFC 3339 (bv. 2027-05-01 of 2027-05-01T00:00:00Z)."
        )
    date_text, time_text = match.groups()
    try:
        if time_text:  # a time is allowed; its date counts (phases are dates)
            return dt.datetime.fromisoformat(f"{date_text}T{time_text.replace('z', 'Z')}").date()
        return dt.date.fromisoformat(date_text)
    except ValueError:
        raise InvalidParameter(f"datetime '{text}' is geen geldige datum of tijdstip.") from None


def parse_datetime(value: str | None) -> Period | None:
    """'2027-05-01', '2026-01-01/2027-12-31', '../2027-12-31', '2026-01-01/..'
    (an empty end counts as open too)."""
    if value is None:
        return None
    text = value.strip()
    if "/" not in text:
        day = _instant(text)
        return Period(day, day)
    start_text, _, end_text = text.partition("/")
    start = None if start_text.strip() in ("", "..") else _instant(start_text)
    end = None if end_text.strip() in ("", "..") else _instant(end_text)
    if start and end and start > end:
        raise InvalidParameter("datetime: het begin ligt na het einde.")
    return Period(start, end)


# -- CQL2 filter (compiled by app.ogcapi.cql), sortby, properties ----------

# cql2-rs recurses per nesting level and crashes the process (a segfault, not
# an exception) at a few thousand levels: bound the nesting before parsing.
MAX_NESTING = 100
MAX_FILTER_CHARS = 4_000
FILTER_LANGS = ("cql2-text", "cql2-json")


@dataclass(frozen=True)
class Filter:
    """A parsed filter: the CQL2 JSON tree and the CRS of its geometries."""
    tree: Any
    crs: SupportedCrs


def parse_filter(text: str | None, lang: str | None, crs_value: str | None) -> Filter | None:
    if text is None:
        if lang is not None or crs_value is not None:
            parse_filter_lang(lang)
            parse_crs(crs_value, "filter-crs")
        return None
    language, crs = parse_filter_lang(lang), parse_crs(crs_value, "filter-crs")
    if not text.strip():
        raise InvalidParameter("filter is leeg.")
    if len(text) > MAX_FILTER_CHARS or "\x00" in text:
        raise InvalidParameter(f"filter is te lang (hoogstens {MAX_FILTER_CHARS} tekens) of bevat een NUL-teken.")
    if _nesting(text) > MAX_NESTING:
        raise InvalidParameter(f"filter is te diep genest (hoogstens {MAX_NESTING} niveaus).")
    try:
        expression = cql2.parse_text(text) if language == "cql2-text" else cql2.parse_json(text)
        tree = expression.to_json()
    except Exception as exc:  # cql2 raises its own ParseError/ValidationError, or ValueError for bad JSON
        detail = " ".join(str(exc).split())[:300]
        raise InvalidParameter(f"filter is geen geldige {language}-uitdrukking: {detail}") from None
    return Filter(tree, crs)


def _nesting(text: str) -> int:
    """An upper bound of the nesting depth: brackets and NOTs (a NOT without
    brackets nests too), quotes ignored."""
    depth = deepest = 0
    for char in text:
        if char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth -= 1
    return deepest + len(re.findall(r"(?i)\bnot\b", text))


def parse_filter_lang(value: str | None) -> str:
    if value is None or value == "":
        return "cql2-text"
    if value not in FILTER_LANGS:
        raise InvalidParameter(f"filter-lang '{value[:80]}' wordt niet ondersteund: kies cql2-text of cql2-json.")
    return value


def parse_sortby(value: str | None, sortable: Iterable[str]) -> list[tuple[str, bool]]:
    """'+sector,-ref' -> [('sector', False), ('ref', True)] (name, descending);
    a + arrives as a space when the client did not encode it."""
    sortable = set(sortable)
    if value is None:
        return []
    keys = []
    for part in value.split(","):
        name = part.strip()
        descending = name.startswith("-")
        name = name.lstrip("+-").strip()
        if name not in sortable:
            raise InvalidParameter(
                f"sortby: '{name[:80]}' is geen veld om op te sorteren. Kies uit: {', '.join(sorted(sortable))} "
                "(met - ervoor voor aflopend)."
            )
        keys.append((name, descending))
    return keys


def parse_properties(value: str | None, fields: tuple[Field, ...]) -> list[str] | None:
    """'ref,titel' -> the properties to return (in the records' own order)."""
    if value is None:
        return None
    known = [f.name for f in fields]
    asked = [p.strip() for p in value.split(",") if p.strip()]
    unknown = [p for p in asked if p not in known]
    if unknown:
        raise InvalidParameter(f"properties: onbekend veld {', '.join(u[:80] for u in unknown[:5])}. "
                               f"Kies uit: {', '.join(known)}.")
    return [name for name in known if name in asked]


# -- paging, format, filters -----------------------------------------------

def _integer(value: str, name: str) -> int:
    number = whole_number(value.strip().removeprefix("+"), -INT32_MAX, INT32_MAX)
    if number is None:
        raise InvalidParameter(f"{name} moet een geheel getal zijn (hoogstens {INT32_MAX}): '{value[:80]}'.")
    return number


def parse_limit(value: str | None) -> int:
    if value is None:
        return DEFAULT_LIMIT
    limit = _integer(value, "limit")
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidParameter(f"limit moet tussen 1 en {MAX_LIMIT} liggen (gevraagd: {limit}).")
    return limit


def parse_offset(value: str | None) -> int:
    if value is None:
        return 0
    offset = _integer(value, "offset")
    if offset < 0:
        raise InvalidParameter("offset mag niet negatief zijn.")
    return offset


FORMATS = ("json", "html")


def negotiate(args, accept, json_type: str = "application/json") -> str:
    """'json' or 'html': the f parameter first, then the Accept header
    (JSON unless HTML is preferred, so */* and GDAL get JSON)."""
    f = args.get("f")
    if f is not None:
        if f not in FORMATS:
            raise InvalidParameter(f"Onbekend formaat f={f}: kies json of html.")
        return f
    best = accept.best_match([json_type, "application/json", "text/html"], default=json_type)
    return "html" if best == "text/html" else "json"


_TRUE = {"true", "1", "ja", "yes"}
_FALSE = {"false", "0", "nee", "no"}


def parse_value(field_: Field, value: str) -> Any:
    if "\x00" in value:  # PostgreSQL refuses NUL in text parameters
        raise InvalidParameter(f"{field_.name} bevat een NUL-teken.")
    if field_.type == "integer":
        return _integer(value, field_.name)
    if field_.type == "boolean":
        text = value.strip().lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise InvalidParameter(f"{field_.name} moet true of false zijn: '{value}'.")
    if field_.type == "date":
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise InvalidParameter(f"{field_.name} moet een datum zijn (JJJJ-MM-DD): '{value[:40]}'.") from None
    if field_.type == "number":
        try:
            return float(value)
        except ValueError:
            raise InvalidParameter(f"{field_.name} moet een getal zijn: '{value}'.") from None
    return value


def check_known(args, allowed: set[str]) -> None:
    unknown = sorted(set(args) - allowed)
    if unknown:
        raise InvalidParameter(
            f"Onbekende parameter(s): {', '.join(unknown)}. Toegelaten: {', '.join(sorted(allowed))}."
        )


ITEMS_PARAMS = {"f", "limit", "offset", "bbox", "bbox-crs", "crs", "datetime",
                "filter", "filter-lang", "filter-crs", "sortby", "properties"}
ITEM_PARAMS = {"f", "crs"}


@dataclass
class ItemsQuery:
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    crs: SupportedCrs = DEFAULT_CRS
    bbox: StorageBox | None = None
    period: Period | None = None
    filters: dict[str, Any] = field(default_factory=dict)   # queryable name -> typed value
    filter: Filter | None = None                             # CQL2, compiled by the collection (app.ogcapi.cql)
    sortby: list[tuple[str, bool]] = field(default_factory=list)   # (queryable, descending)
    properties: list[str] | None = None                      # the properties to return; None: all


def items_query(args, fields: tuple[Field, ...], extra: dict[str, Field] | None = None,
                temporal: bool = True, sortable: Iterable[str] = ()) -> ItemsQuery:
    """Parse /items parameters against a collection's queryables (and its
    extra filters, e.g. q and wijk for fiches); `sortable`: the names sortby takes."""
    queryables = {f.name: f for f in fields if f.queryable} | (extra or {})
    if args.get("datetime") is not None and not temporal:
        raise InvalidParameter("Deze collectie heeft geen tijdsdimensie: datetime kan hier niet gebruikt worden.")
    check_known(args, (ITEMS_PARAMS if temporal else ITEMS_PARAMS - {"datetime"}) | set(queryables))
    return ItemsQuery(
        limit=parse_limit(args.get("limit")),
        offset=parse_offset(args.get("offset")),
        crs=parse_crs(args.get("crs")),
        bbox=parse_bbox(args.get("bbox"), args.get("bbox-crs")),
        period=parse_datetime(args.get("datetime")),
        filters={name: parse_value(queryables[name], args[name]) for name in queryables if name in args},
        filter=parse_filter(args.get("filter"), args.get("filter-lang"), args.get("filter-crs")),
        sortby=parse_sortby(args.get("sortby"), sortable),
        properties=parse_properties(args.get("properties"), fields),
    )
