"""Shaping the input frames for writing: column order, value types, CRS,
and splitting fiches by geometry family. Shared by every exporter."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..columns import BUDGET_COLUMNS, FICHE_COLUMNS, GEOMETRY_WKT_COLUMN, PHASE_COLUMNS
from .base import ExportData, ExportError

FICHE_EXTRA_COLUMNS = ("id", "gemeente", "wijken", "budget_totaal_eur", "budget_illustratief",
                       "jaar_start", "jaar_einde")
FICHE_ORDER = (*FICHE_COLUMNS.values(), *FICHE_EXTRA_COLUMNS)
PHASE_ORDER = (*PHASE_COLUMNS.values(), "id", "fiche_id")
BUDGET_ORDER = (*BUDGET_COLUMNS.values(), "fiche_id")
WIJK_ORDER = ("code", "naam", "niveau")
INDICATOR_ORDER = ("gebied_code", "indicator_code", "indicator_naam", "eenheid", "periode", "waarde",
                   "bron", "illustratief")

# Whole numbers that pandas turns into floats as soon as one is missing,
# and yes/no columns: typed even when every value is missing, so a file has
# the same field types whatever the selection.
INTEGER_COLUMNS = frozenset({"id", "fiche_id", "jaar_start", "jaar_einde", "voortgang_pct", "volgorde", "jaar"})
BOOLEAN_COLUMNS = frozenset({"prioritair", "gepubliceerd", "sdgs_illustratief", "budget_illustratief", "illustratief"})

# Geometry family -> (layer/file suffix, Dutch plural). A fiche has one kind of place.
FAMILIES = {
    "Point": "punten", "MultiPoint": "punten",
    "LineString": "lijnen", "MultiLineString": "lijnen",
    "Polygon": "vlakken", "MultiPolygon": "vlakken",
}
FAMILY_ORDER = ("punten", "lijnen", "vlakken")
FAMILY_LABELS = {"punten": "punten", "lijnen": "lijnen", "vlakken": "vlakken (polygonen)"}
NO_PLACE = "zonder_ligging"


def ordered(frame: pd.DataFrame, leading: tuple[str, ...]) -> pd.DataFrame:
    """The `leading` columns that exist, in that order, then the others as given."""
    first = [c for c in leading if c in frame.columns]
    rest = [c for c in frame.columns if c not in first]
    return frame[first + rest]


def tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """Give every attribute column a type GDAL writes well: bools and whole
    numbers with gaps become nullable (not object/float), dates ISO text."""
    frame = frame.copy()
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    for name in frame.columns:
        if name == geometry:
            continue
        column = frame[name]
        present = column.dropna()
        if pd.api.types.is_bool_dtype(column.dtype):
            continue
        if not len(present) and (name in INTEGER_COLUMNS or name in BOOLEAN_COLUMNS):
            frame[name] = pd.Series(pd.NA, index=frame.index,
                                    dtype="Int64" if name in INTEGER_COLUMNS else "boolean")
            continue
        if column.dtype == object and len(present):
            if all(isinstance(v, (bool, np.bool_)) for v in present):
                frame[name] = column.astype("boolean")
                continue
            if all(isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) for v in present):
                frame[name] = column.astype("Int64")
                continue
            if all(isinstance(v, (dt.date, dt.datetime)) for v in present):
                frame[name] = column.map(lambda v: v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else None)
                continue
        if name in INTEGER_COLUMNS and pd.api.types.is_numeric_dtype(column.dtype):
            if (present == present.round()).all():
                frame[name] = column.astype("Int64")
    return frame


def reproject(frame: gpd.GeoDataFrame, crs: str) -> gpd.GeoDataFrame:
    """The frame in `crs` (x = east/longitude first); empty geometries become None."""
    frame = frame.copy()
    empty = frame.geometry.notna() & frame.geometry.is_empty
    if empty.any():
        frame.loc[empty, frame.geometry.name] = None
    if frame.crs is not None and frame.crs.to_epsg() == int(crs.split(":")[1]):
        return frame
    return frame.to_crs(crs)


def prepare(frame: gpd.GeoDataFrame | pd.DataFrame, order: tuple[str, ...], crs: str | None = None):
    """Ordered, tidied and (for spatial frames) reprojected copy of a frame."""
    if isinstance(frame, gpd.GeoDataFrame) and crs is not None:
        frame = reproject(frame, crs)
    return tidy(ordered(frame, order))


@dataclass
class Prepared:
    """The frames of an ExportData, ordered and typed, spatial ones in `crs`."""
    crs: str
    fiches: gpd.GeoDataFrame
    phases: gpd.GeoDataFrame
    budget_lines: pd.DataFrame
    wijken: gpd.GeoDataFrame
    indicator_values: pd.DataFrame


def prepare_export(data: ExportData, crs: str) -> Prepared:
    """Every frame of `data` ready to write in `crs`; tables that came
    empty without columns get their documented columns, so the files keep
    one shape whatever was selected."""
    return Prepared(
        crs=crs,
        fiches=prepare(data.fiches, FICHE_ORDER, crs),
        phases=prepare(_with_columns(data.phases, PHASE_ORDER), PHASE_ORDER, crs),
        budget_lines=prepare(_with_columns(data.budget_lines, BUDGET_ORDER), BUDGET_ORDER),
        wijken=prepare(_with_columns(data.wijken, WIJK_ORDER), WIJK_ORDER, crs),
        indicator_values=prepare(_with_columns(data.indicator_values, INDICATOR_ORDER), INDICATOR_ORDER),
    )


def _with_columns(frame: pd.DataFrame, order: tuple[str, ...]) -> pd.DataFrame:
    missing = [c for c in order if c not in frame.columns]
    if not missing or len(frame):
        return frame
    frame = frame.copy()
    for name in missing:
        frame[name] = pd.Series([], dtype=object)
    return frame


def family_of(frame: gpd.GeoDataFrame) -> pd.Series:
    """'punten' / 'lijnen' / 'vlakken' per row, None for rows without geometry.
    Other geometry types (GeometryCollection) cannot be stored, so are refused."""
    types = frame.geometry.geom_type
    family = types.map(FAMILIES)
    odd = types.notna() & family.isna()
    if odd.any():
        raise ExportError(
            f"{int(odd.sum())} fiche(s) hebben een geometrie van een niet-ondersteund type "
            f"({', '.join(sorted(set(types[odd])))}); export afgebroken."
        )
    return family


def split_by_family(frame: gpd.GeoDataFrame) -> tuple[dict[str, gpd.GeoDataFrame], pd.DataFrame]:
    """({'punten': ..., 'lijnen': ..., 'vlakken': ...} with only the non-empty
    families, rows without geometry as a plain DataFrame)."""
    family = family_of(frame)
    parts = {f: frame[family == f] for f in FAMILY_ORDER if (family == f).any()}
    no_place = pd.DataFrame(frame[family.isna()].drop(columns=frame.geometry.name))
    return parts, no_place


def layer_geometry(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, str | None]:
    """(frame, declared geometry type) for one layer.

    One type -> that type. Singles and multis of one family -> all promoted
    to the multi type: GeoPackage and Shapefile want one declared type, and
    a point shapefile cannot hold multipoints. Several families -> 'Unknown'
    (generic geometry). No geometry at all -> None."""
    types = set(frame.geometry.geom_type.dropna())
    if not types:
        return frame, None
    if len(types) == 1:
        return frame, types.pop()
    families = {FAMILIES.get(t) for t in types}
    if len(families) > 1:
        return frame, "Unknown"
    multi = next(t for t in types if t.startswith("Multi"))
    single = multi[len("Multi"):]
    frame = frame.copy()
    geoms = frame.geometry.values
    is_single = frame.geometry.geom_type == single
    promoted = [getattr(shapely, multi)([g]) if s else g for g, s in zip(geoms, is_single)]
    frame[frame.geometry.name] = gpd.GeoSeries(promoted, index=frame.index, crs=frame.crs)
    return frame, multi


def with_wkt(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    """Attributes plus `geometrie_wkt` (full precision, the frame's CRS),
    the column the CSV importer reads; empty text for no geometry."""
    geometry = frame.geometry
    wkt = shapely.to_wkt(geometry.values, rounding_precision=-1)
    out = pd.DataFrame(frame.drop(columns=geometry.name))
    out[GEOMETRY_WKT_COLUMN] = [w if w is not None else "" for w in wkt]
    return out


def is_missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and value != value
