"""GeoPackage: every layer and table in one file.

Fiches go into one layer per geometry family (`fiches_punten`,
`fiches_lijnen`, `fiches_vlakken`) rather than one layer with a generic
GEOMETRY column: ArcGIS Pro only handles GeoPackage feature classes of a
single geometry type, QGIS asks the user to split a generic layer anyway,
and symbology (a point marker vs. a fill) is per layer in both. Within a
family, singles are promoted to multis when both occur (one declared type
per layer, as the GeoPackage standard wants). Fiches without a place go into
the attribute table `fiches_zonder_ligging`, so none is lost. Phases share
one layer `fasen` (generic geometry only if phases of one city mix points,
lines and polygons; an attribute table if none has a place).

Every layer gets a DESCRIPTION (gpkg_contents.description, shown by QGIS)
and GDAL metadata (gpkg_metadata): source, licence, export date, filters and
the note on illustrative values; the `metadata` table holds the same as
key/value rows for people who never open layer properties.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

from .base import DEFAULT_CRS, ExportData, Exporter, register
from .describe import metadata_items
from .frames import FAMILY_LABELS, NO_PLACE, prepare_export, split_by_family
from .ogr import write_layer

DRIVER = "GPKG"
# GDAL 3.12 writes GeoPackage 1.4 by default; GDAL up to 3.6 (Debian 12,
# older QGIS) warns on it and ArcGIS Pro reads 1.2 without surprises. We use
# nothing newer than 1.2.
GPKG_VERSION = "1.2"


def gpkg_layers(data: ExportData, crs: str) -> list[tuple[str, pd.DataFrame, str]]:
    """[(layer name, frame, Dutch description)] in the order they are written;
    the first is what a reader opens by default."""
    prepared = prepare_export(data, crs)
    city = data.metadata.city_name
    families, no_place = split_by_family(prepared.fiches)
    layers = [
        (f"fiches_{family}", frame, f"Fiches van {city} met een ligging als {FAMILY_LABELS[family]}.")
        for family, frame in families.items()
    ]
    if len(no_place):
        layers.append((f"fiches_{NO_PLACE}", no_place,
                       f"Fiches van {city} zonder ligging op de kaart (geen geometrie)."))
    phases = prepared.phases
    if phases.geometry.isna().all():
        phases = pd.DataFrame(phases.drop(columns=phases.geometry.name))
    layers += [
        ("fasen", phases, "Fasen van de fiches (koppeling via fiche_id en fiche_ref)."),
        ("budgetlijnen", prepared.budget_lines,
         "Budgetlijnen van de fiches per jaar, soort en richting (koppeling via fiche_id en fiche_ref)."),
    ]
    if len(prepared.wijken):
        layers.append(("wijken", prepared.wijken, f"Wijken en andere gebieden van {city} (code, naam, niveau)."))
    layers += [
        ("indicatorwaarden", prepared.indicator_values,
         "Waarden van de indicatoren per gebied (koppeling via gebied_code = wijken.code) en periode."),
        ("metadata", pd.DataFrame(metadata_items(data.metadata, crs), columns=["sleutel", "waarde"]),
         "Bron, licentie, exportdatum, filters en illustratieve waarden van deze export."),
    ]
    return layers


@register
class GeoPackageExporter(Exporter):
    key = "gpkg"
    extension = "gpkg"
    media_type = "application/geopackage+sqlite3"
    label = "GeoPackage: alle lagen en tabellen in één bestand, ideaal voor QGIS en ArcGIS"

    def write(self, data: ExportData, crs: str | int | None = DEFAULT_CRS) -> bytes:
        """One .gpkg with the layers of `gpkg_layers`, geometry in `crs`."""
        crs = self.output_crs(crs)
        metadata = dict(metadata_items(data.metadata, crs))
        with tempfile.TemporaryDirectory(prefix="fichekaart-gpkg-") as tmp:
            path = Path(tmp) / "export.gpkg"
            for i, (name, frame, description) in enumerate(gpkg_layers(data, crs)):
                write_layer(
                    path, frame, name, DRIVER,
                    layer_options={"DESCRIPTION": description},
                    layer_metadata={"beschrijving": description, "bron": metadata["bron"],
                                    "licentie": metadata["licentie_gebiedsgrenzen" if name == "wijken"
                                                         and data.metadata.boundary_licence else "licentie"]},
                    dataset_metadata=metadata if i == 0 else None,
                    dataset_options={"VERSION": GPKG_VERSION} if i == 0 else None,
                )
            return path.read_bytes()
