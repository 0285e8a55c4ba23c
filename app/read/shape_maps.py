"""Before/after shapes for the small maps of the staff workspace: a revision
in the fiche history that changed the geometry, and the shape the form
refused. The maps are decorative (app/static/staff/shape-map.js draws them);
what a keyboard or screen-reader user needs is the Dutch text summary made
here, with the WKT in a <details> beside it.

Geometries arrive as WKT in EPSG:31370 (history snapshots) or as shapely
geometries in EPSG:4326 (a rejected drawing); the maps get GeoJSON in
EPSG:4326, rounded to 7 decimals (about a centimetre).
"""
from __future__ import annotations

import json

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from ..crs import STORAGE_EPSG, round_coordinates, transform
from ..models import Area, Municipality
from .rows import load_area_rows

# A small map is no place for a huge shape: above this, text only.
MAX_MAP_VERTICES = 20_000
# The city's outline is context only: simplified to 25 m.
OUTLINE_TOLERANCE_M = 25.0

_KINDS = {
    "Point": "punt", "MultiPoint": "punten", "LineString": "lijn", "MultiLineString": "lijnen",
    "Polygon": "vlak", "MultiPolygon": "vlakken", "GeometryCollection": "verzameling van vormen",
}


def _number(value: float, decimals: int = 0) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def from_wkt(wkt: str | None) -> BaseGeometry | None:
    """A stored WKT (EPSG:31370) or None when empty or unreadable."""
    if not wkt:
        return None
    try:
        geom = shapely.from_wkt(wkt)
    except Exception:  # an old or damaged snapshot: the text still shows it
        return None
    return None if geom is None or geom.is_empty else geom


def map_geojson(geom_4326: BaseGeometry | None) -> dict | None:
    """GeoJSON geometry (EPSG:4326) for a small map, or None when absent or too big to draw."""
    if geom_4326 is None or geom_4326.is_empty or shapely.get_num_coordinates(geom_4326) > MAX_MAP_VERTICES:
        return None
    return json.loads(shapely.to_geojson(round_coordinates(shapely.force_2d(geom_4326), 4326)))


def storage_to_map(geom_31370: BaseGeometry | None) -> dict | None:
    if geom_31370 is None or shapely.get_num_coordinates(geom_31370) > MAX_MAP_VERTICES:
        return None
    return map_geojson(transform(geom_31370, STORAGE_EPSG, 4326))


def describe(geom_31370: BaseGeometry | None) -> str:
    """One Dutch line: what kind of shape, how many points, its size and where
    (Lambert 72 metres), e.g. "vlak, 5 punten, 1,25 ha, rond (182.607, 207.046)"."""
    if geom_31370 is None or geom_31370.is_empty:
        return "geen ligging"
    count = shapely.get_num_coordinates(geom_31370)
    parts = [_KINDS.get(geom_31370.geom_type, geom_31370.geom_type),
             f"{_number(count)} punt" + ("en" if count != 1 else "")]
    # An invalid shape (a bow tie) has no meaningful area or centroid: its box's centre.
    valid = geom_31370.is_valid
    if not valid:
        parts.append("ongeldig")
    elif geom_31370.area > 0:
        area = geom_31370.area
        parts.append(f"{_number(area / 10_000, 2)} ha" if area >= 10_000 else f"{_number(area)} m²")
    elif geom_31370.length > 0:
        length = geom_31370.length
        parts.append(f"{_number(length / 1000, 2)} km" if length >= 1000 else f"{_number(length)} m")
    if valid:
        x, y = geom_31370.centroid.x, geom_31370.centroid.y
    else:
        minx, miny, maxx, maxy = geom_31370.bounds
        x, y = (minx + maxx) / 2, (miny + maxy) / 2
    parts.append(f"rond ({_number(x)}, {_number(y)})")
    return ", ".join(parts)


def moved(old: BaseGeometry | None, new: BaseGeometry | None) -> str | None:
    """How far the new shape lies from the old one, in Dutch, or None."""
    if old is None or new is None:
        return None
    if old.intersects(new):
        return "De nieuwe ligging overlapt de oude." if not old.equals(new) else "Zelfde ligging."
    return f"De nieuwe ligging ligt {_number(old.distance(new))} m van de oude."


def revision_shapes(old_wkt: str | None, new_wkt: str | None) -> dict:
    """What the history shows for one geometry change: the two maps' shapes
    (None when nothing can be drawn) and the text summary."""
    old, new = from_wkt(old_wkt), from_wkt(new_wkt)
    shapes = {"old": storage_to_map(old), "new": storage_to_map(new)}
    return {
        "map": shapes if (shapes["old"] or shapes["new"]) else None,
        "old_text": describe(old) if old_wkt else "geen ligging",
        "new_text": describe(new) if new_wkt else "geen ligging",
        "moved": moved(old, new),
    }


def rejected_shapes(stored_31370: BaseGeometry | None, rejected_4326: BaseGeometry | None) -> dict | None:
    """The form's geometry error: the stored shape (kept) and the refused
    one, as maps and text; None when the refused shape cannot be drawn."""
    shown = map_geojson(rejected_4326)
    if shown is None or rejected_4326 is None:
        return None
    try:
        text = describe(transform(shapely.force_2d(rejected_4326), 4326, STORAGE_EPSG))
    except Exception:  # coordinates no projection accepts: the map still shows it
        text = _KINDS.get(rejected_4326.geom_type, rejected_4326.geom_type)
    return {"map": {"old": storage_to_map(stored_31370), "new": shown},
            "old_text": describe(stored_31370), "new_text": text}


def city_outline(session: Session, city: Municipality) -> dict | None:
    """The city's gemeente outline (GeoJSON, EPSG:4326, simplified) as context for the small maps."""
    areas = load_area_rows(session, Area.municipality_id == city.id, Area.level == "gemeente")
    if not areas or areas[0].geom is None:
        return None
    outline = areas[0].geom.simplify(OUTLINE_TOLERANCE_M, preserve_topology=True)
    return map_geojson(transform(outline, STORAGE_EPSG, 4326))
