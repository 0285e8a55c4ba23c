"""OGC API - Features (Part 1 Core, GeoJSON, HTML, OpenAPI 3.0; Part 2 CRS
by reference) under /ogc: a thin layer over app.read.queries and app.read.features.

Modules: params (CRS and query parameters), collections (what is served and
how it is queried), records (the public attributes, shared with the
downloads), documents (JSON answers), openapi, html, routes."""
from .routes import bp

__all__ = ["bp"]
