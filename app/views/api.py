"""Map data by URL, for map pages that load their layers instead of embedding
them: GeoJSON per viewport and vector tiles, cached (ETag/Last-Modified,
304) and compressed.

/api/<slug>/fiches.geojson   published fiches with a place; <slug> "regio": all municipalities
/api/<slug>/fasen.geojson    their dated phases
/api/<slug>/wijken.geojson   the wijken
    ?bbox=minlon,minlat,maxlon,maxlat (EPSG:4326)  &zoom=0..22 (simplified and rounded for it)
    + the map page's filters (sector, status, sdg, obligation, year, year_from, year_to, wijk, q)
/api/tiles/<layer>/<z>/<x>/<y>.mvt   Mapbox Vector Tile of fiches or wijken (PostGIS only; SpatiaLite: a Dutch 404);
    ?gemeente=<slug> and the same filters for the fiches
"""
from __future__ import annotations

import math

from flask import Blueprint, Response, request

from ..db import get_session
from ..http import caching as http_cache
from ..http.compression import gzip_bytes
from ..http.kept_tiles import kept_tiles
from ..http.web import error_response
from ..models import Municipality
from ..numbers import whole_number
from ..read import tiles, viewport
from ..read.queries import FicheFilters, find_municipality

bp = Blueprint("api", __name__, url_prefix="/api")
REGION = "regio"
GEOJSON = "application/geo+json"
MVT = "application/vnd.mapbox-vector-tile"
TILE_MAX_AGE = 300


class BadRequest(ValueError):
    pass


def parse_bbox(value: str | None) -> tuple[float, float, float, float] | None:
    if value is None or not value.strip():
        return None
    message = ("bbox: geef vier getallen gescheiden door komma's: min. lengte, min. breedte, max. lengte, "
               "max. breedte in graden (EPSG:4326), bv. bbox=4.75,51.15,4.90,51.22.")
    try:
        numbers = [float(v) for v in value.split(",")]
    except ValueError:
        raise BadRequest(message) from None
    if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
        raise BadRequest(message)
    minx, miny, maxx, maxy = numbers
    if not (-180 <= minx < maxx <= 180 and -90 <= miny < maxy <= 90):
        raise BadRequest(message + " De minima moeten kleiner zijn dan de maxima.")
    return minx, miny, maxx, maxy


def parse_zoom(value: str | None) -> int | None:
    if value is None or not value.strip():
        return None
    zoom = whole_number(value, viewport.MIN_ZOOM, viewport.MAX_ZOOM)
    if zoom is None:
        raise BadRequest(f"zoom: een geheel getal van {viewport.MIN_ZOOM} tot {viewport.MAX_ZOOM}.")
    return zoom


def municipality_or_region(slug: str) -> Municipality | None:
    """None for the whole region; raises LookupError for an unknown slug."""
    if slug == REGION:
        return None
    municipality = find_municipality(get_session(), slug)
    if municipality is None:
        raise LookupError(f"Onbekende gemeente '{slug}'. Gebruik de naam uit de adresbalk, bv. herentals, of 'regio'.")
    return municipality


def _cached(builder, mimetype: str, max_age: int = http_cache.DEFAULT_MAX_AGE) -> Response:
    session = get_session()
    etag, last_modified, not_modified = http_cache.conditional(
        session, request.path, request.query_string.decode("latin-1"), max_age=max_age)
    if not_modified is not None:
        return not_modified
    body = builder(session, etag)
    if isinstance(body, Response):
        response = body
    elif not body:
        response = Response(status=204)
        response.content_length = 0  # nothing for flask-compress to do (werkzeug drops it on a 204)
    else:
        response = Response(body, mimetype=mimetype)
    return http_cache.cache_headers(response, etag, last_modified, max_age)


def _feature_answer(slug: str, build):
    try:
        municipality = municipality_or_region(slug)
        bbox = parse_bbox(request.args.get("bbox"))
        detail = viewport.Detail.for_zoom(parse_zoom(request.args.get("zoom")))
    except LookupError as exc:
        return error_response(404, str(exc))
    except BadRequest as exc:
        return error_response(400, str(exc))
    return _cached(lambda session, _etag: build(session, municipality, bbox, detail), GEOJSON)


def _filters(municipality: Municipality | None, bbox) -> FicheFilters:
    # include_drafts stays False: these endpoints are public.
    return FicheFilters.from_args(request.args, municipality=municipality.nis_code if municipality else None,
                                  bbox=bbox, bbox_srid=4326)


@bp.get("/<slug>/fiches.geojson")
def fiches(slug: str):
    return _feature_answer(slug, lambda s, m, bbox, d: viewport.fiches_geojson(s, _filters(m, bbox), d))


@bp.get("/<slug>/fasen.geojson")
def phases(slug: str):
    return _feature_answer(slug, lambda s, m, bbox, d: viewport.phases_geojson(s, _filters(m, bbox), d))


@bp.get("/<slug>/wijken.geojson")
def wijken(slug: str):
    return _feature_answer(slug, lambda s, m, bbox, d: viewport.wijken_geojson(s, m, d, bbox))


@bp.get("/tiles/<layer>/<int:z>/<int:x>/<int:y>.mvt")
def tile(layer: str, z: int, x: int, y: int):
    session = get_session()
    if not tiles.tiles_available(session):
        # 404, not 501: the tiles do not exist on this installation; nothing is broken (a 5xx would say so).
        return error_response(404, (
            "Vectortegels vragen een PostGIS-databank; deze installatie gebruikt SpatiaLite. "
            "Vraag de kaartgegevens als GeoJSON per venster op, bv. /api/regio/fiches.geojson?bbox=...&zoom=..."))
    try:
        tiles.check_address(layer, z, x, y)
        municipality = municipality_or_region(request.args.get("gemeente") or REGION)
    except tiles.TileError as exc:
        return error_response(404, str(exc))
    except LookupError as exc:
        return error_response(404, str(exc))

    def build(session, etag):
        kept = kept_tiles()  # None: every tile made afresh (TILE_CACHE_SIZE=0)
        wants_gzip = "gzip" in request.headers.get("Accept-Encoding", "")
        key = (str(session.get_bind().url), etag)  # the ETag holds the data version, the path and the arguments
        tile = kept.get(key) if kept is not None else None
        if tile is None:
            raw = tiles.make_tile(session, layer, z, x, y, _filters(municipality, None))
            # A kept tile is kept in both forms; a tile made for one answer is compressed only when asked.
            tile = (raw, gzip_bytes(raw, 6) if raw and (kept is not None or wants_gzip) else b"")
            if kept is not None:
                kept.put(key, tile)
        raw, packed = tile
        if not raw:
            return b""
        if wants_gzip:
            response = Response(packed, mimetype=MVT)
            response.headers["Content-Encoding"] = "gzip"  # flask-compress leaves an encoded body alone
            return response
        return raw

    return _cached(build, MVT, TILE_MAX_AGE)
