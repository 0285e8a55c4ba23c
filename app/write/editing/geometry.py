"""A fiche's geometry as the workspace receives it: drawn on the map (GeoJSON
in EPSG:4326 in a hidden input) or uploaded as a file (GeoJSON, GeoPackage,
zipped Shapefile, KML: the file's own CRS is read). Everything goes through
app.geometry.to_storage, so the rules (2D, no GeometryCollection, valid,
inside Belgium) are the same as for imports.
"""
from __future__ import annotations

import json

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...crs import BELGIUM_31370, STORAGE_EPSG, round_coordinates, transform
from ...geometry import GeometryError, check_vertex_count, to_storage
from ...models import Area, Municipality
from ...spatial import from_db
from ..imports import ImportFailed
from ..imports.archives import LayerChoiceNeeded
from ..imports.tables import SPATIAL_SUFFIXES, read_table

_MULTI = {
    "Point": shapely.MultiPoint, "MultiPoint": shapely.MultiPoint,
    "LineString": shapely.MultiLineString, "MultiLineString": shapely.MultiLineString,
    "Polygon": shapely.MultiPolygon, "MultiPolygon": shapely.MultiPolygon,
}
UPLOAD_SUFFIXES = tuple(sorted(SPATIAL_SUFFIXES - {".shp", ".fgb"}))


class GeometryInputError(GeometryError):
    """A geometry the form cannot use. `repairable`: an automatic repair
    would make it valid (the form then offers the repair); `pending`: the
    received geometry as GeoJSON (EPSG:4326), to carry into the re-rendered
    form so that a re-submit (with repair) does not need the file again."""

    def __init__(self, message: str, *, repairable: bool = False, pending: str | None = None,
                 rejected: BaseGeometry | None = None):
        super().__init__(message)
        self.repairable = repairable
        self.pending = pending
        # The refused shape in EPSG:4326 when it could be read (shown on a small map).
        self.rejected = rejected


def combine(geoms: list[BaseGeometry | None]) -> BaseGeometry | None:
    """Several drawn shapes or file features -> one geometry: a single shape
    as is, shapes of one family as its Multi* type. Mixed families become a
    GeometryCollection, which to_storage refuses with its own message."""
    geoms = [g for g in geoms if g is not None and not g.is_empty]
    if not geoms:
        return None
    if len(geoms) == 1:
        return geoms[0]
    multis = {_MULTI.get(g.geom_type) for g in geoms}
    if len(multis) != 1 or None in multis:
        return shapely.GeometryCollection(geoms)
    parts = [part for g in geoms for part in shapely.get_parts(g)]
    return multis.pop()(parts)


def parse_geojson(text: str) -> BaseGeometry | None:
    """A GeoJSON geometry, Feature or FeatureCollection -> one shapely geometry."""
    try:
        data = json.loads(text)
    except ValueError:
        raise GeometryInputError("De getekende geometrie is geen geldige GeoJSON.") from None
    if not isinstance(data, dict):
        raise GeometryInputError("De getekende geometrie is geen geldige GeoJSON.")
    if data.get("type") == "FeatureCollection":
        items = [f.get("geometry") for f in data.get("features") or [] if isinstance(f, dict)]
    elif data.get("type") == "Feature":
        items = [data.get("geometry")]
    else:
        items = [data]
    geoms = []
    for item in items:
        if item is None:
            continue
        try:
            geoms.append(shapely.from_geojson(json.dumps(item)))
        except Exception:
            raise GeometryInputError("De getekende geometrie is geen geldige GeoJSON.") from None
    return combine(geoms)


def to_form_geojson(geom_31370: BaseGeometry | None) -> str:
    """The value of the hidden input for a stored geometry: a FeatureCollection
    in EPSG:4326 with 7 decimals. Deterministic, so an untouched input can be
    recognised on submit."""
    if geom_31370 is None:
        return json.dumps({"type": "FeatureCollection", "features": []})
    geom = round_coordinates(transform(geom_31370, STORAGE_EPSG, 4326), 4326)
    feature = {"type": "Feature", "properties": {}, "geometry": json.loads(shapely.to_geojson(geom))}
    return json.dumps({"type": "FeatureCollection", "features": [feature]})


def same_geojson(a: str, b: str) -> bool:
    try:
        return json.loads(a) == json.loads(b)
    except ValueError:
        return False


def _checked(geom: BaseGeometry | None, crs, *, repair: bool, drop_z: bool) -> BaseGeometry | None:
    try:
        return to_storage(geom, crs, repair_invalid=repair, drop_z=drop_z)
    except GeometryError as exc:
        message = str(exc)
    repairable, pending = False, None
    if not repair:
        try:
            to_storage(geom, crs, repair_invalid=True, drop_z=drop_z)
            repairable = True
        except GeometryError:
            pass
    shown = _in_4326(geom, crs)
    if repairable and shown is not None:
        # Carry the received shape (2D, EPSG:4326) to the re-rendered form.
        pending = json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {}, "geometry": json.loads(shapely.to_geojson(shown))}
        ]})
    raise GeometryInputError(message, repairable=repairable, pending=pending, rejected=shown)


def _in_4326(geom: BaseGeometry | None, crs) -> BaseGeometry | None:
    """The received shape in 2D EPSG:4326, or None when it cannot be
    transformed (or is too big to be worth it: the vertex cap's message says why)."""
    if geom is None or geom.is_empty:
        return None
    try:
        check_vertex_count(geom)
        return transform(shapely.force_2d(geom), crs, 4326)
    except Exception:
        return None


DRAWN_OUTSIDE_BELGIUM = (
    "De getekende plaats ligt (deels) buiten België. Fichekaart bewaart enkel plaatsen in België: "
    "verplaats de vorm of teken ze opnieuw op de kaart."
)


def geometry_from_drawing(text: str, *, repair: bool = False, drop_z: bool = False) -> BaseGeometry | None:
    """GeoJSON in EPSG:4326 (from the map) -> geometry in EPSG:31370, or None.
    A shape drawn by hand outside Belgium is refused with a message about
    the place (the coordinate systems are not the editor's business here)."""
    geom = parse_geojson(text)
    try:
        return _checked(geom, 4326, repair=repair, drop_z=drop_z)
    except GeometryInputError as exc:
        if _drawn_outside_belgium(geom):
            raise GeometryInputError(DRAWN_OUTSIDE_BELGIUM, rejected=exc.rejected) from None
        raise


def _drawn_outside_belgium(geom: BaseGeometry | None) -> bool:
    if geom is None or geom.is_empty:
        return False
    try:
        check_vertex_count(geom)
        minx, miny, maxx, maxy = geom.bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            return False
        return not BELGIUM_31370.contains(transform(shapely.force_2d(geom), 4326, STORAGE_EPSG))
    except Exception:  # another problem; its own message stands
        return False


def geometry_from_file(data: bytes, filename: str, *, repair: bool = False,
                       drop_z: bool = False) -> BaseGeometry | None:
    """An uploaded spatial file -> one geometry in EPSG:31370 (all its
    features together). Raises GeometryInputError with a Dutch message."""
    suffix = ("." + filename.rsplit(".", 1)[-1].lower()) if "." in filename else ""
    if suffix not in UPLOAD_SUFFIXES:
        raise GeometryInputError(
            f"Bestandstype '{suffix or '?'}' wordt niet ondersteund voor een geometrie: "
            "gebruik GeoJSON, GeoPackage (.gpkg), een gezipte shapefile (.zip) of KML."
        )
    try:
        table = read_table(data, filename)
    except LayerChoiceNeeded as exc:
        raise GeometryInputError(
            f"{filename} bevat {len(exc.layers)} lagen ({', '.join(exc.layers[:20])}). "
            "Laad een bestand met enkel de laag van deze fiche op."
        ) from None
    except ImportFailed as exc:
        raise GeometryInputError(" ".join(str(e) for e in exc.errors)) from None
    geoms = [g for g in (table.geometries or []) if g is not None]
    if not geoms:
        raise GeometryInputError(f"{filename} bevat geen geometrie.")
    return _checked(combine(geoms), table.crs, repair=repair, drop_z=drop_z)


def outside_city(session: Session, municipality: Municipality, geom_31370: BaseGeometry | None) -> bool:
    """True when the geometry does not touch the city's area (level
    'gemeente'); False when there is no geometry or no city area to test."""
    if geom_31370 is None:
        return False
    areas = [from_db(g) for g in session.scalars(
        select(Area.geom).where(Area.municipality_id == municipality.id, Area.level == "gemeente")
    )]
    return bool(areas) and not any(area.intersects(geom_31370) for area in areas)


# A place further than this beyond the city's boundary is probably a slip
# (wrong city, wrong spot on the map): saving it needs an explicit "yes".
FAR_OUTSIDE_METRES = 10_000


def distance_beyond_city(session: Session, municipality: Municipality,
                         geom_31370: BaseGeometry | None) -> float | None:
    """Metres between the geometry and the city's area (level 'gemeente', the
    real boundary); 0 when they touch; None without a geometry or an area."""
    if geom_31370 is None:
        return None
    areas = [from_db(g) for g in session.scalars(
        select(Area.geom).where(Area.municipality_id == municipality.id, Area.level == "gemeente")
    )]
    if not areas:
        return None
    return min(area.distance(geom_31370) for area in areas)


def far_outside_message(municipality: Municipality, metres: float) -> str:
    km = f"{metres / 1000:.1f}".replace(".", ",")
    return (f"Deze plaats ligt {km} km buiten {municipality.name} (gemeten tot de grens van de gemeente). "
            f"Klopt dat? Vink dan 'Ja, deze plaats ligt zo ver buiten {municipality.name}' aan en bewaar opnieuw; "
            "anders teken je de plaats opnieuw.")


def outside_city_warning(municipality: Municipality) -> str:
    return (f"Let op: de geometrie ligt volledig buiten het grondgebied van {municipality.name}. "
            "Ze werd wel bewaard; controleer of dit de bedoeling is (coördinatenstelsel, juiste plaats).")
