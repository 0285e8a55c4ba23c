"""Shaping the input frames for writing: column order, value types, CRS,
and splitting fiches and phases by geometry family. Shared by every exporter.

Every city's file has the same layout: the same layers (empty if need be),
the same columns with the same types (taken from the public records'
fields, app.read.records, not guessed from the values), and one declared
Multi geometry type per spatial layer (app.geometry_families)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..columns import BUDGET_COLUMNS, FICHE_COLUMNS, GEOMETRY_WKT_COLUMN, PHASE_COLUMNS
from ..crs import transform_many
from ..geometry_families import FAMILIES, FAMILY_LABELS, FAMILY_ORDER, FAMILY_TYPES, NO_PLACE, as_multi_many
from ..read.records import (
    AREA_FIELDS,
    BUDGET_FIELDS,
    CITY_FIGURE_FIELDS,
    FICHE_FIELDS,
    INDICATOR_FIELDS,
    PHASE_FIELDS,
)
from .base import ExportData, ExportError

__all__ = ["FAMILY_LABELS", "FAMILY_ORDER", "FAMILY_TYPES", "NO_PLACE"]

FICHE_EXTRA_COLUMNS = ("id", "gemeente", "wijken", "budget_totaal_eur", "budget_illustratief",
                       "jaar_start", "jaar_einde")
FICHE_ORDER = (*FICHE_COLUMNS.values(), *FICHE_EXTRA_COLUMNS)
PHASE_ORDER = (*PHASE_COLUMNS.values(), "id", "sleutel", "fiche_id")
BUDGET_ORDER = ("sleutel", *BUDGET_COLUMNS.values(), "fiche_id")
WIJK_ORDER = ("code", "naam", "niveau")
INDICATOR_ORDER = ("gebied_code", "indicator_code", "indicator_naam", "eenheid", "periode", "waarde",
                   "bron", "illustratief")
FIGURE_ORDER = tuple(f.name for f in CITY_FIGURE_FIELDS)

# column name -> its type in the public records (string | integer | number | boolean | date | datetime);
# a name means the same in every table
COLUMN_TYPES: dict[str, str] = {
    f.name: f.type for fields in (FICHE_FIELDS, PHASE_FIELDS, BUDGET_FIELDS, AREA_FIELDS, INDICATOR_FIELDS,
                                  CITY_FIGURE_FIELDS) for f in fields
}
# the columns of each table, in the order of its records, for tables that come empty
TABLE_COLUMNS = {
    "fiches": tuple(f.name for f in FICHE_FIELDS), "phases": tuple(f.name for f in PHASE_FIELDS),
    "budget_lines": tuple(f.name for f in BUDGET_FIELDS), "wijken": tuple(f.name for f in AREA_FIELDS),
    "indicator_values": tuple(f.name for f in INDICATOR_FIELDS), "city_figures": FIGURE_ORDER,
}

# Whole numbers that pandas turns into floats as soon as one is missing,
# and yes/no columns: typed even when every value is missing, so a file has
# the same field types whatever the selection.
INTEGER_COLUMNS = frozenset({"id", "fiche_id", "jaar_start", "jaar_einde", "voortgang_pct", "volgorde", "jaar"})
BOOLEAN_COLUMNS = frozenset({"prioritair", "gepubliceerd", "sdgs_illustratief", "budget_illustratief", "illustratief"})

def ordered(frame: pd.DataFrame, leading: tuple[str, ...]) -> pd.DataFrame:
    """The `leading` columns that exist, in that order, then the others as given."""
    first = [c for c in leading if c in frame.columns]
    rest = [c for c in frame.columns if c not in first]
    return frame[first + rest]


def _as_date(value):
    if is_missing(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _as_text(value):
    return None if is_missing(value) else str(value)


def _as_is(column: pd.Series, kind: str) -> pd.Series | None:
    """The column as objects with None for missing values, when every value
    present is already of the field's kind (text: str, date: datetime.date),
    so _as_text or _as_date would give each value back unchanged; else None.
    One pass in C instead of a Python call per value (30,000 fiches x 30
    text columns)."""
    values = column.to_numpy(dtype=object, copy=True)
    inferred = pd.api.types.infer_dtype(values, skipna=True)
    if inferred not in (kind, "empty"):
        return None
    # The missing values as the per-value map leaves them: pandas makes None
    # NaN next to text, and keeps None next to dates or alone.
    values[pd.isna(values)] = np.nan if kind == "string" and inferred == kind else None
    return pd.Series(values, index=column.index, name=column.name, dtype=object)


def typed(column: pd.Series, kind: str) -> pd.Series:
    """A column with the type of its field, whatever (or whether) values it holds:
    the same file schema for every city and every selection."""
    if kind in ("string", "date"):
        as_is = _as_is(column, kind)
        if as_is is not None:
            return as_is
    if kind == "integer":
        return pd.to_numeric(column.astype(object).where(column.notna(), None), errors="coerce").astype("Int64")
    if kind == "boolean":
        return column.astype(object).where(column.notna(), None).astype("boolean")
    if kind == "number":
        return pd.to_numeric(column.astype(object).where(column.notna(), None), errors="coerce").astype("float64")
    if kind == "date":  # datetime.date objects: GDAL writers get a Date field (app.exports.ogr)
        return column.astype(object).map(_as_date).astype(object)
    return column.astype(object).map(_as_text).astype(object)   # string; datetime stays RFC 3339 text


def tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """Give every attribute column a type GDAL writes well: the type of its
    field where the column is a known one (COLUMN_TYPES), else guessed: bools
    and whole numbers with gaps become nullable (not object/float), dates ISO text."""
    frame = frame.copy()
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    for name in frame.columns:
        if name == geometry:
            continue
        column = frame[name]
        if name in COLUMN_TYPES:
            frame[name] = typed(column, COLUMN_TYPES[name])
            continue
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
    target = int(crs.split(":")[1])
    if frame.crs is not None and frame.crs.to_epsg() == target:
        return frame
    # app.crs, not geopandas' to_crs: the NGI grid for every output CRS, WGS 84 included
    moved = transform_many(np.asarray(frame.geometry.values, dtype=object), frame.crs.to_epsg(), target)
    frame[frame.geometry.name] = gpd.GeoSeries(moved, index=frame.index, crs=crs)
    return frame.set_crs(crs, allow_override=True)


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
    city_figures: pd.DataFrame


def prepare_export(data: ExportData, crs: str) -> Prepared:
    """Every frame of `data` ready to write in `crs`; tables that came
    empty without columns get their documented columns, so the files keep
    one shape whatever was selected."""
    return Prepared(
        crs=crs,
        fiches=prepare(data.fiches, FICHE_ORDER, crs),
        phases=prepare(_with_columns(data.phases, TABLE_COLUMNS["phases"]), PHASE_ORDER, crs),
        budget_lines=prepare(_with_columns(data.budget_lines, TABLE_COLUMNS["budget_lines"]), BUDGET_ORDER),
        wijken=prepare(_with_columns(data.wijken, WIJK_ORDER), WIJK_ORDER, crs),
        indicator_values=prepare(_with_columns(data.indicator_values, TABLE_COLUMNS["indicator_values"]),
                                 INDICATOR_ORDER),
        city_figures=prepare(_with_columns(data.city_figures, FIGURE_ORDER), FIGURE_ORDER),
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
    """({'punten': ..., 'lijnen': ..., 'vlakken': ...}, rows without geometry as
    a plain DataFrame): every family present, empty if need be, with the same
    columns, and its geometries promoted to the family's Multi type."""
    family = family_of(frame)
    parts = {}
    for name in FAMILY_ORDER:
        part = frame[family == name].copy()
        part[part.geometry.name] = gpd.GeoSeries(as_multi_many(np.asarray(part.geometry.values, dtype=object)),
                                                 index=part.index, crs=frame.crs)
        parts[name] = part
    no_place = pd.DataFrame(frame[family.isna()].drop(columns=frame.geometry.name))
    return parts, no_place


def layer_geometry(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, str | None]:
    """(frame, declared geometry type) for one layer.

    One type -> that type. Singles and multis of one family -> all promoted
    to the multi type. Several families -> 'Unknown' (generic geometry). No
    geometry at all -> None. (Layers split by split_by_family declare their
    family's type themselves.)"""
    types = set(frame.geometry.geom_type.dropna())
    if not types:
        return frame, None
    if len(types) == 1:
        return frame, types.pop()
    families = {FAMILIES.get(t) for t in types}
    if len(families) > 1:
        return frame, "Unknown"
    frame = frame.copy()
    frame[frame.geometry.name] = gpd.GeoSeries(as_multi_many(np.asarray(frame.geometry.values, dtype=object)),
                                               index=frame.index, crs=frame.crs)
    return frame, FAMILY_TYPES[families.pop()]


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
