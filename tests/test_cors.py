"""CORS: the public read endpoints (OGC API, /api map data, downloads) may be
read by any web page; staff routes and pages never carry CORS headers."""
from __future__ import annotations

import pytest
from staff_fixtures import *  # noqa: F401,F403
from staff_fixtures import login

ORIGIN = {"Origin": "https://viewer.example.org"}
PUBLIC_READS = [
    "/ogc/", "/ogc/collections", "/ogc/collections/fiches-herentals/items?limit=2",
    "/api/herentals/fiches.geojson", "/herentals/download.csv",
]
NOT_PUBLIC_READS = ["/", "/herentals", "/aanmelden", "/beheer/", "/beheer/herentals/"]


@pytest.mark.parametrize("url", PUBLIC_READS)
def test_public_reads_may_be_read_from_any_origin(client, url):
    response = client.get(url, headers=ORIGIN)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    assert "Origin" in response.headers["Vary"]


def test_an_ogc_error_carries_cors_too(client):
    # a viewer must be able to read why its request failed
    response = client.get("/ogc/collections/fiches-herentals/items?limit=abc", headers=ORIGIN)
    assert response.status_code == 400
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_preflight_of_an_ogc_request(client):
    response = client.options("/ogc/collections/fiches-herentals/items",
                              headers={**ORIGIN, "Access-Control-Request-Method": "GET",
                                       "Access-Control-Request-Headers": "Accept"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]
    assert "Accept" in response.headers["Access-Control-Allow-Headers"]


@pytest.mark.parametrize("url", NOT_PUBLIC_READS)
def test_pages_and_staff_routes_have_no_cors(client, url):
    response = client.get(url, headers=ORIGIN)
    assert "Access-Control-Allow-Origin" not in response.headers
    preflight = client.options(url, headers={**ORIGIN, "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in preflight.headers


def test_a_logged_in_staff_page_has_no_cors(scratch_app, staff):
    client = scratch_app.test_client()
    login(client, staff.beheerder)
    response = client.get("/beheer/herentals/", headers=ORIGIN)
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers
