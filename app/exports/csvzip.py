"""CSV for spreadsheets, as a zip: `fiches.csv` (one row per fiche, the
place as WKT in `geometrie_wkt`), `fasen.csv`, `budgetlijnen.csv`,
`indicatorwaarden.csv` and `LEESMIJ.txt`.

Why a zip: a CSV has no place for the source, the licence and the note on
illustrative values, and comment lines would break the readers (Excel, the
importer, GDAL). The zip keeps them beside the data. `fiches.csv`,
`fasen.csv` and `budgetlijnen.csv` import again as they are, except that a
cell neutralised against formulas keeps its leading `'`. The dialect
(BOM, `;`, decimal comma, formula protection) is described in tabular.py.
"""
from __future__ import annotations

from .base import DEFAULT_CRS, ExportData, Exporter, register
from .describe import readme_text
from .frames import prepare_export, with_wkt
from .tabular import csv_bytes, text_bytes, zip_bytes


@register
class CsvExporter(Exporter):
    key = "csv"
    extension = "csv.zip"
    media_type = "application/zip"
    label = ("CSV (zip): fiches, fasen en budgetlijnen als tabellen voor Excel, "
             "met de ligging als WKT en een LEESMIJ over bron en licentie")

    def write(self, data: ExportData, crs: str | int | None = DEFAULT_CRS) -> bytes:
        """A zip of CSV files (UTF-8 with BOM, `;`), geometries as WKT in `crs`."""
        crs = self.output_crs(crs)
        prepared = prepare_export(data, crs)
        tables = {
            "fiches.csv": (with_wkt(prepared.fiches),
                           f"een rij per fiche ({len(prepared.fiches)}); ligging als WKT in kolom geometrie_wkt "
                           f"({crs}), leeg voor fiches zonder ligging"),
            "fasen.csv": (with_wkt(prepared.phases), "fasen van de fiches (koppeling via fiche_ref), ligging als WKT"),
            "budgetlijnen.csv": (prepared.budget_lines, "budgetlijnen per fiche, jaar, soort en richting"),
            "indicatorwaarden.csv": (prepared.indicator_values, "waarden van de indicatoren per gebied en periode"),
            "stadscijfers.csv": (prepared.city_figures, "de echte cijfers van de stad uit de bronnen, met citaat"),
        }
        files = {name: csv_bytes(frame) for name, (frame, _) in tables.items()}
        notes = [
            "UTF-8 met BOM, puntkomma als scheidingsteken en decimale komma: Excel in het Nederlands "
            "(België) opent de bestanden rechtstreeks in kolommen.",
            "ja/nee staat voor waar/onwaar; een lege cel bij prioritair betekent: niet vermeld in de bron "
            "(prioritair_afgeleid zegt waarom een ja of nee afgeleid is). Datums als jjjj-mm-dd.",
            "Tekst die begint met =, +, -, @, een tab of een regelterugloop kreeg een ' vooraan, zodat een "
            "rekenblad hem niet als formule uitvoert. Haal dat teken weg als u de tekst elders gebruikt.",
            "fiches.csv, fasen.csv en budgetlijnen.csv kunnen opnieuw ingelezen worden in Fichekaart "
            f"(geef bij fiches.csv het coördinatenstelsel {crs} op); een ' die hierboven werd toegevoegd, "
            "blijft dan deel van de tekst.",
        ]
        contents = [("LEESMIJ.txt", "dit bestand"), *((name, text) for name, (_, text) in tables.items())]
        readme = readme_text(data.metadata, crs, contents, notes)
        return zip_bytes({"LEESMIJ.txt": text_bytes(readme), **files}, data.metadata.export_date)
