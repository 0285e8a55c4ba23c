"""The region map: every municipality's wijken and fiches on one map that
loads its layers by URL, so the page stays small whatever the region holds.

PostGIS: vector tiles (folium's VectorGridProtobuf on /api/tiles/...).
SpatiaLite (no MVT encoder): app/static/region.js fetches GeoJSON of the
visible box at the current zoom from /api/regio/... after every move.
"""
from __future__ import annotations

import functools
import json

import shapely
from flask import Blueprint, render_template, request

from layers.base import add_layer_control, build_base_map, render_map_parts
from layers.styles import STATUS_COLORS, STATUS_LABELS

from ..basemap import basemap_setting
from ..crs import STORAGE_EPSG, transform
from ..db import get_session
from ..http.caching import data_version
from ..models import Area
from ..read.pages import region_counts
from ..read.tiles import tiles_available
from ..spatial import extent

bp = Blueprint("region", __name__)

# scripts/bench_data.py writes this in the source of every fiche it generates.
GENERATED_SOURCE = "Gegenereerd voor de benchmark (scripts/bench): geen echt project."
AREA_ATTRIBUTION = "Gebiedsgrenzen: Bron: Statbel, Provincies in Cijfers"
# GeoJSON mode (SpatiaLite) fetches the fiches from this zoom on: a whole
# region's fiches as GeoJSON are megabytes (docs/bench.md); tiles have no such limit.
GEOJSON_FICHES_MIN_ZOOM = 11


def _region_counts(session) -> dict[str, int]:
    return region_counts(session, GENERATED_SOURCE)


def _vector_grid_options(layer: str) -> str:
    """VectorGrid options as JS: SVG tiles (every shape a clickable path; with clusters below
    zoom 12 a tile never holds many), styles from region.js (loaded in <head>)."""
    style = "fichekaartRegion.ficheStyle" if layer == "fiches" else "fichekaartRegion.wijkStyle"
    attribution = json.dumps(AREA_ATTRIBUTION if layer == "wijken" else "Fiches: de plannen van de steden")
    z_index = 3 if layer == "fiches" else 2  # fiches above the wijken (clicks reach the top layer)
    return ('{"rendererFactory": L.svg.tile, "interactive": true, "maxNativeZoom": 18, '
            f'"zIndex": {z_index}, '
            f'"attribution": {attribution}, '
            '"getFeatureId": function (f) { return f.properties.id || f.properties.code; }, '
            f'"vectorTileLayerStyles": {{"{layer}": {style}}}}}')


@functools.lru_cache(maxsize=16)
def _map_parts(mode: str, basemap: str, bounds: tuple | None, prefix: str) -> tuple[dict, dict]:
    """The rendered folium map (cached per process: the page's own data comes by URL).
    Returns (parts, names of the JS layer variables)."""
    from folium.plugins import VectorGridProtobuf

    m = build_base_map(bounds, json.loads(basemap), prefer_canvas=True,
                       label="Kaart van de regio met de wijken en de fiches van alle gemeenten")
    names = {"map": m.get_name()}
    if mode == "mvt":
        layers = []
        for layer, label in (("wijken", "Wijken"), ("fiches", "Fiches")):
            grid = VectorGridProtobuf(f"{prefix}/api/tiles/{layer}/{{z}}/{{x}}/{{y}}.mvt", label,
                                      _vector_grid_options(layer))
            grid.add_to(m)
            layers.append(grid)
            names[layer] = grid.get_name()
        add_layer_control(m, {"Regio": layers})
    else:
        # region.js adds its GeoJSON layers to this (Dutch, folded) control
        names["control"] = add_layer_control(m, {}).get_name()
    return render_map_parts(m), names


_FACTS: dict[tuple, tuple] = {}


def _region_facts(session) -> tuple[dict, tuple | None]:
    """(counts, bounds in EPSG:4326), remembered per data version: the extent
    of 2,730 wijken takes longer than the rest of the page."""
    key = (str(session.get_bind().url), data_version(session)[0])
    if key not in _FACTS:
        box = extent(session, Area.geom, Area.level == "wijk")
        bounds = tuple(round(v, 4) for v in transform(shapely.box(*box), STORAGE_EPSG, 4326).bounds) if box else None
        if len(_FACTS) > 8:
            _FACTS.clear()
        _FACTS[key] = (_region_counts(session), bounds)
    return _FACTS[key]


@bp.get("/regio")
def page():
    session = get_session()
    counts, bounds = _region_facts(session)
    mode = "mvt" if tiles_available(session) else "geojson"
    parts, names = _map_parts(mode, json.dumps(basemap_setting()), bounds, request.script_root)
    config = {"mode": mode, "api": f"{request.script_root}/api/regio", "names": names,
              "fichesMinZoom": GEOJSON_FICHES_MIN_ZOOM, "attribution": AREA_ATTRIBUTION,
              "colors": STATUS_COLORS, "labels": STATUS_LABELS}
    return render_template("region/index.html", map_parts=parts, counts=counts, mode=mode,
                           config=json.dumps(config), attribution=AREA_ATTRIBUTION,
                           fiches_min_zoom=GEOJSON_FICHES_MIN_ZOOM,
                           legend=[(STATUS_LABELS[s], STATUS_COLORS[s]) for s in STATUS_COLORS])
