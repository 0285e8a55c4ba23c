"""Areas (city, deelgemeenten, wijken, zones) from a GeoPackage, Shapefile or GeoJSON."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...columns import AREA_LEVELS
from ...geometry import GeometryError, to_storage
from ...models import Area, Municipality
from ...spatial import to_db
from . import values
from .errors import RowCollector
from .pipeline import Check, Columns, Pipeline, Progress, Row, report_progress
from .tables import Table


def slugify(name: str) -> str:
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def derived_code(nis_code: str, level: str, name: str) -> str:
    digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
    return f"{nis_code}-{level[:8]}-{digest}"


def get_or_create_municipality(session: Session, nis_code: str, name: str | None = None) -> Municipality:
    municipality = session.scalar(select(Municipality).where(Municipality.nis_code == nis_code))
    if municipality is None:
        name = name or nis_code
        municipality = Municipality(nis_code=nis_code, name=name, slug=slugify(name))
        session.add(municipality)
        session.flush()
    elif name and municipality.name == municipality.nis_code:
        municipality.name, municipality.slug = name, slugify(name)
    return municipality


def import_areas(
    session: Session,
    source: str | Path | bytes,
    *,
    level: str,
    filename: str | None = None,
    layer: str | None = None,
    code_column: str | None = "code",
    name_column: str = "naam",
    municipality: str | None = None,
    source_text: str | None = None,
    progress: Progress = None,
) -> int:
    """Import (or update, by code) the areas of one layer. The municipality is
    `municipality` (NIS code) or the first five characters of each code.
    Layers without codes (zones such as winkelgebieden) pass code_column=None
    and a municipality: the code becomes `<nis>-<level>-<hash of the name>`
    (short enough for the column, stable across re-imports). Returns the number
    of areas written. All-or-nothing."""
    if level not in AREA_LEVELS:
        raise ValueError(f"Onbekend niveau '{level}' ({', '.join(AREA_LEVELS)}).")
    if code_column is None and not municipality:
        raise ValueError("Zonder codekolom is de gemeente (NIS-code) verplicht.")
    names = {"name": name_column} if code_column is None else {"code": code_column, "name": name_column}
    columns = Columns(names, required=tuple(names))

    def needs_geometries(table: Table, errors: RowCollector) -> None:
        if table.geometries is None:
            errors.add(None, None, "Een gebiedsbestand moet geometrieën bevatten (GeoPackage, Shapefile, GeoJSON).")
            errors.raise_if_any()

    def check_row(row: Row, check: Check) -> tuple | None:
        area_name = values.text(row.raw("name"))
        if code_column is None:
            code = derived_code(municipality, level, area_name) if area_name else None
        else:
            code = values.text(row.raw("code"))
        if not code or not area_name:
            check.fail(None, "Code en naam zijn verplicht.", column=code_column if not code else name_column)
            return None
        nis = municipality or code[:5]
        if not re.fullmatch(r"\d{5}", nis):
            check.fail(None, f"Uit '{code}' volgt geen NIS-code van een gemeente; geef de gemeente op.",
                       column=code_column)
            return None
        try:
            stored = to_storage(row.geometry, row.crs)
        except GeometryError as exc:
            check.fail(None, str(exc), column="geometrie")
            return None
        if stored is None or stored.geom_type not in ("Polygon", "MultiPolygon"):
            check.fail(None, "Een gebied moet een vlak (polygoon) zijn.", column="geometrie")
            return None
        if stored.geom_type == "Polygon":
            stored = shapely.MultiPolygon([stored])
        return nis, code, area_name, stored

    def write(items: list[tuple], progress: Progress) -> int:
        for i, (nis, code, area_name, stored) in enumerate(items):
            owner = get_or_create_municipality(session, nis, area_name if level == "gemeente" else None)
            area = session.scalar(select(Area).where(Area.code == code)) or Area(code=code)
            area.municipality = owner
            area.level, area.name, area.source, area.geom = level, area_name, source_text, to_db(stored)
            session.add(area)
            report_progress(progress, i + 1, len(items))
        session.flush()
        return len(items)

    pipeline = Pipeline(columns, check_row, write, check_table=needs_geometries)
    return pipeline.run(source, filename=filename, layer=layer, progress=progress)
