"""The maps of the fiche page and the wijk page, built with layers/ (pure
builders: GeoJSON in EPSG:4326 in, folium out) and rendered as parts for a
Jinja page ({{ map_parts.header|with_nonce }} ...)."""
from __future__ import annotations

import shapely
from folium.map import Layer

from layers.areas import build_areas_layer
from layers.base import add_layer_control, build_base_map, render_map_parts
from layers.phases import build_phases_layer
from layers.projects import build_projects_layer

from ..basemap import basemap_setting
from ..crs import STORAGE_EPSG, transform
from ..read.features import area_features, fiche_features, phase_features
from ..read.rows import AreaRow, FicheRow

# A point (or a tiny shape) is shown with at least this much around it, so the
# map shows the streets around it instead of zooming in to the maximum.
MIN_EXTENT_M = 500


def bounds_4326(geoms) -> tuple[float, float, float, float]:
    """(min lon, min lat, max lon, max lat) around geometries in the storage
    CRS (metres), widened to at least MIN_EXTENT_M metres."""
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    half_w, half_h = max((maxx - minx) / 2, MIN_EXTENT_M / 2), max((maxy - miny) / 2, MIN_EXTENT_M / 2)
    box = shapely.box(cx - half_w, cy - half_h, cx + half_w, cy + half_h)
    return transform(box, STORAGE_EPSG, 4326).bounds


def _outline(areas: list[AreaRow], level: str) -> dict:
    """Area features drawn in the style of `level` whatever their own level
    (the wijk a page is about is drawn with the bold city-border style)."""
    fc = area_features(areas)
    for feature in fc["features"]:
        feature["properties"]["level"] = level
    return fc


def fiche_map(fiche: FicheRow, wijken: list[AreaRow], year: int | None = None) -> dict | None:
    """The fiche, its dated phases on a year slider and the wijken it touches.
    None for a fiche without geometry."""
    if fiche.geom is None:
        return None
    m = build_base_map(bounds_4326([fiche.geom]), basemap_setting(), label=f"Kaart: ligging van {fiche.title}")
    areas_layer = None
    if wijken:
        areas_layer = build_areas_layer(area_features(wijken), "wijk", name="Wijken waarin de fiche ligt",
                                        labels=True)
        areas_layer.add_to(m)
    projects, legend = build_projects_layer(fiche_features([fiche]), name="Deze fiche")
    projects.add_to(m)
    legend.add_to(m)
    groups: dict[str, list[Layer]] = {"Deze fiche": [projects]}
    phases_fc = phase_features([fiche])
    if phases_fc["features"]:
        timeline, slider = build_phases_layer(phases_fc, name="Fasen van deze fiche", year=year)
        timeline.add_to(m)
        slider.add_to(m)
        groups["Deze fiche"].append(timeline)
    if areas_layer is not None:
        groups["Gebieden"] = [areas_layer]
    add_layer_control(m, groups)
    return render_map_parts(m)


def wijk_map(wijk: AreaRow, neighbours: list[AreaRow], fiches: list[FicheRow]) -> dict:
    """The wijk (bold outline), the other wijken of the city (thin, named)
    and the published fiches that touch the wijk."""
    m = build_base_map(bounds_4326([wijk.geom]), basemap_setting(), label=f"Kaart van de wijk {wijk.name}")
    others = build_areas_layer(area_features(neighbours), "wijk", name="Andere wijken")
    others.add_to(m)
    own = build_areas_layer(_outline([wijk], "gemeente"), "gemeente", name=f"Wijk {wijk.name}", labels=True)
    own.add_to(m)
    groups: dict[str, list[Layer]] = {"Gebieden": [own, others]}
    placed = [f for f in fiches if f.geom is not None]
    if placed:
        projects, legend = build_projects_layer(fiche_features(placed), name="Fiches in deze wijk")
        projects.add_to(m)
        legend.add_to(m)
        groups = {"Fiches": [projects], **groups}
    add_layer_control(m, groups)
    return render_map_parts(m)
