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
  almost always coordinates given in another CRS than declared.
"""
from __future__ import annotations

import functools

import shapely
from pyproj import CRS, Transformer
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

STORAGE_EPSG = 31370
ALLOWED_INPUT_EPSG = (4326, 31370, 3812)

# Belgium and a margin, in EPSG:31370 (metres). Lambert 72's area of use.
BELGIUM_31370 = shapely.box(10_000, 10_000, 310_000, 260_000)

_FAMILY = {
    "Point": "Point", "MultiPoint": "Point",
    "LineString": "LineString", "MultiLineString": "LineString", "LinearRing": "LineString",
    "Polygon": "Polygon", "MultiPolygon": "Polygon",
}


class GeometryError(ValueError):
    """A geometry that cannot be stored; the message is for the user (Dutch)."""


def parse_crs(value) -> CRS:
    """EPSG code (int or 'EPSG:31370'), 'CRS84', a URI or a pyproj CRS -> CRS."""
    if isinstance(value, CRS):
        return value
    try:
        if isinstance(value, int):
            return CRS.from_epsg(value)
        text = str(value).strip()
        if text.isdigit():
            return CRS.from_epsg(int(text))
        if text.endswith("/CRS84") or text.upper() == "CRS84":
            return CRS.from_epsg(4326)
        if "/EPSG/" in text:
            return CRS.from_epsg(int(text.rstrip("/").rsplit("/", 1)[1]))
        return CRS.from_user_input(text)
    except Exception as exc:
        raise GeometryError(f"Onbekend coördinatenstelsel: {value!r}.") from exc


def epsg_of(crs) -> int | None:
    return parse_crs(crs).to_epsg()


@functools.lru_cache(maxsize=64)
def _transformer(src_wkt: str, dst_epsg: int) -> Transformer:
    return Transformer.from_crs(CRS.from_wkt(src_wkt), CRS.from_epsg(dst_epsg), always_xy=True)


def transform(geom: BaseGeometry, src, dst) -> BaseGeometry:
    """Transform a 2D geometry between CRSs (x = east/longitude first)."""
    src_crs, dst_epsg = parse_crs(src), epsg_of(dst)
    if src_crs.to_epsg() == dst_epsg:
        return geom
    transformer = _transformer(src_crs.to_wkt(), dst_epsg)
    return shapely.transform(geom, lambda xy: _apply(transformer, xy))


def transform_many(geoms, src, dst):
    """Vectorised transform of an array of geometries (None stays None)."""
    if isinstance(src, int) and isinstance(dst, int):
        transformer = _epsg_transformer(src, dst)  # the common case, without parsing CRSs each time
    else:
        src_crs, dst_epsg = parse_crs(src), epsg_of(dst)
        transformer = None if src_crs.to_epsg() == dst_epsg else _transformer(src_crs.to_wkt(), dst_epsg)
    if transformer is None:
        return geoms
    return shapely.transform(geoms, lambda xy: _apply(transformer, xy))


@functools.lru_cache(maxsize=64)
def _epsg_transformer(src: int, dst: int) -> Transformer | None:
    """The transformer between two EPSG codes; None when they are the same CRS."""
    src_crs = parse_crs(src)
    if src_crs.to_epsg() == epsg_of(dst):
        return None
    return _transformer(src_crs.to_wkt(), epsg_of(dst))


def _apply(transformer: Transformer, xy):
    import numpy as np

    x, y = transformer.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


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
            raise GeometryError(describe_problem(stored) + " Herstel de geometrie of vraag een automatische herstelling.")
        stored = repair(stored)
        if stored.is_empty or not stored.is_valid:
            raise GeometryError("De geometrie kon niet automatisch hersteld worden.")
    return stored
