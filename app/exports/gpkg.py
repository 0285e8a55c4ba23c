"""GeoPackage: every layer and table in one file, the same layout for
every city (a model built on one city's file fits another's).

Fiches and phases go into one layer per geometry family (`fiches_punten`,
`fiches_lijnen`, `fiches_vlakken`; `fasen_punten` ...), each declared as its
Multi type (MultiPoint, MultiLineString, MultiPolygon; a single geometry is
a one-part multi), and always present, empty if the selection has none:
ArcGIS Pro only handles GeoPackage feature classes of one geometry type,
QGIS types a layer once, and symbology is per layer. Fiches and phases
without a place go into the attribute tables `fiches_zonder_ligging` and
`fasen_zonder_ligging`. Then `budgetlijnen`, `wijken` (MultiPolygon),
`indicatorwaarden`, `stadscijfers` (the real city figures of the sources)
and `metadata`. Column types come from the public records' fields, not
from the values, so an empty column has the same type in every city.

Every layer gets a DESCRIPTION (gpkg_contents.description, shown by QGIS)
and GDAL metadata (gpkg_metadata): source, licence, export date, filters and
the note on illustrative values; the `metadata` table holds the same as
key/value rows for people who never open layer properties.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

from .base import DEFAULT_CRS, ExportData, Exporter, paused_gc, register
from .describe import metadata_items
from .frames import FAMILY_LABELS, FAMILY_TYPES, NO_PLACE, prepare_export, split_by_family
from .ogr import SCRATCH_DIR, scratch_sqlite, write_layer

DRIVER = "GPKG"
# GDAL 3.12 writes GeoPackage 1.4 by default; GDAL up to 3.6 (Debian 12,
# older QGIS) warns on it and ArcGIS Pro reads 1.2 without surprises. We use
# nothing newer than 1.2.
GPKG_VERSION = "1.2"


def gpkg_layers(data: ExportData, crs: str) -> list[tuple[str, pd.DataFrame, str, str | None]]:
    """[(layer name, frame, Dutch description, declared geometry type or None
    for a table)] in the order they are written; the first is what a reader
    opens by default. The same names and types whatever the data."""
    prepared = prepare_export(data, crs)
    city = data.metadata.city_name
    layers: list[tuple[str, pd.DataFrame, str, str | None]] = []
    for table, frame, what in (("fiches", prepared.fiches, f"Fiches van {city}"),
                               ("fasen", prepared.phases, "Fasen van de fiches (koppeling via fiche_id en fiche_ref)"
                                ", met de ligging van de fase of anders die van haar fiche")):
        families, no_place = split_by_family(frame)
        layers += [(f"{table}_{family}", part, f"{what}: ligging als {FAMILY_LABELS[family]} "
                    f"({FAMILY_TYPES[family]}).", FAMILY_TYPES[family]) for family, part in families.items()]
        layers.append((f"{table}_{NO_PLACE}", no_place, f"{what}: zonder ligging op de kaart (geen geometrie).",
                       None))
    layers += [
        ("budgetlijnen", prepared.budget_lines,
         "Budgetlijnen van de fiches per jaar, soort en richting (koppeling via fiche_id en fiche_ref).", None),
        ("wijken", prepared.wijken, f"Wijken van {city} (code, naam, niveau).", "MultiPolygon"),
        ("indicatorwaarden", prepared.indicator_values,
         "Waarden van de indicatoren per gebied (koppeling via gebied_code = wijken.code) en periode.", None),
        ("stadscijfers", prepared.city_figures,
         "De echte cijfers van de stad uit de bronnen (omgevingsanalyse ...), met vergelijking, periode zoals de "
         "bron ze geeft en het letterlijke citaat.", None),
        ("metadata", pd.DataFrame(metadata_items(data.metadata, crs), columns=["sleutel", "waarde"]),
         "Bron, licentie, exportdatum, filters en illustratieve waarden van deze export.", None),
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
        with (paused_gc(), scratch_sqlite(),
              tempfile.TemporaryDirectory(prefix="fichekaart-gpkg-", dir=SCRATCH_DIR) as tmp):
            path = Path(tmp) / "export.gpkg"
            for i, (name, frame, description, geometry_type) in enumerate(gpkg_layers(data, crs)):
                write_layer(
                    path, frame, name, DRIVER, geometry_type=geometry_type,
                    layer_options={"DESCRIPTION": description},
                    layer_metadata={"beschrijving": description, "bron": metadata["bron"],
                                    "licentie": metadata["licentie_gebiedsgrenzen" if name == "wijken"
                                                         and data.metadata.boundary_licence else "licentie"]},
                    dataset_metadata=metadata if i == 0 else None,
                    dataset_options={"VERSION": GPKG_VERSION} if i == 0 else None,
                )
            return path.read_bytes()
