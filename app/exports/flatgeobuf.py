"""FlatGeobuf: the fiches that have a place, in one file with a spatial
index, for fast streaming in QGIS or on the web.

One layer `fiches` of geometry type Unknown, which FlatGeobuf allows and
GDAL writes: points, lines and polygons side by side. Fiches without a place
are left out (listed in the layer description); phases, budget lines and
the other tables are in the GeoPackage.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from .base import DEFAULT_CRS, ExportData, Exporter, register
from .describe import metadata_items
from .frames import prepare_export
from .ogr import write_layer


@register
class FlatGeobufExporter(Exporter):
    key = "fgb"
    extension = "fgb"
    media_type = "application/flatgeobuf"
    label = "FlatGeobuf: de fiches met ligging in één snel bestand met ruimtelijke index, voor QGIS en het web"

    def write(self, data: ExportData, crs: str | int | None = DEFAULT_CRS) -> bytes:
        """One .fgb with the fiches that have a geometry, in `crs`."""
        crs = self.output_crs(crs)
        fiches = prepare_export(data, crs).fiches
        placed = fiches[fiches.geometry.notna()]
        left_out = len(fiches) - len(placed)
        description = "\n".join(f"{key}: {value}" for key, value in metadata_items(data.metadata, crs))
        if left_out:
            description += (f"\n{left_out} fiche(s) zonder ligging staan niet in dit bestand "
                            "(wel in GeoPackage, CSV en GeoJSON).")
        with tempfile.TemporaryDirectory(prefix="fichekaart-fgb-") as tmp:
            path = Path(tmp) / "fiches.fgb"
            write_layer(
                path, placed, "fiches", "FlatGeobuf", geometry_type="Unknown",
                layer_options={"SPATIAL_INDEX": "YES", "TITLE": f"Fichekaart – {data.metadata.city_name}",
                               "DESCRIPTION": description},
            )
            return path.read_bytes()
