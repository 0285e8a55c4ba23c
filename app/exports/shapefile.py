"""Shapefile, zipped: one .shp per table and geometry family, the same
files for every city (empty if need be), plus the tables that a shapefile
cannot hold as CSV, plus LEESMIJ.txt.

Shapefile limits and what we do about them:
- one geometry type per file: `fiches_punten`, `fiches_lijnen`,
  `fiches_vlakken`, `fasen_punten`, `fasen_lijnen`, `fasen_vlakken` and
  `wijken`, always the Multi type (MultiPoint, MultiLineString,
  MultiPolygon; a single geometry is a one-part multi);
- field names of at most 10 characters: a fixed, documented mapping
  (`velden.csv` in the zip); known columns get a readable short name, any
  other column is cut to 10 characters and made unique with `_1`, `_2`...;
- text of at most 254 bytes per field: longer text is cut at a character
  boundary and LEESMIJ.txt lists which fiche and field (the full text is in
  the GeoPackage and CSV exports);
- every .shp comes with .prj (the CRS) and .cpg ("UTF-8", so accents survive).
"""
from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pandas as pd

from .base import DEFAULT_CRS, ExportData, Exporter, register
from .describe import readme_text
from .frames import FAMILY_LABELS, FAMILY_TYPES, NO_PLACE, prepare_export, split_by_family
from .ogr import write_layer
from .tabular import csv_bytes, text_bytes, zip_bytes

DBF_NAME_LENGTH = 10
DBF_TEXT_BYTES = 254
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")

# Full column name -> field name in the .dbf, for the columns longer than 10.
SHORT_NAMES = {
    "samenvatting": "samenvat",
    "verantwoordelijke_dienst": "dienst",
    "doel_waarom": "doelwaarom",
    "sdgs_illustratief": "sdgs_ill",
    "verplicht_keuze": "verpl_keuz",
    "voortgang_pct": "voortg_pct",
    "stand_van_zaken": "standzaken",
    "afhankelijkheden": "afhankel",
    "hangt_af_van": "hangt_af",
    "gepubliceerd": "gepubl",
    "budget_totaal_eur": "budg_tot",
    "budget_illustratief": "budg_ill",
    "prioritair_afgeleid": "prior_afgl",
    "status_volgens": "status_vlg",
    "ligging_bron": "lig_bron",
    "ligging_aanname": "lig_aannam",
    "toelichting": "toelicht",
    "eigen_geometrie": "eigen_geom",
    "fiche_titel": "fichetitel",
}
_NOT_DBF = re.compile(r"[^A-Za-z0-9_]")


def shapefile_field_names(columns) -> dict[str, str]:
    """{full name: field name} for the given columns, in their order.

    Deterministic (the same columns give the same names), unique without
    regard to case (dBase ignores it) and at most 10 ASCII characters."""
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for name in columns:
        base = _NOT_DBF.sub("_", SHORT_NAMES.get(name, name))[:DBF_NAME_LENGTH] or "veld"
        short, n = base, 1
        while short.lower() in used:
            suffix = f"_{n}"
            short = base[: DBF_NAME_LENGTH - len(suffix)] + suffix
            n += 1
        used.add(short.lower())
        mapping[name] = short
    return mapping


def cut_utf8(text: str, limit: int = DBF_TEXT_BYTES) -> str:
    """The longest prefix of `text` that fits `limit` bytes in UTF-8."""
    return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")


def cut_long_texts(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """(frame with text cut to 254 bytes, ["ref: field", ...] that were cut)."""
    frame = frame.copy()
    cut: list[str] = []
    key = next((c for c in ("ref", "sleutel", "code") if c in frame.columns), None)
    refs = frame[key] if key else frame.index.astype(str)
    for name in frame.columns:
        column = frame[name]
        if name == frame.geometry.name or not (pd.api.types.is_string_dtype(column.dtype) or column.dtype == object):
            continue
        too_long = column.map(lambda v: isinstance(v, str) and len(v.encode("utf-8")) > DBF_TEXT_BYTES)
        if too_long.any():
            frame.loc[too_long, name] = column[too_long].map(cut_utf8)
            cut += [f"{ref}: {name}" for ref in refs[too_long]]
    return frame, cut


@register
class ShapefileExporter(Exporter):
    key = "shp"
    extension = "shp.zip"
    media_type = "application/zip"
    label = ("Shapefile (zip): een bestand per geometrietype (punten, lijnen, vlakken), "
             "veldnamen ingekort tot 10 tekens volgens velden.csv")

    def write(self, data: ExportData, crs: str | int | None = DEFAULT_CRS) -> bytes:
        """A zip with fiches_{punten,lijnen,vlakken}.shp, fasen_{punten,lijnen,vlakken}.shp
        and wijken.shp (+ .shx .dbf .prj .cpg) in `crs`, velden.csv,
        fiches_zonder_ligging.csv, fasen_zonder_ligging.csv, budgetlijnen.csv,
        indicatorwaarden.csv, stadscijfers.csv and LEESMIJ.txt."""
        crs = self.output_crs(crs)
        prepared = prepare_export(data, crs)
        fiche_families, fiches_no_place = split_by_family(prepared.fiches)
        phase_families, phases_no_place = split_by_family(prepared.phases)
        layers = [(f"fiches_{family}", frame, f"fiches met een ligging als {FAMILY_LABELS[family]}",
                   FAMILY_TYPES[family]) for family, frame in fiche_families.items()]
        layers += [(f"fasen_{family}", frame, f"fasen met een ligging als {FAMILY_LABELS[family]} (die van de fase, "
                    "anders die van haar fiche)", FAMILY_TYPES[family]) for family, frame in phase_families.items()]
        layers.append(("wijken", prepared.wijken, "de wijken (grenzen)", "MultiPolygon"))
        # one mapping for every .dbf: a column has the same short name in each file
        attributes = [c for frame in (prepared.fiches, prepared.phases, prepared.wijken)
                      for c in frame.columns if c != frame.geometry.name]
        mapping = shapefile_field_names(dict.fromkeys(attributes))
        files: dict[str, bytes] = {}
        contents: list[tuple[str, str]] = []
        cut: list[str] = []
        with tempfile.TemporaryDirectory(prefix="fichekaart-shp-") as tmp:
            for stem, frame, description, geometry_type in layers:
                frame, cut_here = cut_long_texts(frame)
                cut += cut_here
                columns = {c: mapping[c] for c in frame.columns if c in mapping}
                write_layer(Path(tmp) / f"{stem}.shp", frame.rename(columns=columns), stem, "ESRI Shapefile",
                            geometry_type=geometry_type)
                for part in SHAPEFILE_PARTS:
                    files[stem + part] = (Path(tmp) / (stem + part)).read_bytes()
                contents.append((f"{stem}.shp", f"{description} ({len(frame)}, {geometry_type}), met .shx, .dbf, "
                                 ".prj en .cpg"))
        tables = {
            "velden.csv": (pd.DataFrame({"volledige_naam": list(mapping),
                                         "veldnaam_shapefile": list(mapping.values())}),
                           "welke volledige kolomnaam bij welke (ingekorte) veldnaam in de .dbf-bestanden hoort"),
            f"fiches_{NO_PLACE}.csv": (fiches_no_place, f"fiches zonder ligging op de kaart ({len(fiches_no_place)})"),
            f"fasen_{NO_PLACE}.csv": (phases_no_place, f"fasen zonder ligging ({len(phases_no_place)})"),
            "budgetlijnen.csv": (prepared.budget_lines, "budgetlijnen per fiche, jaar, soort en richting"),
            "indicatorwaarden.csv": (prepared.indicator_values, "waarden van de indicatoren per gebied en periode"),
            "stadscijfers.csv": (prepared.city_figures, "de echte cijfers van de stad uit de bronnen, met citaat"),
        }
        for name, (frame, description) in tables.items():
            files[name] = csv_bytes(frame)
            contents.append((name, description))
        notes = [
            "CSV-bestanden: UTF-8, puntkomma als scheidingsteken, decimale komma (Excel in het Nederlands); "
            "datums als jjjj-mm-dd (in de .dbf-bestanden als datumveld).",
            "Tekst die begint met =, +, -, @ of een tab kreeg in de CSV-bestanden een ' vooraan "
            "(bescherming tegen formules).",
        ]
        if cut:
            notes.append("Een shapefile bewaart hoogstens 254 bytes tekst per veld. Ingekort (fiche: veld): "
                         + "; ".join(cut) + ". De volledige tekst staat in de GeoPackage- en CSV-export.")
        readme = readme_text(data.metadata, crs, [("LEESMIJ.txt", "dit bestand"), *contents], notes)
        files = {"LEESMIJ.txt": text_bytes(readme), **files}
        return zip_bytes(files, data.metadata.export_date)
