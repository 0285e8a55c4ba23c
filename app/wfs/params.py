"""The KVP request of a WFS 2.0 GET: names case-insensitive (OGC 06-121),
values checked here; every problem is a WfsError (an exception report).

srsName and the CRS of BBOX: EPSG:31370 (the default), EPSG:3812 and
EPSG:4326. Axis order follows the form of the name, as WFS 2.0 clients
expect: the URN (urn:ogc:def:crs:EPSG::4326) and the http URI mean EPSG's
own order, latitude first; the short EPSG:4326 is read longitude first
(as in WFS 1.0 and most clients). Lambert 72 and 2008 are x, y always.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..ogcapi.errors import ApiError
from ..ogcapi.params import CRS84, MAX_LIMIT, STORAGE_CRS, ItemsQuery, SupportedCrs, parse_bbox, parse_crs
from .errors import WfsError, missing, not_supported
from .fes import bbox_of_filter

VERSIONS = ("2.0.0", "2.0.2")
OPERATIONS = ("GetCapabilities", "DescribeFeatureType", "GetFeature")
GML = "application/gml+xml; version=3.2"
JSON = "application/json"
# outputFormat -> what we write; the GML 3.2 spellings clients use
OUTPUT_FORMATS = {GML: "gml", "text/xml; subtype=gml/3.2": "gml", "text/xml; subtype=gml/3.2.1": "gml",
                  "application/gml+xml; version=3.2.1": "gml", "gml32": "gml",
                  JSON: "json", "application/geo+json": "json", "json": "json", "geojson": "json"}


def _format_key(value: str) -> str:
    return value.replace(" ", "").lower()


_FORMATS = {_format_key(k): v for k, v in OUTPUT_FORMATS.items()}
# parameters of WFS 2.0 that this service does not implement: a clear 400, not a silent full answer
UNSUPPORTED = {"RESOURCEID": "RESOURCEID", "SORTBY": "SORTBY",
               "PROPERTYNAME": "PROPERTYNAME", "STOREDQUERY_ID": "Stored queries (STOREDQUERY_ID)",
               "FILTER_LANGUAGE": "FILTER_LANGUAGE", "RESOLVE": "RESOLVE"}

_URN = re.compile(r"^urn:(?:x-)?ogc:def:crs:(EPSG|OGC):[0-9.]*:([A-Za-z0-9]+)$", re.IGNORECASE)
_SHORT = re.compile(r"^EPSG:(\d+)$", re.IGNORECASE)


@dataclass(frozen=True)
class OutputCrs:
    """The CRS of the answer: what to transform to, and the srsName to write."""
    crs: SupportedCrs
    name: str


DEFAULT_OUTPUT_CRS = OutputCrs(STORAGE_CRS, "urn:ogc:def:crs:EPSG::31370")


def kvp(args) -> dict[str, str]:
    """The query parameters, names upper-cased (the last of a repeated one wins)."""
    return {key.upper(): value for key, value in args.items(multi=False)}


def ogc_uri(value: str) -> str:
    """A CRS name in any WFS spelling -> what app.ogcapi.params.parse_crs
    reads, with the axis order of that spelling (see the module docstring)."""
    text = value.strip()
    urn = _URN.match(text)
    if urn:
        authority, code = urn.groups()
        return CRS84 if authority.upper() == "OGC" else f"http://www.opengis.net/def/crs/EPSG/0/{code}"
    short = _SHORT.match(text)
    if short and short.group(1) == "4326":
        return CRS84  # the short form: longitude first
    return text


def output_crs(value: str | None) -> OutputCrs:
    if not value:
        return DEFAULT_OUTPUT_CRS
    try:
        crs = parse_crs(ogc_uri(value), "srsName")
    except ApiError as exc:
        raise WfsError(exc.description, "InvalidParameterValue", "srsName") from None
    if crs.uri == CRS84 and not value.strip().upper().startswith("EPSG:"):
        return OutputCrs(crs, "urn:ogc:def:crs:OGC:1.3:CRS84")
    if crs.uri == CRS84:
        return OutputCrs(crs, "EPSG:4326")
    return OutputCrs(crs, f"urn:ogc:def:crs:EPSG::{crs.epsg}")


def bbox(value: str | None):
    """BBOX=minx,miny,maxx,maxy[,crs] (default CRS: Lambert 72) -> a box in
    the storage CRS (app.ogcapi.params.StorageBox), or None."""
    if value is None:
        return None
    parts = value.split(",")
    crs = None
    if len(parts) in (5, 7):  # the last part is the CRS
        crs, parts = parts[-1], parts[:-1]
    try:
        return parse_bbox(",".join(parts), ogc_uri(crs) if crs else STORAGE_CRS.uri)
    except ApiError as exc:
        raise WfsError(exc.description.replace("bbox-crs", "BBOX"), "InvalidParameterValue", "bbox") from None


def whole(value: str | None, name: str, minimum: int) -> int | None:
    if value is None:
        return None
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 9 or int(text) < minimum:
        raise WfsError(f"{name} moet een geheel getal van minstens {minimum} zijn: '{value[:40]}'.",
                       "InvalidParameterValue", name.lower())
    return int(text)


@dataclass(frozen=True)
class Request:
    operation: str
    params: dict[str, str]


def request_of(args) -> Request:
    """SERVICE, REQUEST and VERSION checked; the rest left to the operation."""
    params = kvp(args)
    service = params.get("SERVICE")
    if service is None:
        raise missing("SERVICE")
    if service.upper() != "WFS":
        raise WfsError(f"SERVICE moet WFS zijn, niet '{service[:40]}'.", "InvalidParameterValue", "service")
    operation = params.get("REQUEST")
    if operation is None:
        raise missing("REQUEST")
    known = {o.lower(): o for o in OPERATIONS}
    if operation.lower() not in known:
        raise WfsError(f"Onbekende REQUEST '{operation[:40]}'. Deze WFS kent: {', '.join(OPERATIONS)}.",
                       "OperationNotSupported", "request")
    operation = known[operation.lower()]
    version = params.get("VERSION")
    if version is not None and version not in VERSIONS and operation != "GetCapabilities":
        raise WfsError(f"VERSION {version[:20]} wordt niet ondersteund: deze WFS spreekt 2.0.0.",
                       "InvalidParameterValue", "version")
    if operation == "GetCapabilities":
        accept = params.get("ACCEPTVERSIONS")
        if accept and not set(v.strip() for v in accept.split(",")) & set(VERSIONS):
            raise WfsError("Geen van de gevraagde versies (ACCEPTVERSIONS) wordt ondersteund: enkel 2.0.0.",
                           "VersionNegotiationFailed", "acceptversions")
    return Request(operation, params)


def type_names(params: dict[str, str], required: bool) -> list[str]:
    value = params.get("TYPENAMES") or params.get("TYPENAME")
    if not value:
        if required:
            raise missing("TYPENAMES")
        return []
    return [name.strip().strip("()") for name in re.split(r"[,()]+", value) if name.strip().strip("()")]


def output_format(params: dict[str, str], default: str = "gml") -> str:
    value = params.get("OUTPUTFORMAT")
    if value is None:
        return default
    found = _FORMATS.get(_format_key(value))
    if found is None:
        raise WfsError(f"outputFormat '{value[:60]}' wordt niet ondersteund: kies {GML} of {JSON}.",
                       "InvalidParameterValue", "outputFormat")
    return found


@dataclass(frozen=True)
class GetFeature:
    type_name: str
    query: ItemsQuery
    srs: OutputCrs
    hits: bool
    format: str


def get_feature(params: dict[str, str]) -> GetFeature:
    for name, what in UNSUPPORTED.items():
        if params.get(name):
            raise not_supported(name, what)
    names = type_names(params, required=True)
    if len(names) != 1:
        raise WfsError("Vraag één feature type per GetFeature (TYPENAMES): joins worden niet ondersteund.",
                       "OperationNotSupported", "typeNames")
    result_type = (params.get("RESULTTYPE") or "results").lower()
    if result_type not in ("results", "hits"):
        raise WfsError(f"resultType moet results of hits zijn, niet '{result_type[:20]}'.",
                       "InvalidParameterValue", "resultType")
    count = whole(params.get("COUNT") or params.get("MAXFEATURES"), "COUNT", 1)
    start = whole(params.get("STARTINDEX"), "STARTINDEX", 0) or 0
    srs = output_crs(params.get("SRSNAME"))
    box = params.get("BBOX")
    if params.get("FILTER"):
        if box:
            raise WfsError("Gebruik BBOX of FILTER, niet beide.", "InvalidParameterValue", "filter")
        box = bbox_of_filter(params["FILTER"])
    query = ItemsQuery(limit=min(count or MAX_LIMIT, MAX_LIMIT), offset=start, crs=srs.crs, bbox=bbox(box))
    return GetFeature(names[0], query, srs, result_type == "hits", output_format(params))
