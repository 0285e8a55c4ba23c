"""The demo content in geodata/, loaded through the same importers a city
uses for its own files (see geodata/README.md for what is real and what is
illustrative)."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ... import ROOT
from ...columns import CITY_SETTINGS_COLUMNS, MUNICIPALITY_COLUMNS
from ...models import Fiche, Municipality, Plan
from ..city_settings import save_settings
from .areas import get_or_create_municipality, import_areas
from .fiches import import_budget_lines, import_fiches, import_phases, import_progress_reports
from .indicators import import_indicator_definitions, import_indicator_values
from .tables import read_table

GEODATA = ROOT / "geodata"
AREA_SOURCE = "Bron: Statbel, Provincies in Cijfers (gebiedsniveaus, 2024)"
# GeoPackage layer -> (area level, code column); the shopping-area layers
# carry only a name, so their codes are derived from it (see import_areas).
AREA_LAYERS = {
    "gemeente": ("gemeente", "code"),
    "deelgemeenten": ("deelgemeente", "code"),
    "wijken": ("wijk", "code"),
    "kernwinkelgebied": ("kernwinkelgebied", None),
    "winkelgebieden": ("winkelgebied", None),
}
CITY_DIRS = {"13011": "herentals", "23027": "halle"}


def database_is_empty(session: Session) -> bool:
    return session.scalar(select(func.count()).select_from(Fiche)) == 0


def load_demo(session: Session, geodata: Path = GEODATA, log=print) -> dict[str, int]:
    """Load municipalities, areas, indicators and both cities' fiches.
    Runs inside the caller's transaction: all or nothing."""
    import pyogrio

    counts: dict[str, int] = {}
    municipalities = read_table(geodata / "municipalities.csv")
    plans = {}
    for row in municipalities.rows:
        c = MUNICIPALITY_COLUMNS
        municipality = get_or_create_municipality(session, row[c["nis_code"]], row[c["name"]])
        plan = Plan(municipality=municipality, title=row[c["plan_title"]], period=row[c["plan_period"]],
                    source=row[c["source"]])
        session.add(plan)
        plans[municipality.nis_code] = plan
    session.flush()
    for nis, city in CITY_DIRS.items():
        gpkg = geodata / "areas" / f"{city}_areas.gpkg"
        available = {name for name, _ in pyogrio.list_layers(gpkg)}
        for layer, (level, code_column) in AREA_LAYERS.items():
            if layer in available:
                counts[f"{city}.{layer}"] = import_areas(
                    session, gpkg, layer=layer, level=level, code_column=code_column,
                    municipality=nis, source_text=AREA_SOURCE,
                )
    counts["indicators"] = import_indicator_definitions(session, geodata / "indicators.csv")
    for nis, city in CITY_DIRS.items():
        folder = geodata / city
        result = import_fiches(session, folder / "fiches.csv", municipality=nis, plan=plans.get(nis))
        counts[f"{city}.fiches"] = result.total
        for name, importer in (
            ("phases", import_phases),
            ("budget_lines", import_budget_lines),
            ("progress_reports", import_progress_reports),
        ):
            path = folder / f"{name}.csv"
            if path.exists():
                counts[f"{city}.{name}"] = importer(session, path, municipality=nis)
        values_path = folder / "indicator_values.csv"
        if values_path.exists():
            counts[f"{city}.indicator_values"] = import_indicator_values(session, values_path)
    counts["city_settings"] = load_city_settings(session, geodata / "city_settings.csv")
    for key, value in counts.items():
        log(f"  {key}: {value}")
    return counts


def load_city_settings(session: Session, path: Path) -> int:
    """Each city's settings from the file (the values cited from the sources,
    see its `bron` column), through the same write path as the staff page."""
    if not path.exists():
        return 0
    c = CITY_SETTINGS_COLUMNS
    count = 0
    for row in read_table(path).rows:
        municipality = session.scalar(select(Municipality).where(Municipality.nis_code == row[c["nis_code"]]))
        if municipality is None:
            continue
        plan = session.scalar(select(Plan).where(Plan.municipality_id == municipality.id).order_by(Plan.id))
        values = {key: row.get(column) or "" for key, column in c.items() if key != "nis_code"}
        values["listed"] = (row.get(c["listed"]) or "ja").strip().lower() == "ja"
        values.update(plan_title=plan.title if plan else "", plan_period=plan.period if plan else "")
        save_settings(session, municipality, values)
        count += 1
    return count
