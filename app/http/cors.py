"""CORS for the public read endpoints, so browser-based viewers and online GIS
can call them: the OGC API (/ogc), the WFS (/wfs), the map data (/api) and the downloads.

Anyone may read these (published data only, no cookies needed), so the
answer is `Access-Control-Allow-Origin: *` without credentials. Staff routes,
pages and forms never get CORS headers: a browser then keeps other sites
from reading them with a visitor's session.
"""
from __future__ import annotations

from flask import Flask, request

PUBLIC_BLUEPRINTS = frozenset({"ogcapi", "wfs", "api"})
PUBLIC_ENDPOINTS = frozenset({"downloads.download"})
# Headers a client script may read: caching, paging links, the OGC API's CRS, and
# when to retry after a 503 and the request id to quote (app/http/outage.py, request_log.py).
EXPOSED = "ETag, Last-Modified, Link, Content-Crs, Content-Disposition, Retry-After, X-Request-Id"
PREFLIGHT_MAX_AGE = 86400


def is_public_read() -> bool:
    return request.blueprint in PUBLIC_BLUEPRINTS or request.endpoint in PUBLIC_ENDPOINTS


def cors_headers(response):
    if not is_public_read():
        return response
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED
    if request.method == "OPTIONS":  # a preflight (Flask answers OPTIONS for every GET route)
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Accept-Language, If-None-Match, If-Modified-Since"
        response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
    vary = response.headers.get("Vary", "")
    if "Origin" not in vary:
        response.headers["Vary"] = f"{vary}, Origin" if vary else "Origin"
    return response


def init_app(app: Flask) -> None:
    app.after_request(cors_headers)
