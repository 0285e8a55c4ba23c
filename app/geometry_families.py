"""The one layout every city shares, by geometry family: points, lines,
polygons, and no place. Each OGC collection and each file layer holds one
family, always as its Multi type (a single geometry becomes a one-part
multi), so a client that types a layer from its first feature (QGIS, GDAL)
draws every feature, and a model built on one city's files fits another's.

Used by app/ogcapi (collections per family) and app/exports (layers per
family); names in the files use `_`, collection ids `-`.
"""
from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

# family -> the declared (Multi) geometry type
FAMILY_TYPES = {"punten": "MultiPoint", "lijnen": "MultiLineString", "vlakken": "MultiPolygon"}
FAMILY_ORDER = tuple(FAMILY_TYPES)
FAMILY_LABELS = {"punten": "punten", "lijnen": "lijnen", "vlakken": "vlakken (polygonen)"}
NO_PLACE = "zonder_ligging"
# every geometry type a family holds (single and multi)
FAMILY_MEMBERS = {family: (multi[len("Multi"):], multi) for family, multi in FAMILY_TYPES.items()}
FAMILIES = {member: family for family, members in FAMILY_MEMBERS.items() for member in members}


def family_of(geom: BaseGeometry | None) -> str | None:
    """'punten' / 'lijnen' / 'vlakken', or None for no place (or an empty or
    unsupported geometry, such as a GeometryCollection, which storage refuses)."""
    if geom is None or geom.is_empty:
        return None
    return FAMILIES.get(geom.geom_type)


def as_multi(geom: BaseGeometry | None) -> BaseGeometry | None:
    """A Point, LineString or Polygon as a one-part Multi geometry; multis and None as they are."""
    if geom is None or geom.geom_type.startswith("Multi") or geom.geom_type not in FAMILIES:
        return geom
    return getattr(shapely, f"Multi{geom.geom_type}")([geom])


# shapely type id of a single geometry -> the function that makes its Multi type
_MULTI_OF = {0: shapely.multipoints, 1: shapely.multilinestrings, 3: shapely.multipolygons}


def as_multi_many(geoms: np.ndarray) -> np.ndarray:
    """as_multi of each geometry of an object array, one call per type instead of one per geometry."""
    out = np.array(geoms, dtype=object)
    types = shapely.get_type_id(out)
    for single, make in _MULTI_OF.items():
        which = np.flatnonzero(types == single)
        if len(which):
            out[which] = make(out[which], indices=np.arange(len(which)))
    return out
