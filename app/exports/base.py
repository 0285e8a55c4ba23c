"""What every exporter shares: the input (`ExportData`), the registry of
formats keyed by name (Datasette-style renderers), the CRS choice and the
download file name.

Exporters are pure: data in, bytes out. They never touch the database or
Flask; the app builds an `ExportData`, calls `get_exporter(key).write(...)`
and sends the bytes with `media_type` under `export_filename(...)`.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import gc
import re
from dataclasses import dataclass, field, fields

import geopandas as gpd
import pandas as pd

from ..crs import OFFERED_EPSG, STORAGE_EPSG, crs_name

STORAGE_CRS = crs_name(STORAGE_EPSG)
SUPPORTED_CRS = tuple(crs_name(epsg) for epsg in OFFERED_EPSG)
DEFAULT_CRS = STORAGE_CRS


@contextlib.contextmanager
def paused_gc():
    """Python's cyclic garbage collector off for a block that builds or writes
    a whole export. Building 30,000 fiches makes millions of small objects
    (rows, records, frame cells), none of them in a cycle; each full
    collection walks every live object again, and they were 60-80 % of
    the time of reading the rows (measured: docs/bench.md, exports). What the
    block leaves in cycles is collected afterwards as usual."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class ExportError(ValueError):
    """An export that cannot be made; the message is for the user (Dutch)."""


@dataclass
class ExportMetadata:
    city_name: str
    nis_code: str
    source: str                    # text citing the documents
    licence: str
    export_date: dt.datetime
    filters: dict = field(default_factory=dict)
    illustrative_note: str = ""    # Dutch: which values are illustrative
    # from the city's settings (app/read/city_settings.py); empty: not given
    title: str = ""                # e.g. "Fichekaart – Stad Herentals"
    licence_url: str = ""          # the URL of the licence text (machine-readable)
    boundary_licence: str = ""     # the licence of the wijk boundaries (Statbel), with its URL
    contact: str = ""              # who answers questions about the data

    @classmethod
    def coerce(cls, value: ExportMetadata | dict) -> ExportMetadata:
        """Accept the dataclass or a dict with the same keys."""
        if isinstance(value, ExportMetadata):
            return value
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in dict(value).items() if k in known})


def _empty_geoframe() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"geometry": gpd.GeoSeries([], crs=STORAGE_CRS)}, crs=STORAGE_CRS)


@dataclass
class ExportData:
    """Everything one export contains. Spatial frames are in EPSG:31370.

    fiches: FICHE_COLUMNS headers + id, gemeente, wijken, budget_totaal_eur,
        budget_illustratief, jaar_start, jaar_einde; any geometry type or None.
    phases: PHASE_COLUMNS headers + id, fiche_id; geometry may be None.
    budget_lines: BUDGET_COLUMNS headers + fiche_id (no geometry).
    wijken: code, naam, niveau, geometry (MultiPolygon).
    indicator_values: gebied_code, indicator_code, indicator_naam, eenheid,
        periode, waarde, bron, illustratief.
    """
    fiches: gpd.GeoDataFrame
    metadata: ExportMetadata       # a dict with the same keys is accepted too: __post_init__ coerces it
    phases: gpd.GeoDataFrame = field(default_factory=_empty_geoframe)
    budget_lines: pd.DataFrame = field(default_factory=pd.DataFrame)
    wijken: gpd.GeoDataFrame = field(default_factory=_empty_geoframe)
    indicator_values: pd.DataFrame = field(default_factory=pd.DataFrame)
    city_figures: pd.DataFrame = field(default_factory=pd.DataFrame)   # the real city figures (no geometry)

    def __post_init__(self):
        self.metadata = ExportMetadata.coerce(self.metadata)
        for name in ("fiches", "phases", "wijken"):
            frame = getattr(self, name)
            if frame.crs is None:
                raise ExportError(f"De tabel '{name}' vermeldt geen coördinatenstelsel.")


def normalise_crs(crs: str | int | None) -> str:
    """'EPSG:3812', 'epsg:3812', 3812 or None (the default) -> 'EPSG:3812'."""
    if crs is None:
        return DEFAULT_CRS
    text = str(crs).strip().upper()
    if text.isdigit():
        text = f"EPSG:{text}"
    if text not in SUPPORTED_CRS:
        raise ExportError(
            f"Coördinatenstelsel '{crs}' wordt niet ondersteund voor export: "
            f"kies {', '.join(SUPPORTED_CRS[:-1])} of {SUPPORTED_CRS[-1]}."
        )
    return text


class Exporter:
    """One download format. Subclasses set the attributes and implement
    `write`; `register` makes them available under `key`."""

    key: str = ""
    extension: str = ""            # without the leading dot, e.g. "gpkg", "shp.zip"
    media_type: str = "application/octet-stream"
    label: str = ""                # Dutch, one line, for the download page
    fixed_crs: str | None = None   # formats that are always in one CRS (GeoJSON, KML)

    def output_crs(self, crs: str | int | None = None) -> str:
        """The CRS the file will really be in when `crs` is asked."""
        requested = normalise_crs(crs)
        return self.fixed_crs or requested

    def write(self, data: ExportData, crs: str | int | None = DEFAULT_CRS) -> bytes:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<Exporter {self.key}: .{self.extension}>"


EXPORTERS: dict[str, Exporter] = {}


def register(cls: type[Exporter]) -> type[Exporter]:
    """Class decorator: instantiate and register an exporter by its key."""
    if not cls.key or cls.key in EXPORTERS:
        raise ValueError(f"exporter key missing or taken: {cls.key!r}")
    EXPORTERS[cls.key] = cls()
    return cls


def get_exporter(key: str) -> Exporter:
    """The exporter for a format key ('gpkg', 'shp', ...); ExportError if unknown."""
    try:
        return EXPORTERS[key.lower()]
    except (KeyError, AttributeError):
        raise ExportError(
            f"Onbekend exportformaat '{key}': kies uit {', '.join(sorted(EXPORTERS))}."
        ) from None


_SLUG_UNSAFE = re.compile(r"[^a-z0-9_-]+")


def export_filename(city_slug: str, fmt: str, crs: str | int | None, date: dt.date | dt.datetime) -> str:
    """'herentals', 'gpkg', 'EPSG:31370', 2026-11-22 ->
    'fichekaart_herentals_2026-11-22_EPSG31370.gpkg'.

    The CRS in the name is the one the file is really in: GeoJSON and KML
    are always EPSG:4326 whatever is asked. The slug is reduced to
    [a-z0-9_-] so the name is safe in a Content-Disposition header.
    """
    exporter = get_exporter(fmt)
    slug = _SLUG_UNSAFE.sub("-", str(city_slug).lower()).strip("-") or "export"
    code = exporter.output_crs(crs).replace(":", "")
    day = date.date() if isinstance(date, dt.datetime) else date
    return f"fichekaart_{slug}_{day.isoformat()}_{code}.{exporter.extension}"
