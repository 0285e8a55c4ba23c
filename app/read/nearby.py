"""\"In mijn buurt": the wijk that contains a place and the projects near it.

A place is a point (the browser's position, an address) or the points of a
street, always in EPSG:31370; distances are metres measured in Lambert 72.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..crs import BELGIUM_31370, STORAGE_EPSG, transform
from ..models import Address, Area, Fiche, Municipality
from ..spatial import as_wkb, bbox_filter, from_db, geometries_from_wkb, point_from_text, within_distance
from .queries import PROJECT_KINDS

DISTANCES = (250, 500, 1000, 2000)   # the choices offered, in metres
DEFAULT_DISTANCE = 500
# Decimal degrees in ASCII digits only (float() also takes "nan", "1e308", "٥١").
_DEGREES = re.compile(r"-?[0-9]{1,3}(\.[0-9]{1,15})?")


class PlaceError(ValueError):
    """A position that cannot be used; the message is Dutch."""


def point_from_wgs84(lat: str | None, lon: str | None) -> shapely.Point:
    """The browser's latitude/longitude (WGS84 degrees, as text) -> a point in
    EPSG:31370. PlaceError when they do not parse or lie outside Belgium."""
    if not all(isinstance(v, str) and _DEGREES.fullmatch(v.strip()) for v in (lat, lon)):
        raise PlaceError("De positie is onleesbaar: geef breedtegraad (lat) en lengtegraad (lon) als getallen "
                         "in decimale graden, bijvoorbeeld lat=51.18&lon=4.83.")
    lat_value, lon_value = float(lat), float(lon)
    if not (-90 <= lat_value <= 90 and -180 <= lon_value <= 180):
        raise PlaceError("De positie is geen geldige breedte- en lengtegraad.")
    point = transform(shapely.Point(lon_value, lat_value), 4326, STORAGE_EPSG)
    if not point.is_valid or point.is_empty or not BELGIUM_31370.contains(point):
        raise PlaceError("Deze positie ligt niet in België: Fichekaart kent enkel Vlaamse steden.")
    return point


def wijk_containing(session: Session, place: BaseGeometry) -> Area | None:
    """The wijk that holds the place (for several points: the one holding most
    of them; on a border the lowest code), or None."""
    # a box around the place, never a degenerate one (a point's own bounds
    # make an empty envelope that intersects nothing)
    box = tuple(shapely.box(*place.bounds).buffer(1, join_style="mitre").bounds)
    hits = session.execute(
        select(Area)
        .where(Area.level == "wijk", bbox_filter(session, Area.geom, box),
               func.ST_Intersects(Area.geom, point_from_text(place.wkt)))
        .options(selectinload(Area.municipality))
        .order_by(Area.code)
    ).scalars().all()
    if len(hits) <= 1:
        return hits[0] if hits else None
    points = list(shapely.get_parts(place))

    def held(area):
        shape = from_db(area.geom)
        return sum(1 for p in points if shape.intersects(p))

    return max(hits, key=held)  # max keeps the first (lowest code) of equals


@dataclass
class NearbyFiche:
    fiche: Fiche
    distance_m: float


def fiches_near(session: Session, place: BaseGeometry, metres: float,
                city: Municipality | None = None) -> list[NearbyFiche]:
    """Published projects whose place lies within `metres` of `place`, nearest first."""
    distance = func.ST_Distance(Fiche.geom, point_from_text(place.wkt))
    stmt = (
        select(Fiche, distance)
        .where(Fiche.published.is_(True), Fiche.kind.in_(PROJECT_KINDS), Fiche.geom.is_not(None),
               within_distance(session, Fiche.geom, place, metres))
        .options(selectinload(Fiche.municipality), selectinload(Fiche.budget_lines), selectinload(Fiche.phases))
        .order_by(distance, Fiche.id)
    )
    if city is not None:
        stmt = stmt.where(Fiche.municipality_id == city.id)
    return [NearbyFiche(fiche, float(d)) for fiche, d in session.execute(stmt)]


def find_address(session: Session, key: str) -> Address | None:
    """The address with this id (as typed in a URL), or None."""
    if not (key.isascii() and key.isdigit() and len(key) < 10):
        return None
    return session.get(Address, int(key))


def street_place(session: Session, city: Municipality, street: str) -> BaseGeometry | None:
    """The points of a street's addresses (a MultiPoint), or None."""
    rows = session.scalars(
        select(as_wkb(Address.geom)).where(Address.municipality_id == city.id, Address.street == street)
    ).all()
    if not rows:
        return None
    return shapely.MultiPoint(list(geometries_from_wkb(rows)))
