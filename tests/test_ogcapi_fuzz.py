"""Fuzzing: schemathesis generates requests from /ogc's own OpenAPI document
and sends them to the Flask app in process (WSGI), on both databases, with a
fixed seed (derandomize) and a small number of examples per operation (the
whole module stays under a minute). Every answer must be no server error and
agree with the document: a documented status code and content type, and a
body that matches the documented schema (the per-collection feature schemas
included). A hand-written list of awkward parameters for the public pages
and /api adds what the OpenAPI document does not describe.

The OpenAPI document itself is validated with openapi-spec-validator."""
from __future__ import annotations

import urllib.parse

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from openapi_spec_validator import validate
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES_PER_OPERATION = 8
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_ogc_api_answers_as_documented(app):
    """Every operation of the document, EXAMPLES_PER_OPERATION generated
    requests each (one loop: schemathesis' pytest plugin does not run on
    this pytest)."""
    schema = schemathesis.openapi.from_wsgi("/ogc/openapi?f=json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25  # landing, conformance, collections, openapi + five per collection

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
        def answers_as_documented(case):
            # uncompressed: the WSGI transport does not undo flask-compress
            case.call_and_validate(checks=CHECKS, headers={"Accept-Encoding": "identity"})

        answers_as_documented()


def test_openapi_document_validates(client):
    doc = client.get("/ogc/openapi").get_json(force=True)
    validate(doc)  # raises on any violation of the OpenAPI 3.0 schema
    paths = doc["paths"]
    assert "/collections/fiches-herentals/schema" in paths
    items = paths["/collections/fasen/items"]["get"]
    names = {p.get("name") or p["$ref"].rsplit("/", 1)[-1] for p in items["parameters"]}
    assert {"filter", "filter-lang", "filter-crs", "sortby", "properties"} <= names
    ok = items["responses"]["200"]["content"]["application/geo+json"]["schema"]["$ref"]
    feature = doc["components"]["schemas"]["feature-fasen"]["properties"]["properties"]["properties"]
    assert ok == "#/components/schemas/features-fasen"
    assert feature["start"]["format"] == "date" and feature["fiche_id"]["type"] == "integer"
    assert feature["illustratief"]["type"] == "boolean"


# Public pages and /api with parameters a person or a bot might send: never a 500.
AWKWARD = ["", "-1", "99999999999999999999", "NaN", "%00", "'; DROP TABLE fiches;--", "<script>alert(1)</script>",
           "%F0%9F%98%80" * 30, "a" * 3000, "2027-02-30", "1,2,3,4,5,6,7", "..%2F..%2Fetc%2Fpasswd"]
PAGES = {
    "/": ["q", "gemeente"],
    "/zoeken": ["q", "stad", "sort"],
    "/buurt": ["lat", "lon", "adres", "straat", "afstand"],
    "/wijk": ["q", "gemeente"],
    "/bedrag": ["budget", "stad"],
    "/regio": ["bbox", "zoom"],
    "/herentals": ["sector", "status", "sdg", "obligation", "year", "year_from", "year_to", "wijk", "q", "bbox",
                   "toestand"],
    "/herentals/cijfers": ["indicator"],
    "/herentals/vergelijken": ["indicator", "measure", "scheme", "year"],
    "/herentals/downloads": ["crs"],
    "/herentals/download.csv": ["crs", "sector", "year"],
    "/herentals/wijken/1301101": ["year", "indicator"],
    "/api/herentals/fiches.geojson": ["bbox", "zoom", "sector", "year", "q", "wijk", "sdg"],
    "/api/herentals/fasen.geojson": ["year", "bbox", "zoom"],
    "/api/herentals/wijken.geojson": ["bbox", "zoom", "indicator"],
    "/api/tiles/fiches/12/2100/1370.mvt": ["sector", "year"],
    "/ogc/collections/fiches-herentals/items": ["limit", "offset", "bbox", "datetime", "filter", "sortby",
                                                "properties", "crs", "bbox-crs", "filter-crs", "filter-lang"],
}


@pytest.mark.parametrize("path", sorted(PAGES))
def test_awkward_parameters_never_give_a_server_error(client, path):
    """Each awkward value in all of the page's parameters at once (one
    request per value keeps the city page's share of the minute small)."""
    failures = []
    for value in AWKWARD:
        url = f"{path}?" + "&".join(f"{urllib.parse.quote(name)}={value}" for name in PAGES[path])
        status = client.get(url).status_code
        if status >= 500:
            failures.append((url[:160], status))
    assert not failures
