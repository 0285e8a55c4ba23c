"""Shapely Multi geometries -> GML 3.2 elements (lxml): MultiPoint,
MultiCurve of LineStrings, MultiSurface of Polygons, each with the gml:id
GML 3.2 requires and the srsName of the answer. Coordinates come already
transformed, rounded and in the axis order of that srsName."""
from __future__ import annotations

import shapely

from .xml import GML, GML_NS, qname

GML_ID = qname(GML_NS, "id")


def _numbers(coordinates) -> str:
    return " ".join(repr(float(v)) for xy in coordinates for v in xy)


def _pos_list(geom) -> object:
    return GML.posList(_numbers(shapely.get_coordinates(geom).tolist()))


def _point(point, gid: str):
    return GML.Point(GML.pos(_numbers([(point.x, point.y)])), **{GML_ID: gid})


def _line(line, gid: str):
    return GML.LineString(_pos_list(line), **{GML_ID: gid})


def _polygon(polygon, gid: str):
    element = GML.Polygon(GML.exterior(GML.LinearRing(_pos_list(polygon.exterior))), **{GML_ID: gid})
    for ring in polygon.interiors:
        element.append(GML.interior(GML.LinearRing(_pos_list(ring))))
    return element


# Multi type -> (GML element, member element, member writer)
_MULTI = {
    "MultiPoint": (GML.MultiPoint, GML.pointMember, _point),
    "MultiLineString": (GML.MultiCurve, GML.curveMember, _line),
    "MultiPolygon": (GML.MultiSurface, GML.surfaceMember, _polygon),
}


def geometry(geom, gid: str, srs_name: str):
    """A Multi geometry as GML 3.2 (gid: a unique NCName for its gml:id)."""
    multi, member, write = _MULTI[geom.geom_type]
    element = multi(**{GML_ID: gid, "srsName": srs_name, "srsDimension": "2"})
    for i, part in enumerate(geom.geoms, 1):
        element.append(member(write(part, f"{gid}.{i}")))
    return element
