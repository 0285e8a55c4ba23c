"""The JSON documents of the API (landing page, conformance, collections,
items, queryables), with their links. The HTML pages render the same
documents, so both always say the same."""
from __future__ import annotations

import datetime as dt

import shapely
from flask import request, url_for

from ..crs import STORAGE_EPSG, WGS84_EPSG, transform
from ..read.features import embedded_features, to_features
from ..read.stored_records import JsonRecords
from . import cql
from .base import Collection, Page
from .licences import all_licences, catalogue_links, collection_licences, collection_metadata_links, licence_links
from .params import CRS84, CRS_URIS, STORAGE_CRS, ItemsQuery, SupportedCrs

JSON = "application/json"
GEOJSON = "application/geo+json"
HTML = "text/html"
SCHEMA = "application/schema+json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    *cql.CONFORMANCE,
]
TITLE = "Fichekaart: OGC API - Features"
DESCRIPTION = (
    "De projectfiches van Vlaamse steden, hun fasen, de wijken en de indicatoren per wijk, als OGC API - "
    "Features, standaard in Belgian Lambert 72 (EPSG:31370) bewaard en op vraag in CRS84, EPSG:4326 of "
    "EPSG:3812. Enkel gepubliceerde fiches. Waarden gemarkeerd als illustratief zijn voorbeeldwaarden."
)


def link(href: str, rel: str, type_: str, title: str) -> dict:
    return {"href": href, "rel": rel, "type": type_, "title": title}


def url(endpoint: str, **values) -> str:
    return url_for(endpoint, _external=True, **values)


def self_links(endpoint: str, json_type: str = JSON, **values) -> list[dict]:
    """self + alternate: the same resource as JSON and as HTML."""
    args = {k: v for k, v in request.args.items() if k != "f"}
    return [
        link(url(endpoint, **values, **args, f="json"), "self", json_type, "Dit document (JSON)"),
        link(url(endpoint, **values, **args, f="html"), "alternate", HTML, "Dit document als webpagina"),
    ]


def landing() -> dict:
    return {
        "title": TITLE,
        "description": DESCRIPTION,
        "links": [
            *self_links("ogcapi.landing"),
            link(url("ogcapi.openapi", f="json"), "service-desc", OPENAPI, "De API-definitie (OpenAPI 3.0)"),
            link(url("ogcapi.openapi", f="html"), "service-doc", HTML, "Documentatie van de API"),
            link(url("ogcapi.conformance"), "conformance", JSON, "Ondersteunde conformiteitsklassen"),
            link(url("ogcapi.collections"), "data", JSON, "De collecties"),
            *licence_links(all_licences()),
            *catalogue_links(),
        ],
    }


def conformance() -> dict:
    return {"conformsTo": CONFORMANCE, "links": self_links("ogcapi.conformance")}


def _crs84_bbox(bbox: tuple[float, float, float, float]) -> list[float]:
    x1, y1, x2, y2 = bbox
    if x1 == x2 and y1 == y2:  # one point: a box of zero size cannot be segmentized
        outline = shapely.Point(x1, y1)
    elif x1 == x2 or y1 == y2:  # one straight axis-parallel line
        outline = shapely.LineString([(x1, y1), (x2, y2)]).segmentize(max(x2 - x1, y2 - y1) / 16)
    else:
        outline = shapely.box(x1, y1, x2, y2).segmentize(max(x2 - x1, y2 - y1, 1.0) / 16)
    return [round(v, 6) for v in transform(outline, STORAGE_EPSG, 4326).bounds]


def _rfc3339(day: dt.date | None, end: bool = False) -> str | None:
    if day is None:
        return None
    return f"{day.isoformat()}T{'23:59:59' if end else '00:00:00'}Z"


def collection(session, c: Collection) -> dict:
    doc: dict = {
        "id": c.id,
        "title": c.title,
        "description": c.description,
        "itemType": "feature",
        # the one geometry type of every feature (null: none has a geometry); not in Part 1, read by people
        # and repeated in the schema (describedBy) as Part 5 words it
        "geometryType": c.geometry_type,
        "crs": CRS_URIS,
        "storageCrs": STORAGE_CRS.uri,
        "links": [
            *self_links("ogcapi.collection", collection_id=c.id),
            # without f: GDAL looks this path up in the OpenAPI document (limit maximum)
            link(url("ogcapi.items", collection_id=c.id), "items", GEOJSON, "De kenmerken (GeoJSON)"),
            link(url("ogcapi.items", collection_id=c.id, f="html"), "items", HTML, "De kenmerken als webpagina"),
            link(url("ogcapi.queryables", collection_id=c.id), "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                 SCHEMA, "Velden waarop gefilterd kan worden"),
            # Spelled as Part 1 spells it: GDAL 3.6 (Debian 12's) compares the rel exactly and
            # otherwise types a field from the first page (String when that page has no value);
            # RFC 8288 compares relation types case-insensitively, so it is "describedby" to others.
            link(url("ogcapi.schema", collection_id=c.id), "describedBy", SCHEMA, "Schema van de kenmerken"),
            *collection_metadata_links(c),
        ],
    }
    extent: dict = {}
    bbox = c.spatial_extent(session)
    if bbox:
        extent["spatial"] = {"bbox": [_crs84_bbox(bbox)], "crs": CRS84}
    interval = c.temporal_extent(session)
    if interval:
        extent["temporal"] = {
            "interval": [[_rfc3339(interval[0]), _rfc3339(interval[1], end=True)]],
            "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
        }
    if extent:
        doc["extent"] = extent
    return doc


def collections(session, items: list[Collection]) -> dict:
    return {
        "links": self_links("ogcapi.collections"),
        "collections": [collection(session, c) for c in items],
        "crs": CRS_URIS,
    }


def _geojson(page: Page, crs: SupportedCrs) -> dict:
    # stored records go into the answer as the JSON text they are, and so do
    # stored geometries when asked in CRS84 (lon/lat, the default)
    properties = page.records.fragments() if isinstance(page.records, JsonRecords) else page.records
    if page.geojson_crs84 is not None and crs.epsg == WGS84_EPSG and not crs.lat_first:
        return embedded_features(page.geojson_crs84, properties, page.ids)
    return to_features(page.geoms, properties, page.ids, crs.epsg, lat_first=crs.lat_first, embed=True)


def _timestamp() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _page_link(c: Collection, offset: int, rel: str, title: str) -> dict:
    args = {k: v for k, v in request.args.items() if k not in ("offset", "f")}
    return link(url("ogcapi.items", collection_id=c.id, **args, offset=offset, f="json"), rel, GEOJSON, title)


def only_properties(page: Page, names: list[str] | None) -> Page:
    """The page with only the asked properties (the `properties` parameter)."""
    if names is None:
        return page
    return Page([{k: r[k] for k in names if k in r} for r in page.records], page.geoms, page.ids, page.matched,
                page.geojson_crs84)


def items(c: Collection, page: Page, query: ItemsQuery) -> dict:
    doc = _geojson(page, query.crs)
    links = [
        *self_links("ogcapi.items", GEOJSON, collection_id=c.id),
        link(url("ogcapi.collection", collection_id=c.id), "collection", JSON, c.title),
        *licence_links(collection_licences(c)),
    ]
    if query.offset + len(page.ids) < page.matched:
        links.append(_page_link(c, query.offset + query.limit, "next", "Volgende pagina"))
    if query.offset > 0:
        links.append(_page_link(c, max(query.offset - query.limit, 0), "prev", "Vorige pagina"))
    doc.update({
        "numberMatched": page.matched,
        "numberReturned": len(page.ids),
        "timeStamp": _timestamp(),
        "links": links,
    })
    return doc


def item(c: Collection, page: Page, crs: SupportedCrs) -> dict:
    feature = _geojson(page, crs)["features"][0]
    feature["links"] = [
        *self_links("ogcapi.item", GEOJSON, collection_id=c.id, feature_id=page.ids[0]),
        link(url("ogcapi.collection", collection_id=c.id), "collection", JSON, c.title),
        *licence_links(collection_licences(c)),
    ]
    return feature


def _schema(c: Collection, endpoint: str, title: str, properties: dict) -> dict:
    return {
        "$schema": "https://json-schema.org/draft/2019-09/schema",
        "$id": url(endpoint, collection_id=c.id),
        "type": "object",
        "title": title,
        "properties": properties,
    }


def queryables(c: Collection) -> dict:
    """Every name a filter takes (?name=value and CQL2), and only those."""
    doc = _schema(c, "ogcapi.queryables", f"{c.title}: velden om op te filteren",
                  {name: q.field.json_schema() for name, q in c.cql_queryables.items()})
    doc["additionalProperties"] = False
    return doc


def schema(c: Collection) -> dict:
    """The features' schema: GDAL reads the field types from it (so a field
    that is empty on the first page still gets its type)."""
    fields = {f.name: f.json_schema() for f in c.fields if f.name != "id"}  # GDAL takes id from the features
    return _schema(c, "ogcapi.schema", c.title, {
        "type": {"type": "string", "enum": ["Feature"]},
        "geometry": geometry_schema(c.geometry_type),
        "properties": {"type": "object", "properties": fields},
    })


def geometry_schema(geometry_type: str | None) -> dict:
    """The schema of a collection's geometry: one GeoJSON type (with the
    Part 5 role and format), any geometry, or null for none."""
    if geometry_type is None:
        return {"type": "null", "x-ogc-role": "primary-geometry"}
    return {"$ref": f"https://geojson.org/schema/{geometry_type}.json", "x-ogc-role": "primary-geometry",
            "format": f"geometry-{geometry_type.lower()}" if geometry_type != "Geometry" else "geometry-any"}
