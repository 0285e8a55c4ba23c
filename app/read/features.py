"""Rows -> GeoJSON features: the one way a fiche, a phase or an area becomes
a feature, for every output (the maps, /api, the OGC API; the GeoJSON
download writes its geometries with geojson_texts too).

to_features takes geometries in the storage CRS and does one pass of
shapely over all of them: transform to the output CRS, round ONCE to the
decimals asked (app.crs.DECIMALS unless the caller needs fewer, e.g. the
maps or a zoom level), swap to latitude first when the CRS says so, write
GeoJSON text. Answers serialised by orjson embed that text as is
(orjson.Fragment); the maps get dicts marked as rounded
(layers.geojson.RoundedGeometry), which the layers keep without rounding
again.

Text stays raw here: every consumer that writes HTML (layers/, templates)
escapes it; JSON and file exports carry the text as the city wrote it.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import orjson
import shapely

from layers.geojson import COORDINATE_DECIMALS, RoundedGeometry

from ..crs import DECIMALS, STORAGE_EPSG, WGS84_EPSG, epsg_of, transform_many
from .queries import budget_is_illustrative, budget_total, fiche_years
from .rows import AreaRow, FicheHead, FicheRow, PhaseRow

MAP_EPSG = WGS84_EPSG
MAP_DECIMALS = COORDINATE_DECIMALS  # what a Leaflet map can show (~0.1 m)


def to_features(geoms: Sequence | np.ndarray, properties: Sequence, ids: Sequence | None = None, crs=MAP_EPSG,
                decimals: int | None = None, *, lat_first: bool = False, embed: bool = False) -> dict:
    """A FeatureCollection of `geoms` (shapely in the storage CRS, None for
    no place) with `properties` (dicts, or JSON text as orjson.Fragment when
    `ids` are given) and `ids` (default: each properties' id).
    embed=True: geometries as orjson.Fragment, for an answer orjson writes."""
    epsg = epsg_of(crs) if not isinstance(crs, int) else crs
    decimals = DECIMALS.get(epsg, 7) if decimals is None else decimals
    texts = geojson_texts(geoms, epsg, decimals, lat_first=lat_first)
    if ids is None:
        ids = [p.get("id") for p in properties]
    if embed:
        return embedded_features(texts, properties, ids)
    geometries = [None if t is None else RoundedGeometry(orjson.loads(t), decimals) for t in texts]
    return feature_collection(geometries, properties, ids)


def embedded_features(texts: Sequence[str | None], properties: Sequence, ids: Sequence) -> dict:
    """A FeatureCollection for orjson to write, of geometries that are GeoJSON
    text already (geojson_texts, or as the stored public records keep them)."""
    return feature_collection([None if t is None else orjson.Fragment(t) for t in texts], properties, ids)


def feature_collection(geometries: Sequence, properties: Sequence, ids: Sequence) -> dict:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": i, "geometry": g, "properties": p}
        for i, g, p in zip(ids, geometries, properties)]}


def geojson_texts(geoms: Sequence | np.ndarray, epsg: int, decimals: int, *, lat_first: bool = False,
                  source: int = STORAGE_EPSG, rfc7946: bool = False) -> list:
    """Geometries in `source` (the storage CRS unless said) -> GeoJSON text in
    `epsg` (None stays None), rounded once. rfc7946: exterior rings
    counter-clockwise, as the GeoJSON download promises."""
    shapes = np.asarray(geoms, dtype=object)
    if len(shapes) == 0:
        return []
    shapes = transform_many(shapes, source, epsg)
    shapes = shapely.transform(shapes, (lambda xy: np.round(xy[:, ::-1], decimals)) if lat_first
                               else (lambda xy: np.round(xy, decimals)))
    if rfc7946:
        shapes = shapely.orient_polygons(shapes, exterior_cw=False)
    return list(shapely.to_geojson(shapes))


# -- the maps' properties -----------------------------------------------------

def fiche_url(fiche: FicheHead) -> str:
    return fiche_path(fiche.municipality.slug, fiche.id)


def fiche_path(city_slug: str, fiche_id: int) -> str:
    return f"/{city_slug}/fiches/{fiche_id}"


def fiche_properties(fiche: FicheRow) -> dict:
    """What a map's popup, tooltip and style read of a fiche (layers.popups)."""
    year_start, year_end = fiche_years(fiche)
    return {
        "id": fiche.id,
        "ref": fiche.ref,
        "number": fiche.number,
        "code": fiche.code,
        "title": fiche.title,
        "kind": fiche.kind,
        "sector": fiche.sector,
        "status": fiche.status,
        "obligation": fiche.obligation,
        "priority": bool(fiche.priority),
        "progress_pct": fiche.progress_pct,
        "geometry_precision": fiche.geometry_precision,
        "location_description": fiche.location_description,
        "budget_total_eur": budget_total(fiche) if fiche.budget_lines else None,
        "budget_illustrative": budget_is_illustrative(fiche),
        "year_start": year_start,
        "year_end": year_end,
        "url": fiche_url(fiche),
        "sdgs": list(fiche.sdgs),
        "municipality": fiche.municipality.nis_code,
        "published": bool(fiche.published),
    }


def phase_properties(phase: PhaseRow, fiche: FicheRow) -> dict:
    """What a map reads of a phase of a mapped fiche (mapped_phases): its fiche is a full FicheRow."""
    return {
        "id": phase.id,
        "fiche_id": fiche.id,
        "fiche_ref": fiche.ref,
        "fiche_number": fiche.number,
        "fiche_code": fiche.code,
        "fiche_title": fiche.title,
        "title": phase.title,
        "phase_kind": phase.phase_kind,
        "start": phase.start.isoformat() if phase.start else None,
        "end": phase.end.isoformat() if phase.end else None,
        "status": phase.status,
        "illustrative": bool(phase.illustrative),
        "url": fiche_url(fiche),
    }


def area_properties(area: AreaRow) -> dict:
    return {"code": area.code, "name": area.name, "level": area.level}


def mapped_phases(fiches: list[FicheRow]) -> list[tuple[PhaseRow, FicheRow]]:
    """The phases a map shows: dated, with a place (their own or their fiche's).
    The OGC collection 'fasen' selects by the same rule in SQL."""
    return [(p, f) for f in fiches for p in f.phases
            if p.start and p.end and (p.geom is not None or f.geom is not None)]


def fiche_features(fiches: list[FicheRow], crs=MAP_EPSG, decimals: int | None = MAP_DECIMALS) -> dict:
    return to_features([f.geom for f in fiches], [fiche_properties(f) for f in fiches], crs=crs, decimals=decimals)


def phase_features(fiches: list[FicheRow], crs=MAP_EPSG, decimals: int | None = MAP_DECIMALS, *,
                   geometry: bool = True) -> dict:
    """One feature per mapped phase; a phase without its own place takes its fiche's.
    geometry=False: the properties only (a map that fetches the shapes later)."""
    pairs = mapped_phases(fiches)
    if not geometry:
        return feature_collection([None] * len(pairs), [phase_properties(p, f) for p, f in pairs],
                                  [p.id for p, _f in pairs])
    return to_features([p.geom if p.geom is not None else f.geom for p, f in pairs],
                       [phase_properties(p, f) for p, f in pairs], crs=crs, decimals=decimals)


def area_features(areas: list[AreaRow], crs=MAP_EPSG, extra: dict[str, dict] | None = None,
                  decimals: int | None = MAP_DECIMALS) -> dict:
    """Areas with code/name/level, plus per-code extra properties."""
    props = [{**area_properties(a), **((extra or {}).get(a.code, {}))} for a in areas]
    return to_features([a.geom for a in areas], props, ids=[a.code for a in areas], crs=crs, decimals=decimals)


def with_properties(collection: dict, extra: dict[str, dict]) -> dict:
    """The same features (geometries shared, not copied) with per-id extra
    properties: one wijk collection serves several classed maps."""
    return {"type": "FeatureCollection", "features": [
        {**f, "properties": {**f["properties"], **extra.get(f["id"], {})}} for f in collection["features"]]}


def dumps(data) -> bytes:
    return orjson.dumps(data, option=orjson.OPT_SERIALIZE_NUMPY)
