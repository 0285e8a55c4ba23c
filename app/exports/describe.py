"""The words that travel with every export: source, licence, date, CRS,
filters and the note on illustrative values, as key/value rows (GeoPackage
`metadata` table, GeoJSON `metadata` member, KML document) and as LEESMIJ.txt."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ..crs import CRS_LABELS, crs_name
from .base import ExportMetadata

CRS_NAMES = {crs_name(epsg): label for epsg, label in CRS_LABELS.items()}

# Keys of the metadata rows, in the order people read them.
METADATA_KEYS = ("titel", "gemeente", "nis_code", "bron", "licentie", "licentie_url", "licentie_gebiedsgrenzen",
                 "contact", "exportdatum", "coordinatenstelsel", "filters", "illustratief")


def describe_filters(filters: dict | None) -> str:
    """{'status': ['lopend', 'gepland'], 'wijk': '1301101'} ->
    'status: lopend, gepland; wijk: 1301101'."""
    parts = []
    for key, value in (filters or {}).items():
        if value is None or value == "" or value == [] or value == ():
            continue
        if isinstance(value, bool):
            text = "ja" if value else "nee"
        elif isinstance(value, (list, tuple, set, frozenset)):
            text = ", ".join(str(v) for v in (sorted(value) if isinstance(value, (set, frozenset)) else value))
        else:
            text = str(value)
        parts.append(f"{key}: {text}")
    return "; ".join(parts) if parts else "geen (alle fiches van de gemeente)"


def format_timestamp(moment: dt.datetime | dt.date) -> str:
    if isinstance(moment, dt.datetime):
        return moment.isoformat(timespec="seconds")
    return moment.isoformat()


def metadata_items(meta: ExportMetadata, crs: str) -> list[tuple[str, str]]:
    """[(key, value)] in METADATA_KEYS order; every value is text."""
    values = {
        "titel": meta.title or f"Fichekaart – {meta.city_name}",
        "gemeente": meta.city_name,
        "nis_code": str(meta.nis_code),
        "bron": meta.source,
        "licentie": meta.licence,
        "licentie_url": meta.licence_url or "niet opgegeven",
        "licentie_gebiedsgrenzen": meta.boundary_licence or "niet opgegeven",
        "contact": meta.contact or "niet opgegeven",
        "exportdatum": format_timestamp(meta.export_date),
        "coordinatenstelsel": f"{crs} ({CRS_NAMES[crs]})",
        "filters": describe_filters(meta.filters),
        "illustratief": meta.illustrative_note or "Geen waarden zijn als illustratief aangeduid.",
    }
    return [(key, values[key]) for key in METADATA_KEYS]


def readme_text(meta: ExportMetadata, crs: str, contents: list[tuple[str, str]], notes: Sequence[str] = ()) -> str:
    """LEESMIJ.txt: the metadata, then what each file holds (name, Dutch
    description), then remarks about this particular export."""
    items = dict(metadata_items(meta, crs))
    lines = [
        f"Fichekaart – export voor {meta.city_name} (NIS-code {meta.nis_code})",
        "",
        f"Bron: {items['bron']}",
        f"Licentie: {items['licentie']}",
        f"Licentie (URL): {items['licentie_url']}",
        f"Licentie van de gebiedsgrenzen: {items['licentie_gebiedsgrenzen']}",
        f"Contact: {items['contact']}",
        f"Exportdatum: {items['exportdatum']}",
        f"Coördinatenstelsel: {items['coordinatenstelsel']}",
        f"Filters: {items['filters']}",
        "",
        "Illustratieve waarden:",
        items["illustratief"],
        "",
        "Inhoud:",
        *(f"- {name}: {description}" for name, description in contents),
    ]
    if notes:
        lines += ["", "Opmerkingen:", *(f"- {note}" for note in notes)]
    return "\r\n".join(lines) + "\r\n"
