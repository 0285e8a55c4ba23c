"""Exports of a city's fiches to files: pure functions, data in, bytes out.

    from app.exports import ExportData, get_exporter, export_filename
    exporter = get_exporter("gpkg")
    body = exporter.write(data, "EPSG:31370")
    name = export_filename("herentals", "gpkg", "EPSG:31370", date)

Formats register themselves by key on import (see EXPORTERS): gpkg, shp,
geojson, csv, kml, fgb.
"""
from __future__ import annotations

# Import order is the order of EXPORTERS, i.e. of the download page.
# isort: off
from . import gpkg, shapefile, geojson, csvzip, kml, flatgeobuf  # noqa: F401  (registers the formats)
# isort: on
from .base import (
    DEFAULT_CRS,
    EXPORTERS,
    SUPPORTED_CRS,
    ExportData,
    Exporter,
    ExportError,
    ExportMetadata,
    export_filename,
    get_exporter,
    normalise_crs,
    register,
)

__all__ = [
    "DEFAULT_CRS", "EXPORTERS", "SUPPORTED_CRS", "ExportData", "ExportError", "ExportMetadata", "Exporter",
    "export_filename", "get_exporter", "normalise_crs", "register",
]
