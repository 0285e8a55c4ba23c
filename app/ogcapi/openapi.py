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
from .params import CRS84, CRS_URIS, DEFAULT_LIMIT, MAX_LIMIT

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
    "featureId": {
        "name": "featureId", "in": "path", "required": True,
        "description": "Id van het kenmerk.", "schema": {"type": "string"},
    },
}
ERRORS = {
    "400": {"description": "Ongeldige parameter",
            "content": {JSON: {"schema": {"$ref": "#/components/schemas/exception"}}}},
    "404": {"description": "Niet gevonden", "content": {JSON: {"schema": {"$ref": "#/components/schemas/exception"}}}},
}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/parameters/{name}"}


def _ok(description: str, *types: str) -> dict:
    return {"200": {"description": description, "content": {t: {"schema": {"type": "object"}} for t in types}},
            **ERRORS}


def _filter_parameter(field: Field) -> dict:
    schema = field.json_schema()
    return {"name": field.name, "in": "query", "required": False, "style": "form", "explode": False,
            "description": schema.pop("title"), "schema": schema}


def _collection_paths(c: Collection) -> dict:
    base = f"/collections/{c.id}"
    params = [_ref(n) for n in ("limit", "offset", "bbox", "bbox-crs", "crs")]
    if c.temporal:
        params.append(_ref("datetime"))
    params += [_filter_parameter(f) for f in c.queryables] + [_filter_parameter(f) for f in c.extra_filters.values()]
    params.append(_ref("f"))
    tag = [c.id]
    return {
        base: {"get": {"summary": c.title, "description": c.description, "tags": tag,
                       "operationId": f"describe-{c.id}", "parameters": [_ref("f")],
                       "responses": _ok("Beschrijving van de collectie", JSON, HTML)}},
        f"{base}/items": {"get": {"summary": f"{c.title}: kenmerken", "tags": tag, "operationId": f"items-{c.id}",
                                  "parameters": params, "responses": _ok("De kenmerken", GEOJSON, HTML)}},
        f"{base}/items/{{featureId}}": {"get": {
            "summary": f"{c.title}: één kenmerk", "tags": tag, "operationId": f"item-{c.id}",
            "parameters": [_ref("featureId"), _ref("crs"), _ref("f")],
            "responses": _ok("Het kenmerk", GEOJSON, HTML)}},
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
    for c in items:
        paths.update(_collection_paths(c))
    return {
        "openapi": "3.0.3",
        "info": {"title": TITLE, "description": DESCRIPTION, "version": "1.0.0",
                 "license": openapi_licence()},
        "servers": [{"url": url_for("ogcapi.landing", _external=True).rstrip("/")}],
        "tags": [{"name": c.id, "description": c.title} for c in items],
        "paths": paths,
        "components": {
            "parameters": PARAMETERS,
            "schemas": {"exception": {"type": "object", "required": ["code"], "properties": {
                "code": {"type": "string"}, "description": {"type": "string"}}}},
        },
    }
