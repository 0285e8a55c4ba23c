"""Area outlines (gemeente, deelgemeenten, wijken, winkelgebieden) with names.

Input: area features in EPSG:4326 with `code`, `name`, `level`; only those of
the requested level are drawn (features without a level are taken as
belonging to it). Output: a folium.GeoJson in its own pane, above classed
maps and below the project layers, with the name as tooltip (or as a
permanent label) and the source in the map attribution.
"""
from __future__ import annotations

import folium
from folium.utilities import JsCode

from . import styles
from .geojson import AREAS_PANE, EnsurePane, collection, read_features
from .popups import area_tooltip, esc

DEFAULT_SOURCE = "Bron: Statbel, Provincies in Cijfers"

# Permanent labels at the centre of each area, instead of hover tooltips.
_BIND_LABEL = JsCode(
    """function (feature, layer) {
        layer.bindTooltip(feature.properties.tooltip,
            {permanent: true, direction: "center", className: "fk-label", interactive: false});
    }"""
)
_BIND_TOOLTIP = JsCode(
    """function (feature, layer) {
        layer.bindTooltip(feature.properties.tooltip, {sticky: true});
    }"""
)


def build_areas_layer(areas_fc, level: str, name: str | None = None, *, labels: bool = False,
                      source: str = DEFAULT_SOURCE, show: bool = True) -> folium.GeoJson:
    """Outlines of the areas of one `level`, styled per level."""
    if level not in styles.LEVEL_STYLES:
        raise ValueError(f"unknown area level {level!r}; use one of {sorted(styles.LEVEL_STYLES)}")
    items = [
        (f["geometry"], {"tooltip": area_tooltip(f["properties"])})
        for f in read_features(areas_fc)
        if f["properties"].get("level", level) == level
    ]
    style = {**styles.LEVEL_STYLES[level], "className": f"fk-area fk-area-{level}"}
    style.setdefault("fillColor", style["color"])
    layer = folium.GeoJson(
        collection(items),
        name=name or styles.LEVEL_LABELS_PLURAL[level],
        style_function=lambda feature: style,
        on_each_feature=_BIND_LABEL if labels else _BIND_TOOLTIP,
        pane=AREAS_PANE[0],
        attribution=esc(source),
        show=show,
    )
    EnsurePane(*AREAS_PANE).add_to(layer)
    return layer
