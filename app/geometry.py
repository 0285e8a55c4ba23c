"""The geometry rules, in one place: what comes in is checked, made 2D or
refused, transformed to EPSG:31370, and validated. Messages are Dutch because
they reach the person who uploaded or drew the shape.

Policy (the same on PostGIS and SpatiaLite, since it is applied before either
sees the geometry):
- accepted CRS: EPSG:4326, 31370 and 3812 by name, or whatever a file declares;
- Z (and M) coordinates are refused unless the caller asks to drop them;
- GeometryCollections are refused (use a Multi* geometry): SpatiaLite loses
  their SRID, and a fiche has one kind of place;
- invalid geometries are refused with the place of the first problem, unless
  the caller asks for a repair (shapely.make_valid, keeping the same family);
- a geometry outside the area of use of Belgian Lambert 72 is refused: that is
  almost always coordinates given in another CRS than declared;
- a geometry with more than MAX_VERTICES points is refused (SpatiaLite's WKT
  parser overflows from about 500,000 and stores NULL without an error; no
  fiche needs that detail on a city map).
"""
from __future__ import annotations

import shapely
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from .crs import BELGIUM_31370, STORAGE_EPSG, parse_crs, transform

_FAMILY = {
    "Point": "Point", "MultiPoint": "Point",
    "LineString": "LineString", "MultiLineString": "LineString", "LinearRing": "LineString",
    "Polygon": "Polygon", "MultiPolygon": "Polygon",
}


MAX_VERTICES = 200_000


class GeometryError(ValueError):
    """A geometry that cannot be stored; the message is for the user (Dutch)."""


def describe_problem(geom: BaseGeometry) -> str:
    """Dutch explanation of why a geometry is invalid, with where."""
    reason = explain_validity(geom)  # e.g. "Self-intersection[182716.7 207503.1]"
    kind, _, where = reason.partition("[")
    kinds = {
        "Self-intersection": "De geometrie snijdt zichzelf",
        "Ring Self-intersection": "Een ring raakt of snijdt zichzelf",
        "Too few points in geometry component": "Een onderdeel heeft te weinig punten",
        "Hole lies outside shell": "Een gat ligt buiten de buitenrand",
        "Nested shells": "Twee buitenranden liggen in elkaar",
        "Interior is disconnected": "Het binnengebied is opgesplitst",
        "Invalid Coordinate": "Een coördinaat is geen getal",
        "Ring is not closed": "Een ring is niet gesloten",
    }
    text = kinds.get(kind.strip(), f"Ongeldige geometrie ({kind.strip()})")
    if where:
        coords = where.rstrip("]").split()
        text += " bij (" + ", ".join(f"{float(c):.2f}".replace(".", ",") for c in coords[:2]) + ")"
    return text + "."


def repair(geom: BaseGeometry) -> BaseGeometry:
    """make_valid, keeping only the parts of the input's family."""
    fixed = shapely.make_valid(geom)
    family = _FAMILY.get(geom.geom_type)
    if fixed.geom_type == "GeometryCollection" and family:
        parts = [p for p in shapely.get_parts(fixed) if _FAMILY.get(p.geom_type) == family]
        parts = [q for p in parts for q in shapely.get_parts(p)]
        fixed = {
            "Point": shapely.MultiPoint, "LineString": shapely.MultiLineString,
            "Polygon": shapely.MultiPolygon,
        }[family](parts)
    return fixed


def check_vertex_count(geom: BaseGeometry) -> None:
    count = shapely.get_num_coordinates(geom)
    if count > MAX_VERTICES:
        raise GeometryError(
            f"De geometrie heeft {count:,} punten; hoogstens {MAX_VERTICES:,} zijn toegelaten. ".replace(",", ".")
            + "Vereenvoudig ze eerst (bv. in QGIS: Vector > Geometrie > Vereenvoudigen)."
        )


def to_storage(
    geom: BaseGeometry | None,
    crs=STORAGE_EPSG,
    *,
    repair_invalid: bool = False,
    drop_z: bool = False,
) -> BaseGeometry | None:
    """Check a geometry in `crs` and return it in EPSG:31370, 2D and valid.

    Raises GeometryError with a Dutch message when it cannot be stored.
    """
    if geom is None:
        return None
    if geom.is_empty:
        raise GeometryError("De geometrie is leeg.")
    if geom.geom_type == "GeometryCollection":
        raise GeometryError(
            "Een verzameling van verschillende geometrieën (GeometryCollection) wordt niet aanvaard: "
            "gebruik één soort (punten, lijnen of vlakken), eventueel als multi-geometrie."
        )
    if geom.geom_type not in _FAMILY:
        raise GeometryError(f"Geometrietype {geom.geom_type} wordt niet ondersteund.")
    check_vertex_count(geom)
    if shapely.has_z(geom):
        if not drop_z:
            raise GeometryError(
                "De geometrie heeft hoogtecoördinaten (3D). Fichekaart bewaart enkel 2D-ligging: "
                "laat de hoogte weg of kies 'hoogte weglaten'."
            )
        geom = shapely.force_2d(geom)
    src = parse_crs(crs)
    if src.to_epsg() == 4326:
        minx, miny, maxx, maxy = geom.bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise GeometryError(
                "De coördinaten zijn geen lengte- en breedtegraden (EPSG:4326): "
                "staat het juiste coördinatenstelsel vermeld?"
            )
    try:
        stored = transform(geom, src, STORAGE_EPSG)
    except Exception as exc:
        raise GeometryError(f"De geometrie kon niet omgezet worden naar Lambert 72: {exc}") from exc
    if not BELGIUM_31370.contains(stored):
        raise GeometryError(
            "De geometrie ligt niet in België na omzetting naar Lambert 72 (EPSG:31370): "
            f"controleer het coördinatenstelsel (opgegeven: {src.name})."
        )
    if not stored.is_valid:
        if not repair_invalid:
            raise GeometryError(
                describe_problem(stored) + " Herstel de geometrie of vraag een automatische herstelling."
            )
        stored = repair(stored)
        if stored.is_empty or not stored.is_valid:
            raise GeometryError("De geometrie kon niet automatisch hersteld worden.")
    return stored
