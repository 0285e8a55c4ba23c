"""GeoJSON (RFC 7946): a FeatureCollection of all fiches, always in WGS84
longitude/latitude whatever CRS is asked, coordinates rounded to 7
decimals (about 1 cm), exterior rings counter-clockwise, no `crs` member.

Related data is nested in each fiche's properties: `fasen` (a list of
phases, each with its own `geometrie` or null) and `budgetlijnen`. The
top-level foreign member `metadata` carries source, licence, export date,
filters and the note on illustrative values. Fiches without a place are
features with `"geometry": null`, as RFC 7946 allows. Wijken and indicator
values are in the GeoPackage only.
"""
from __future__ import annotations

import numpy as np
import orjson
import pandas as pd

from ..crs import DECIMALS as CRS_DECIMALS
from ..crs import WGS84_EPSG, crs_name
from ..read.features import geojson_texts
from .base import DEFAULT_CRS, ExportData, Exporter, register
from .describe import metadata_items
from .frames import prepare_export

WGS84 = crs_name(WGS84_EPSG)
DECIMALS = CRS_DECIMALS[WGS84_EPSG]


def geojson_geometries(geoms) -> list:
    """Shapely geometries in WGS84 -> orjson fragments (or None), rounded
    and oriented as RFC 7946 asks (app.read.features.geojson_texts, the
    writer of every GeoJSON output)."""
    texts = geojson_texts(geoms, WGS84_EPSG, DECIMALS, source=WGS84_EPSG, rfc7946=True)
    return [None if t is None else orjson.Fragment(t) for t in texts]


def records(frame: pd.DataFrame, drop: tuple[str, ...] = ()) -> list[dict]:
    """Rows as dicts of plain Python values (None for missing), JSON-ready."""
    columns = [c for c in frame.columns if c not in drop]
    values = [_plain(frame[c]) for c in columns]
    return [dict(zip(columns, row)) for row in zip(*values)] if columns else [{} for _ in range(len(frame))]


def _plain(column: pd.Series) -> list:
    as_object = column.astype(object)
    return as_object.where(column.notna(), None).tolist()


def _grouped(frame: pd.DataFrame, rows: list[dict]) -> dict:
    grouped: dict = {}
    for key, row in zip(frame["fiche_id"].tolist(), rows):
        grouped.setdefault(key, []).append(row)
    return grouped


@register
class GeoJsonExporter(Exporter):
    key = "geojson"
    extension = "geojson"
    media_type = "application/geo+json"
    label = "GeoJSON: fiches met fasen en budgetlijnen, in WGS84 (lengte/breedte), voor webkaarten en ontwikkelaars"
    fixed_crs = WGS84

    def write(self, data: ExportData, crs: str | int | None = DEFAULT_CRS) -> bytes:
        """UTF-8 GeoJSON; `crs` is checked but the output is always WGS84."""
        crs = self.output_crs(crs)
        prepared = prepare_export(data, crs)
        fiches, phases = prepared.fiches, prepared.phases
        phase_rows = records(phases, drop=(phases.geometry.name, "fiche_id", "fiche_ref"))
        for row, geometry in zip(phase_rows, geojson_geometries(phases.geometry.values)):
            row["geometrie"] = geometry
        phases_by_fiche = _grouped(phases, phase_rows)
        budget = prepared.budget_lines
        budget_by_fiche = _grouped(budget, records(budget, drop=("fiche_id", "fiche_ref")))
        features = []
        rows = records(fiches, drop=(fiches.geometry.name,))
        for row, geometry in zip(rows, geojson_geometries(fiches.geometry.values)):
            row["fasen"] = phases_by_fiche.get(row.get("id"), [])
            row["budgetlijnen"] = budget_by_fiche.get(row.get("id"), [])
            features.append({"type": "Feature", "id": row.get("id"), "geometry": geometry, "properties": row})
        metadata = dict(metadata_items(data.metadata, crs))
        metadata["inhoud"] = ("Een feature per fiche. Fasen en budgetlijnen staan genest in de eigenschappen "
                              "'fasen' en 'budgetlijnen'; wijken en indicatorwaarden staan in de GeoPackage-export.")
        collection = {"type": "FeatureCollection", "name": "fiches", "metadata": metadata, "features": features}
        return orjson.dumps(collection, default=_default)


def _default(value):
    if isinstance(value, np.generic):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
