"""The OpenAPI 3.0 definition, built from the collections there are now.

Each collection gets its own paths, so a client sees which filters each
one takes: GDAL reads the `limit` maximum and the query parameters that
match feature properties (it then sends `field=value` filters to us)."""
from __future__ import annotations

from flask import url_for

from ..read.records import Field
from .collections import Collection
from .documents import DESCRIPTION, GEOJSON, HTML, JSON, OPENAPI, SCHEMA, TITLE
from .licences import openapi_licence
from .params import CRS84, CRS_URIS, DEFAULT_LIMIT, FILTER_LANGS, MAX_FILTER_CHARS, MAX_LIMIT

PARAMETERS = {
    "limit": {
        "name": "limit", "in": "query", "required": False, "style": "form", "explode": False,
        "description": f"Hoeveel kenmerken per pagina (standaard {DEFAULT_LIMIT}, hoogstens {MAX_LIMIT}).",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
    },
    "offset": {
        "name": "offset", "in": "query", "required": False, "style": "form", "explode": False,
        "description": "Hoeveel kenmerken over te slaan (volg liever de next-link).",
        "schema": {"type": "integer", "minimum": 0, "default": 0},
    },
    "bbox": {
        "name": "bbox", "in": "query", "required": False, "style": "form", "explode": False,
        "description": "Enkel kenmerken die dit rechthoek raken: min,min,max,max in de asvolgorde van "
                       "bbox-crs (standaard CRS84: lengte,breedte; EPSG:4326: breedte,lengte).",
        "schema": {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
    },
    "bbox-crs": {
        "name": "bbox-crs", "in": "query", "required": False, "style": "form", "explode": False,
        "description": "Coördinatenstelsel van bbox.",
        "schema": {"type": "string", "format": "uri", "enum": CRS_URIS, "default": CRS84},
    },
    "crs": {
        "name": "crs", "in": "query", "required": False, "style": "form", "explode": False,
        "description": "Coördinatenstelsel van de geometrieën in het antwoord (zie de Content-Crs-header).",
        "schema": {"type": "string", "format": "uri", "enum": CRS_URIS, "default": CRS84},
    },
    "datetime": {
        "name": "datetime", "in": "query", "required": False, "style": "form", "explode": False,
        "description": "Een dag of periode volgens RFC 3339, bv. 2027-05-01, 2026-01-01/2027-12-31, ../2027-12-31.",
        "schema": {"type": "string"},
    },
    "f": {
        "name": "f", "in": "query", "required": False, "style": "form", "explode": False,
        "description": "Formaat van het antwoord: json of html (anders volgens de Accept-header).",
        "schema": {"type": "string", "enum": ["json", "html"]},
    },
    "filter": {
        "name": "filter", "in": "query", "required": False, "style": "form", "explode": False,
        "description": "Een CQL2-filter (OGC API - Features deel 3) op de velden van /queryables, bv. "
                       "sector = 'Zorg' AND S_INTERSECTS(geometry, BBOX(4.80,51.16,4.84,51.19)).",
        "schema": {"type": "string", "maxLength": MAX_FILTER_CHARS},
    },
    "filter-lang": {
        "name": "filter-lang", "in": "query", "required": False, "style": "form", "explode": False,
        "description": "Taal van filter: cql2-text (standaard) of cql2-json.",
        "schema": {"type": "string", "enum": list(FILTER_LANGS), "default": FILTER_LANGS[0]},
    },
    "filter-crs": {
        "name": "filter-crs", "in": "query", "required": False, "style": "form", "explode": False,
        "description": "Coördinatenstelsel van de geometrieën in filter (standaard CRS84), in de asvolgorde ervan.",
        "schema": {"type": "string", "format": "uri", "enum": CRS_URIS, "default": CRS84},
    },
    "properties": {
        "name": "properties", "in": "query", "required": False, "style": "form", "explode": False,
        "description": "Enkel deze velden in het antwoord, gescheiden door komma's (standaard alle).",
        "schema": {"type": "array", "items": {"type": "string"}},
    },
    "featureId": {
        "name": "featureId", "in": "path", "required": True,
        "description": "Id van het kenmerk.", "schema": {"type": "string"},
    },
}
_EXCEPTION = {JSON: {"schema": {"$ref": "#/components/schemas/exception"}}, HTML: {"schema": {"type": "string"}}}
ERRORS = {  # JSON, or a Dutch page when HTML was asked
    "400": {"description": "Ongeldige parameter", "content": _EXCEPTION},
    "404": {"description": "Niet gevonden", "content": _EXCEPTION},
}
# JSON Schema (OpenAPI 3.0 dialect) of a feature's geometry: GeoJSON, or null
GEOMETRY_SCHEMA = {
    "type": "object", "nullable": True, "required": ["type"],
    "properties": {"type": {"type": "string", "enum": [
        "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection"]}},
}
LINKS_SCHEMA = {"type": "array", "items": {"type": "object", "required": ["href"], "properties": {
    "href": {"type": "string"}, "rel": {"type": "string"}, "type": {"type": "string"}, "title": {"type": "string"}}}}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/parameters/{name}"}


def _ok(description: str, *types: str, schema: dict | None = None) -> dict:
    content = {t: {"schema": {"type": "string"} if t == HTML else (schema or {"type": "object"})} for t in types}
    return {"200": {"description": description, "content": content}, **ERRORS}


def _property_schema(field: Field) -> dict:
    """A record field in the OpenAPI 3.0 dialect: its type, and null allowed
    (a field the source leaves empty)."""
    schema = field.json_schema()
    schema.pop("title", None)
    return {**schema, "nullable": True, "description": field.title}


def feature_schemas(c: Collection) -> dict:
    """{name: schema} of the collection's feature and feature collection
    (the `properties` parameter may leave fields out: none is required)."""
    feature = {
        "type": "object", "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
            "geometry": GEOMETRY_SCHEMA,
            "properties": {"type": "object", "properties": {f.name: _property_schema(f) for f in c.fields}},
            "links": LINKS_SCHEMA,
        },
    }
    collection = {
        "type": "object", "required": ["type", "features"],
        "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "features": {"type": "array", "items": {"$ref": f"#/components/schemas/feature-{c.id}"}},
            "numberMatched": {"type": "integer", "minimum": 0},
            "numberReturned": {"type": "integer", "minimum": 0},
            "timeStamp": {"type": "string", "format": "date-time"},
            "links": LINKS_SCHEMA,
        },
    }
    return {f"feature-{c.id}": feature, f"features-{c.id}": collection}


def _schema_ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _filter_parameter(field: Field) -> dict:
    schema = field.json_schema()
    return {"name": field.name, "in": "query", "required": False, "style": "form", "explode": False,
            "description": schema.pop("title"), "schema": schema}


def _sortby_parameter(c: Collection) -> dict:
    names = sorted(c.sortable)
    return {"name": "sortby", "in": "query", "required": False, "style": "form", "explode": False,
            "description": "Sorteer op deze velden, gescheiden door komma's; - ervoor voor aflopend "
                           f"(bv. -{names[0]}). Lege waarden komen achteraan.",
            "schema": {"type": "array", "items": {"type": "string", "enum": [
                prefix + name for name in names for prefix in ("", "+", "-")]}}}


def _collection_paths(c: Collection) -> dict:
    base = f"/collections/{c.id}"
    params = [_ref(n) for n in ("limit", "offset", "bbox", "bbox-crs", "crs")]
    if c.temporal:
        params.append(_ref("datetime"))
    params += [_filter_parameter(f) for f in c.queryables] + [_filter_parameter(f) for f in c.extra_filters.values()]
    params += [_ref("filter"), _ref("filter-lang"), _ref("filter-crs"), _sortby_parameter(c), _ref("properties"),
               _ref("f")]
    tag = [c.id]
    return {
        base: {"get": {"summary": c.title, "description": c.description, "tags": tag,
                       "operationId": f"describe-{c.id}", "parameters": [_ref("f")],
                       "responses": _ok("Beschrijving van de collectie", JSON, HTML)}},
        f"{base}/items": {"get": {"summary": f"{c.title}: kenmerken", "tags": tag, "operationId": f"items-{c.id}",
                                  "parameters": params,
                                  "responses": _ok("De kenmerken", GEOJSON, HTML,
                                                   schema=_schema_ref(f"features-{c.id}"))}},
        f"{base}/items/{{featureId}}": {"get": {
            "summary": f"{c.title}: één kenmerk", "tags": tag, "operationId": f"item-{c.id}",
            "parameters": [_ref("featureId"), _ref("crs"), _ref("f")],
            "responses": _ok("Het kenmerk", GEOJSON, HTML, schema=_schema_ref(f"feature-{c.id}"))}},
        f"{base}/schema": {"get": {"summary": f"{c.title}: schema van de kenmerken", "tags": tag,
                                   "operationId": f"schema-{c.id}", "parameters": [_ref("f")],
                                   "responses": _ok("JSON Schema van de kenmerken (describedby)", SCHEMA, HTML)}},
        f"{base}/queryables": {"get": {"summary": f"{c.title}: velden om op te filteren", "tags": tag,
                                       "operationId": f"queryables-{c.id}", "parameters": [_ref("f")],
                                       "responses": _ok("JSON Schema van de filtervelden", SCHEMA, HTML)}},
    }


def document(items: list[Collection]) -> dict:
    paths = {
        "/": {"get": {"summary": "Startpagina", "operationId": "landing", "parameters": [_ref("f")],
                      "responses": _ok("De startpagina met links", JSON, HTML)}},
        "/openapi": {"get": {"summary": "Deze API-definitie", "operationId": "openapi", "parameters": [_ref("f")],
                             "responses": _ok("OpenAPI 3.0", OPENAPI, HTML)}},
        "/conformance": {"get": {"summary": "Conformiteitsklassen", "operationId": "conformance",
                                 "parameters": [_ref("f")], "responses": _ok("De conformiteitsklassen", JSON, HTML)}},
        "/collections": {"get": {"summary": "De collecties", "operationId": "collections", "parameters": [_ref("f")],
                                 "responses": _ok("De collecties", JSON, HTML)}},
    }
    schemas = {"exception": {"type": "object", "required": ["code"], "properties": {
        "code": {"type": "string"}, "description": {"type": "string"}}}}
    for c in items:
        paths.update(_collection_paths(c))
        schemas.update(feature_schemas(c))
    return {
        "openapi": "3.0.3",
        "info": {"title": TITLE, "description": DESCRIPTION, "version": "1.0.0",
                 "license": openapi_licence()},
        "servers": [{"url": url_for("ogcapi.landing", _external=True).rstrip("/")}],
        "tags": [{"name": c.id, "description": c.title} for c in items],
        "paths": paths,
        "components": {
            "parameters": PARAMETERS,
            "schemas": schemas,
        },
    }
