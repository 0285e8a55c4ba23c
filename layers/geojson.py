"""GeoJSON plumbing shared by the layer builders.

Input everywhere: a FeatureCollection dict in EPSG:4326 (lon, lat), a list of
features, or a GeoDataFrame (transformed to EPSG:4326 here if it has another
CRS). Features without geometry are skipped. Output: small FeatureCollections
that carry only what the browser needs (geometry rounded to 6 decimals, about
0.1 m, and the pre-escaped tooltip/popup HTML), so raw text and unused
properties never reach the page.
"""
from __future__ import annotations

import json
import math
from typing import Any

import folium
import numpy as np
import orjson
import shapely
from branca.element import MacroElement
from folium.template import Template
from folium.utilities import JsCode, get_obj_in_upper_tree

from .map_data import MapData

FAMILIES = ("polygons", "lines", "points")  # drawing order: bottom to top
_FAMILY_OF = {
    "Polygon": "polygons", "MultiPolygon": "polygons",
    "LineString": "lines", "MultiLineString": "lines",
    "Point": "points", "MultiPoint": "points",
}
COORDINATE_DECIMALS = 6

# Panes keep filled areas under the project features whatever order the
# layers are switched on in (Leaflet's overlayPane is 400).
CHOROPLETH_PANE = ("fk-vlakken", 380)
AREAS_PANE = ("fk-gebieden", 390)

# Tooltips and popups come from pre-escaped properties; nothing else from the
# data is ever turned into HTML.
BIND_HTML = JsCode(
    """function (feature, layer) {
        var p = feature.properties || {};
        if (p.tooltip) {
            layer.bindTooltip(p.tooltip, {sticky: !(layer instanceof L.CircleMarker)});
        }
        if (p.popup) {
            layer.bindPopup(p.popup, {maxWidth: 320});
        }
    }"""
)


def read_features(data: Any) -> list[dict]:
    """The features of `data` that have a geometry, properties never None.

    NaN numbers (from pandas) become None.
    """
    if data is None:
        return []
    if hasattr(data, "to_json") and hasattr(data, "geometry"):  # GeoDataFrame
        if data.crs is not None and data.crs.to_epsg() != 4326:
            data = data.to_crs(4326)
        data = json.loads(data.to_json(na="null", drop_id=True))
    if isinstance(data, dict):
        features = data.get("features", []) if data.get("type") == "FeatureCollection" else [data]
    else:
        features = list(data)
    out = []
    for feature in features:
        if not feature or not feature.get("geometry"):
            continue
        props = {k: _clean(v) for k, v in (feature.get("properties") or {}).items()}
        out.append({"type": "Feature", "geometry": feature["geometry"], "properties": props})
    return out


def _clean(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def family_parts(geometry: dict) -> list[tuple[str, dict]]:
    """(family, geometry) pairs; a GeometryCollection gives one per member."""
    kind = geometry.get("type")
    if kind == "GeometryCollection":
        return [pair for g in geometry.get("geometries", []) for pair in family_parts(g)]
    family = _FAMILY_OF.get(kind)
    return [(family, geometry)] if family else []


class RoundedGeometry(dict):
    """A GeoJSON geometry whose coordinates the producer already rounded to
    `decimals` (e.g. app.read.features): kept as is, not parsed and rounded again."""
    __slots__ = ("decimals",)

    def __init__(self, geometry: dict, decimals: int):
        super().__init__(geometry)
        self.decimals = decimals


def rounded_geometries(geometries: list[dict]) -> list[dict]:
    """Geometries with coordinates rounded to COORDINATE_DECIMALS."""
    if not geometries:
        return []
    if all(getattr(g, "decimals", COORDINATE_DECIMALS + 1) <= COORDINATE_DECIMALS for g in geometries):
        return geometries
    # orjson: several times faster than the stdlib json on long coordinate lists
    geoms = shapely.from_geojson([orjson.dumps(g) for g in geometries])
    geoms = shapely.transform(geoms, lambda xy: np.round(xy, COORDINATE_DECIMALS))
    return [orjson.loads(s) for s in shapely.to_geojson(geoms)]


def collection(items: list[tuple[dict, dict]]) -> MapData:
    """A FeatureCollection from (geometry, properties) pairs, ids 0..n-1.

    The ids let folium's style_function look each feature up (see style_lookup).
    A MapData: encoded by orjson after the map's code is rendered (map_data.py).
    """
    geometries = rounded_geometries([g for g, _ in items])
    return MapData({
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": i, "geometry": g, "properties": p}
            for i, (g, (_, p)) in enumerate(zip(geometries, items))
        ],
    })


def style_lookup(styles_by_id: list[dict]):
    """A folium style_function that returns the style computed up front per id."""
    return lambda feature: styles_by_id[int(feature["id"])]


def representative_point(geometry: dict) -> tuple[float, float]:
    """(lon, lat) of a point guaranteed to lie on the geometry."""
    point = shapely.from_geojson(orjson.dumps(geometry)).representative_point()
    return (point.x, point.y)


def bounds_of(*datas) -> tuple[float, float, float, float] | None:
    """(min lon, min lat, max lon, max lat) over all features, or None."""
    geometries = [f["geometry"] for data in datas for f in read_features(data)]
    if not geometries:
        return None
    geoms = shapely.from_geojson([orjson.dumps(g) for g in geometries])
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)):
        return None
    return (float(minx), float(miny), float(maxx), float(maxy))


def widened_bounds(bounds, min_metres: float):
    """EPSG:4326 bounds (min lon, min lat, max lon, max lat) grown around their
    centre to at least `min_metres` each way (a point is shown with its streets,
    not at the highest zoom). None stays None."""
    if bounds is None:
        return None
    minx, miny, maxx, maxy = bounds
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    half_lat = max((maxy - miny) / 2, min_metres / 2 / 111_320)
    half_lon = max((maxx - minx) / 2, min_metres / 2 / (111_320 * max(math.cos(math.radians(cy)), 0.01)))
    return (cx - half_lon, cy - half_lat, cx + half_lon, cy + half_lat)


class EnsurePane(MacroElement):
    """Creates a map pane with a z-index before its layer is added.

    Add as a child of the layer: its script runs after the layer is built and
    before the layer is added to the map.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        if (!{{ this.map_name }}.getPane({{ this.pane|tojson }})) {
            {{ this.map_name }}.createPane({{ this.pane|tojson }}).style.zIndex = {{ this.z_index|tojson }};
        }
        {% endmacro %}
        """
    )

    def __init__(self, pane: str, z_index: int):
        super().__init__()
        self._name = "EnsurePane"
        self.pane = pane
        self.z_index = z_index

    def render(self, **kwargs):
        self.map_name = get_obj_in_upper_tree(self, folium.Map).get_name()
        super().render(**kwargs)
