"""Fiches from CSV, XLSX, GeoJSON, GeoPackage (and any file GDAL reads), and
their phases, budget lines and progress reports from CSV/XLSX.

Fiches are upserted by (municipality, ref). A child file (phases, budget
lines, progress reports) replaces the rows of every fiche it names.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...columns import (
    BUDGET_BASES, BUDGET_COLUMNS, BUDGET_DIRECTIONS, BUDGET_KINDS, FICHE_COLUMNS, FICHE_KINDS,
    FICHE_STATUSES, GEOMETRY_WKT_COLUMN, OBLIGATIONS, PHASE_COLUMNS, PHASE_KINDS, PHASE_STATUSES,
    PRECISIONS, PROGRESS_COLUMNS,
)
from ...geometry import GeometryError, to_storage
from ...crs import parse_crs
from ...models import BudgetLine, Dependency, Fiche, FicheSdg, Municipality, Phase, Plan, ProgressReport  # noqa: F401
from ...spatial import to_db
from .errors import RowCollector
from .tables import read_table
from . import values

TEXT_FIELDS = (
    "number", "code", "title", "summary", "sector", "responsible_service", "goal_why", "goal_what",
    "goal_gain", "state_of_play", "dependencies_text", "risks", "location_description", "source",
    "priority_reason", "status_basis", "location_source", "location_assumption", "staff_note",
)


@dataclass
class FicheImportResult:
    created: int = 0
    updated: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated


def find_municipality(session: Session, key: str) -> Municipality:
    municipality = session.scalar(
        select(Municipality).where((Municipality.nis_code == key) | (Municipality.slug == key.lower()))
    )
    if municipality is None:
        raise ValueError(f"Onbekende gemeente '{key}': importeer eerst haar gebieden.")
    return municipality


def _parse_fiche_row(row: dict, number: int, errors: RowCollector) -> dict | None:
    col = FICHE_COLUMNS
    data: dict = {}
    ok = True

    def check(attr, parser):
        nonlocal ok
        column = col[attr]
        try:
            data[attr] = parser(row.get(column))
        except ValueError as exc:
            errors.add(number, column, str(exc))
            ok = False

    for attr in TEXT_FIELDS:
        if col[attr] in row:
            data[attr] = values.text(row[col[attr]])
    data["ref"] = values.text(row.get(col["ref"]))
    data["parent_ref"] = values.text(row.get(col["parent_ref"]))
    check("kind", lambda v: values.choice(v, FICHE_KINDS, "fiche"))
    check("status", lambda v: values.choice(v, FICHE_STATUSES, "voorstel"))
    check("obligation", lambda v: values.choice(v, OBLIGATIONS))
    check("geometry_precision", lambda v: values.choice(v, PRECISIONS))
    check("priority", values.stated_boolean)
    check("published", lambda v: values.boolean(v, default=False))
    check("sdgs_illustrative", values.boolean)
    check("progress_pct", lambda v: values.integer(v, 0, 100))
    check("sdgs", values.sdgs)
    data["depends_on"] = values.split_list(row.get(col["depends_on"]))
    data["partners"] = values.split_list(row.get(col["partners"]))
    if not data["ref"]:
        errors.add(number, col["ref"], "Elke fiche heeft een ref (unieke code) nodig.")
        ok = False
    if not data.get("title"):
        errors.add(number, col["title"], "Titel ontbreekt.")
        ok = False
    return data if ok else None


def import_fiches(
    session: Session,
    source: str | Path | bytes,
    *,
    municipality: str,
    filename: str | None = None,
    layer: str | None = None,
    crs=None,
    plan: Plan | None = None,
    repair_invalid: bool = False,
    drop_z: bool = False,
    progress=None,
) -> FicheImportResult:
    """Check every row, then write all of them or none. `crs` is the CRS of a
    CSV/XLSX WKT column (default EPSG:31370); spatial files declare their own."""
    owner = find_municipality(session, municipality)
    table = read_table(source, filename, layer)
    name = filename or (Path(source).name if isinstance(source, (str, Path)) else None)
    errors = RowCollector(name)
    for required in (FICHE_COLUMNS["ref"], FICHE_COLUMNS["title"]):
        if required not in table.columns:
            errors.add(1, required, "Verplichte kolom ontbreekt.")
    errors.raise_if_any()
    wkt_crs = parse_crs(crs or 31370)
    parsed: list[tuple[int, dict]] = []
    refs_in_file: set[str] = set()
    for index, (row, number) in enumerate(zip(table.rows, table.row_numbers)):
        data = _parse_fiche_row(row, number, errors)
        if data is None:
            continue
        if data["ref"] in refs_in_file:
            errors.add(number, FICHE_COLUMNS["ref"], f"Ref '{data['ref']}' komt meer dan eens voor.")
            continue
        refs_in_file.add(data["ref"])
        try:
            data["geom"] = _row_geometry(table, index, row, wkt_crs, repair_invalid, drop_z)
        except GeometryError as exc:
            errors.add(number, GEOMETRY_WKT_COLUMN if table.geometries is None else "geometrie", str(exc))
            continue
        parsed.append((number, data))
    existing = {f.ref: f for f in session.scalars(select(Fiche).where(Fiche.municipality_id == owner.id))}
    known = refs_in_file | set(existing)
    for number, data in parsed:
        if data["parent_ref"] and data["parent_ref"] not in known:
            errors.add(number, FICHE_COLUMNS["parent_ref"], f"Onbekende ouder '{data['parent_ref']}'.")
        for ref in data["depends_on"]:
            if ref not in known:
                errors.add(number, FICHE_COLUMNS["depends_on"], f"Onbekende fiche '{ref}'.")
    errors.raise_if_any()

    # An update writes only what the file has a column for: a file with just
    # ref;titel;status renames and re-states fiches, and keeps their place,
    # parent, SDGs, links and published flag. New fiches get the defaults.
    present = set(table.columns)
    has_geometry = table.geometries is not None or GEOMETRY_WKT_COLUMN in present

    def given(attr: str) -> bool:
        return FICHE_COLUMNS[attr] in present

    result = FicheImportResult()
    by_ref = dict(existing)
    new_refs: set[str] = set()
    for i, (_number, data) in enumerate(parsed):
        fiche = by_ref.get(data["ref"])
        if fiche is None:
            fiche = Fiche(municipality=owner, ref=data["ref"], plan=plan)
            session.add(fiche)
            by_ref[data["ref"]] = fiche
            new_refs.add(data["ref"])
            result.created += 1
        else:
            result.updated += 1
        is_new = data["ref"] in new_refs
        for attr in (*TEXT_FIELDS, "kind", "status", "obligation", "geometry_precision", "priority",
                     "published", "sdgs_illustrative", "progress_pct"):
            if attr in data and (is_new or given(attr)):
                setattr(fiche, attr, data[attr])
        if is_new or has_geometry:
            fiche.geom = to_db(data["geom"])
            if data["geom"] is not None and not fiche.geometry_precision:
                fiche.geometry_precision = "exact"
        if is_new or given("sdgs"):
            fiche.sdg_links = [FicheSdg(sdg=n) for n in data["sdgs"]]
        if progress:
            progress(i + 1, len(parsed))
    session.flush()
    for _number, data in parsed:
        fiche = by_ref[data["ref"]]
        is_new = data["ref"] in new_refs
        if is_new or given("parent_ref"):
            fiche.parent = by_ref.get(data["parent_ref"]) if data["parent_ref"] else None
        if is_new or given("depends_on") or given("partners"):
            links = [] if is_new else list(fiche.dependencies)
            if is_new or given("depends_on"):
                links = [d for d in links if d.partner is not None]
                links += [Dependency(depends_on=by_ref[r]) for r in data["depends_on"]]
            if is_new or given("partners"):
                links = [d for d in links if d.partner is None] + [Dependency(partner=p) for p in data["partners"]]
            fiche.dependencies = links
    session.flush()
    return result


def _row_geometry(table, index, row, wkt_crs, repair_invalid, drop_z):
    if table.geometries is not None:
        return to_storage(table.geometries[index], table.crs, repair_invalid=repair_invalid, drop_z=drop_z)
    wkt = values.text(row.get(GEOMETRY_WKT_COLUMN))
    if not wkt:
        return None
    try:
        geom = shapely.from_wkt(wkt)
    except Exception:
        raise GeometryError("Onleesbare WKT-geometrie.") from None
    return to_storage(geom, wkt_crs, repair_invalid=repair_invalid, drop_z=drop_z)


# Child tables -------------------------------------------------------------

def _import_children(session, source, municipality, filename, columns, build, attr, progress=None) -> int:
    owner = find_municipality(session, municipality)
    table = read_table(source, filename)
    errors = RowCollector(filename or (Path(source).name if isinstance(source, (str, Path)) else None))
    ref_col = columns["fiche_ref"]
    if ref_col not in table.columns:
        errors.add(1, ref_col, "Verplichte kolom ontbreekt.")
        errors.raise_if_any()
    fiches = {f.ref: f for f in session.scalars(select(Fiche).where(Fiche.municipality_id == owner.id))}
    items: list[tuple[Fiche, object]] = []
    for row, number in zip(table.rows, table.row_numbers):
        fiche = fiches.get(values.text(row.get(ref_col)) or "")
        if fiche is None:
            errors.add(number, ref_col, f"Onbekende fiche '{row.get(ref_col)}'.")
            continue
        try:
            items.append((fiche, build(row, columns)))
        except ValueError as exc:
            errors.add(number, exc.args[1] if len(exc.args) > 1 else None, exc.args[0])
    errors.raise_if_any()
    touched = {}
    for fiche, item in items:
        if fiche.id not in touched:
            touched[fiche.id] = []
        touched[fiche.id].append(item)
    for i, (fiche_id, new_items) in enumerate(touched.items()):
        fiche = session.get(Fiche, fiche_id)
        setattr(fiche, attr, new_items)
        if progress:
            progress(i + 1, len(touched))
    session.flush()
    return len(items)


def _field(row, columns, attr, parser, *args):
    column = columns[attr]
    try:
        return parser(row.get(column), *args)
    except ValueError as exc:
        raise ValueError(str(exc), column) from None


def _required(value, column):
    if value is None:
        raise ValueError("Waarde ontbreekt.", column)
    return value


def _build_phase(row, c) -> Phase:
    phase = Phase(
        position=_field(row, c, "position", values.integer) or 1,
        title=_required(_field(row, c, "title", values.text), c["title"]),
        phase_kind=_field(row, c, "phase_kind", values.choice, PHASE_KINDS),
        start=_field(row, c, "start", values.date),
        end=_field(row, c, "end", values.date),
        status=_field(row, c, "status", values.choice, PHASE_STATUSES),
        illustrative=_field(row, c, "illustrative", values.boolean),
        note=_field(row, c, "note", values.text),
        geom=_child_geometry(row),
    )
    if phase.start and phase.end and phase.end < phase.start:
        raise ValueError("Het einde ligt voor de start.", c["end"])
    return phase


def _build_budget_line(row, c) -> BudgetLine:
    return BudgetLine(
        year=_required(_field(row, c, "year", values.integer, 1990, 2100), c["year"]),
        kind=_required(_field(row, c, "kind", values.choice, BUDGET_KINDS), c["kind"]),
        direction=_field(row, c, "direction", values.choice, BUDGET_DIRECTIONS, "uitgave"),
        amount_eur=_required(_field(row, c, "amount_eur", values.number), c["amount_eur"]),
        basis=_required(_field(row, c, "basis", values.choice, BUDGET_BASES), c["basis"]),
        note=_field(row, c, "note", values.text),
        phase_position=_field(row, c, "phase_position", values.integer, 1),
    )


def _child_geometry(row):
    """A child row's own place (`geometrie_wkt`, EPSG:31370): the part of the
    fiche's place it concerns. Empty: none of its own."""
    wkt = values.text(row.get(GEOMETRY_WKT_COLUMN))
    if not wkt:
        return None
    try:
        geom = shapely.from_wkt(wkt)
    except Exception:
        raise ValueError("Onleesbare WKT-geometrie.", GEOMETRY_WKT_COLUMN) from None
    try:
        return to_db(to_storage(geom, parse_crs(31370)))
    except GeometryError as exc:
        raise ValueError(str(exc), GEOMETRY_WKT_COLUMN) from None


def _build_progress_report(row, c) -> ProgressReport:
    return ProgressReport(
        period_label=_required(_field(row, c, "period_label", values.text), c["period_label"]),
        report_date=_field(row, c, "report_date", values.date),
        text=_required(_field(row, c, "text", values.text), c["text"]),
        progress_pct=_field(row, c, "progress_pct", values.integer, 0, 100),
        source=_field(row, c, "source", values.text),
    )


def import_phases(session, source, *, municipality, filename=None, progress=None) -> int:
    return _import_children(session, source, municipality, filename, PHASE_COLUMNS, _build_phase, "phases", progress)


def import_budget_lines(session, source, *, municipality, filename=None, progress=None) -> int:
    return _import_children(session, source, municipality, filename, BUDGET_COLUMNS, _build_budget_line,
                            "budget_lines", progress)


def import_progress_reports(session, source, *, municipality, filename=None, progress=None) -> int:
    return _import_children(session, source, municipality, filename, PROGRESS_COLUMNS, _build_progress_report,
                            "progress_reports", progress)
