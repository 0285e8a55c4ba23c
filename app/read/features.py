"""Rows -> GeoJSON features in a chosen CRS (4326 for maps and GeoJSON).

Text stays raw here: every consumer that writes HTML (layers/, templates)
escapes it; JSON and file exports must carry the text as the city wrote it.
"""
from __future__ import annotations

import numpy as np
import orjson
import shapely

from ..crs import epsg_of, from_storage
from ..models import Area, Fiche, Phase
from .queries import budget_is_illustrative, budget_total, fiche_years
from ..spatial import from_db

def geometries_in(rows, epsg: int, attr: str = "geom") -> list:
    """The rows' geometries (EPSG:31370 in the database) in `epsg`, rounded."""
    return list(from_storage([from_db(getattr(r, attr)) for r in rows], epsg))


def fiche_url(fiche: Fiche) -> str:
    return f"/{fiche.municipality.slug}/fiches/{fiche.id}"


def fiche_properties(fiche: Fiche) -> dict:
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
        "sdgs": fiche.sdgs,
        "municipality": fiche.municipality.nis_code,
        "published": bool(fiche.published),
    }


def phase_properties(phase: Phase, fiche: Fiche) -> dict:
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


def area_properties(area: Area) -> dict:
    return {"code": area.code, "name": area.name, "level": area.level}


def feature_collection(properties: list[dict], geoms, ids: list | None = None) -> dict:
    texts = shapely.to_geojson(np.asarray(geoms, dtype=object))  # one call for all
    features = []
    for i, (props, text) in enumerate(zip(properties, texts)):
        feature = {
            "type": "Feature",
            "id": ids[i] if ids else props.get("id", props.get("code")),
            "geometry": orjson.loads(text) if text is not None else None,
            "properties": props,
        }
        features.append(feature)
    return {"type": "FeatureCollection", "features": features}


def fiche_features(fiches: list[Fiche], crs=4326) -> dict:
    epsg = epsg_of(crs)
    return feature_collection([fiche_properties(f) for f in fiches], geometries_in(fiches, epsg))


def phase_features(fiches: list[Fiche], crs=4326) -> dict:
    """One feature per dated phase; a phase without its own geometry takes its fiche's."""
    epsg = epsg_of(crs)
    pairs = [(p, f) for f in fiches for p in f.phases if p.start and p.end and (p.geom is not None or f.geom is not None)]
    holders = [p if p.geom is not None else f for p, f in pairs]
    return feature_collection([phase_properties(p, f) for p, f in pairs], geometries_in(holders, epsg))


def area_features(areas: list[Area], crs=4326, extra: dict[str, dict] | None = None) -> dict:
    """Areas with code/name/level, plus per-code extra properties."""
    epsg = epsg_of(crs)
    props = [{**area_properties(a), **((extra or {}).get(a.code, {}))} for a in areas]
    return feature_collection(props, geometries_in(areas, epsg), ids=[a.code for a in areas])


def with_properties(collection: dict, extra: dict[str, dict]) -> dict:
    """The same features (geometries shared, not copied) with per-id extra
    properties: one wijk collection serves several classed maps."""
    return {"type": "FeatureCollection", "features": [
        {**f, "properties": {**f["properties"], **extra.get(f["id"], {})}} for f in collection["features"]]}


def dumps(data) -> bytes:
    return orjson.dumps(data, option=orjson.OPT_SERIALIZE_NUMPY)
