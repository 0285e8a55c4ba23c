"""Map data for one viewport: fiches, phases and wijken as GeoJSON bytes,
lean properties, geometries simplified in the database and coordinates
rounded to what the zoom level can show.

Zoom is the Leaflet/Web Mercator zoom (256 px tiles). Without a zoom the
geometries are exact (EPSG:4326 to app.crs.DECIMALS). The features are those
of app.read.features.to_features, with the lean properties below.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import orjson
from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from ..crs import DECIMALS
from ..models import Area, Fiche, Municipality, Phase
from ..spatial import as_wkb, bbox_filter, geometries_from_wkb, simplified
from .features import to_features
from .queries import FicheFilters, fiche_conditions

MIN_ZOOM, MAX_ZOOM = 0, 22
# Metres per pixel at zoom 0 at the equator (256 px tiles), and the cosine of
# Flanders' latitude (51 N): Web Mercator pixels are that much smaller there.
_M_PER_PX_Z0 = 156543.03392804097
_COS_FLANDERS = math.cos(math.radians(51.0))
# Below this zoom fiches carry only id, status and link (the popup links to the
# fiche page): titles are unique strings and would make low-zoom answers several times larger.
TITLE_MIN_ZOOM = 12


@dataclass(frozen=True)
class Detail:
    """How much geometry a zoom level needs."""
    tolerance_m: float | None   # simplification tolerance in EPSG:31370 metres (None: exact)
    decimals: int               # decimals of longitude/latitude
    titles: bool = True         # fiche titles and other details in the properties

    @classmethod
    def for_zoom(cls, zoom: int | None) -> Detail:
        if zoom is None:
            return cls(None, DECIMALS[4326], True)
        pixel_m = _M_PER_PX_Z0 * _COS_FLANDERS / 2 ** zoom
        # Half a pixel: the simplified line never strays visibly from the true one.
        # Decimals: 10^-d degrees is below one pixel (360 degrees = 256 * 2^z px).
        decimals = math.ceil(math.log10(256 * 2 ** zoom / 360))
        return cls(pixel_m / 2, min(DECIMALS[4326], max(1, decimals)), zoom >= TITLE_MIN_ZOOM)


def _geometry(bind, column, detail: Detail):
    return as_wkb(column if detail.tolerance_m is None else simplified(bind, column, detail.tolerance_m))


def _collection(rows: Sequence[Row], properties, detail: Detail) -> bytes:
    """rows: (..., wkb) tuples; properties(row) -> dict. The features of
    app.read.features.to_features (one pass of shapely: transform, round to
    the zoom's decimals, GeoJSON text embedded as is)."""
    if not rows:
        return b'{"type":"FeatureCollection","features":[]}'
    geoms = geometries_from_wkb([r[-1] for r in rows])
    return orjson.dumps(to_features(geoms, [properties(r) for r in rows], decimals=detail.decimals, embed=True))


def _fiche_url(slug: str, fiche_id: int) -> str:
    return f"/{slug}/fiches/{fiche_id}"  # app.read.features.fiche_url, from two columns


def fiches_geojson(session: Session, filters: FicheFilters, detail: Detail) -> bytes:
    """Published (unless the filters say otherwise) fiches with a place."""
    stmt = (
        select(Fiche.id, Fiche.title, Fiche.status, Fiche.sector, Fiche.kind, Fiche.geometry_precision,
               Municipality.slug, Municipality.name, _geometry(session, Fiche.geom, detail))
        .join(Municipality, Fiche.municipality_id == Municipality.id)
        .where(Fiche.geom.is_not(None), *fiche_conditions(session, filters))
        .order_by(Fiche.id)
    )

    def properties(r):
        if not detail.titles:  # low zoom: what the style and the popup's link need
            return {"id": r[0], "status": r[2], "url": _fiche_url(r[6], r[0])}
        return {"id": r[0], "title": r[1], "status": r[2], "sector": r[3], "kind": r[4],
                "indicative": r[5] == "indicatief", "municipality": r[7], "url": _fiche_url(r[6], r[0])}

    return _collection(session.execute(stmt).all(), properties, detail)


def phases_geojson(session: Session, filters: FicheFilters, detail: Detail) -> bytes:
    """Dated phases of the matching fiches; a phase without a place of its own takes its fiche's."""
    place = func.coalesce(Phase.geom, Fiche.geom)
    stmt = (
        select(Phase.id, Phase.title, Phase.phase_kind, Phase.start, Phase.end, Phase.status, Phase.illustrative,
               Fiche.id, Fiche.title, Municipality.slug, _geometry(session, place, detail))
        .join(Fiche, Phase.fiche_id == Fiche.id)
        .join(Municipality, Fiche.municipality_id == Municipality.id)
        .where(Phase.start.is_not(None), Phase.end.is_not(None), place.is_not(None),
               *fiche_conditions(session, filters))
        .order_by(Phase.fiche_id, Phase.position)
    )

    def properties(r):
        return {"id": r[0], "title": r[1], "phase_kind": r[2], "start": r[3].isoformat(), "end": r[4].isoformat(),
                "status": r[5], "illustrative": bool(r[6]), "fiche_id": r[7], "fiche_title": r[8],
                "url": _fiche_url(r[9], r[7])}

    return _collection(session.execute(stmt).all(), properties, detail)


def wijken_geojson(session: Session, municipality: Municipality | None, detail: Detail,
                   bbox: tuple[float, float, float, float] | None = None) -> bytes:
    """The wijken of one municipality, or of all (None), optionally in a bbox (EPSG:4326)."""
    stmt = (
        select(Area.id, Area.code, Area.name, Municipality.name, _geometry(session, Area.geom, detail))
        .join(Municipality, Area.municipality_id == Municipality.id)
        .where(Area.level == "wijk")
        .order_by(Area.code)
    )
    if municipality is not None:
        stmt = stmt.where(Area.municipality_id == municipality.id)
    if bbox is not None:
        stmt = stmt.where(bbox_filter(session, Area.geom, bbox, 4326))

    def properties(r):
        return {"id": r[1], "code": r[1], "name": r[2], "municipality": r[3]}

    return _collection(session.execute(stmt).all(), properties, detail)
