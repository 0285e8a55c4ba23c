"""Fiches from CSV, XLSX, GeoJSON, GeoPackage (and any file GDAL reads), and
their phases, budget lines and progress reports from CSV/XLSX.

Fiches are upserted by (municipality, ref). A child file (phases, budget
lines, progress reports) replaces the rows of every fiche it names. Both go
through the import pipeline (pipeline.py): read -> map columns -> validate -> write.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ...columns import (
    BUDGET_BASES,
    BUDGET_COLUMNS,
    BUDGET_DIRECTIONS,
    BUDGET_KINDS,
    FICHE_COLUMNS,
    FICHE_KINDS,
    FICHE_STATUSES,
    GEOMETRY_WKT_COLUMN,
    OBLIGATIONS,
    PHASE_COLUMNS,
    PHASE_KINDS,
    PHASE_STATUSES,
    PRECISIONS,
    PROGRESS_COLUMNS,
)
from ...crs import STORAGE_EPSG, parse_crs
from ...geometry import GeometryError, to_storage
from ...models import BudgetLine, Dependency, Fiche, FicheSdg, Municipality, Phase, Plan, ProgressReport
from ...spatial import to_db
from ..readback import refuse_lost_geometries
from . import values
from .errors import RowCollector
from .pipeline import Check, Columns, Pipeline, Progress, Row, report_progress

TEXT_FIELDS = (
    "number", "code", "title", "summary", "plain_language", "sector", "responsible_service", "goal_why", "goal_what",
    "goal_gain", "state_of_play", "dependencies_text", "risks", "location_description", "source",
    "priority_reason", "status_basis", "location_source", "location_assumption", "staff_note",
)
# Parsed for every row; an absent column gives the default (used by new fiches only).
PARSERS: dict[str, Callable[[Any], Any]] = {
    "kind": lambda v: values.choice(v, FICHE_KINDS, "fiche"),
    "status": lambda v: values.choice(v, FICHE_STATUSES, "voorstel"),
    "obligation": lambda v: values.choice(v, OBLIGATIONS),
    "geometry_precision": lambda v: values.choice(v, PRECISIONS),
    "priority": values.stated_boolean,
    "published": lambda v: values.boolean(v, default=False),
    "sdgs_illustrative": values.boolean,
    "progress_pct": lambda v: values.integer(v, 0, 100),
    "sdgs": values.sdgs,
}
SCALAR_FIELDS = (*TEXT_FIELDS, *(attr for attr in PARSERS if attr != "sdgs"))
# Phases may carry a place of their own (the part of the fiche's place they concern).
PHASE_FILE_COLUMNS = {**PHASE_COLUMNS, "geometry_wkt": GEOMETRY_WKT_COLUMN}
FICHE_FILE_COLUMNS = Columns({**FICHE_COLUMNS, "geometry_wkt": GEOMETRY_WKT_COLUMN}, required=("ref", "title"))


@dataclass
class FicheImportResult:
    created: int = 0
    updated: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated


@dataclass
class ParsedFiche:
    row: Row
    data: dict


def find_municipality(session: Session, key: str) -> Municipality:
    municipality = session.scalar(
        select(Municipality).where((Municipality.nis_code == key) | (Municipality.slug == key.lower()))
    )
    if municipality is None:
        raise ValueError(f"Onbekende gemeente '{key}': importeer eerst haar gebieden.")
    return municipality


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
    progress: Progress = None,
    checked: Progress = None,
    max_rows: int | None = None,
) -> FicheImportResult:
    """Check every row, then write all of them or none. `crs` is the CRS of a
    CSV/XLSX WKT column (default EPSG:31370); spatial files declare their own.
    Fiches are upserted by ref within the municipality."""
    owner = find_municipality(session, municipality)
    existing = {f.ref: f for f in session.scalars(select(Fiche).where(Fiche.municipality_id == owner.id))}
    wkt_crs = parse_crs(crs or STORAGE_EPSG)
    refs_in_file: set[str] = set()

    def check_row(row: Row, check: Check) -> ParsedFiche | None:
        data = parse_fiche_fields(row, check)
        if not check.ok:
            return None
        if data["ref"] in refs_in_file:
            check.fail("ref", f"Ref '{data['ref']}' komt meer dan eens voor.")
            return None
        refs_in_file.add(data["ref"])
        try:
            data["geom"] = fiche_geometry(row, wkt_crs, repair_invalid=repair_invalid, drop_z=drop_z)
        except GeometryError as exc:
            check.fail(None, str(exc), column="geometrie" if row.from_spatial_file else GEOMETRY_WKT_COLUMN)
            return None
        return ParsedFiche(row, data)

    def check_references(items: list[tuple[Row, ParsedFiche]], errors: RowCollector) -> None:
        known = refs_in_file | set(existing)
        for row, item in items:
            parent, depends_on = item.data["parent_ref"], item.data["depends_on"]
            if parent and parent not in known:
                errors.add(row.number, FICHE_COLUMNS["parent_ref"], f"Onbekende ouder '{parent}'.")
            for ref in depends_on:
                if ref not in known:
                    errors.add(row.number, FICHE_COLUMNS["depends_on"], f"Onbekende fiche '{ref}'.")

    def write(items: list[ParsedFiche], progress: Progress) -> FicheImportResult:
        return write_fiches(session, owner, plan, existing, items, progress)

    pipeline = Pipeline(FICHE_FILE_COLUMNS, check_row, write, check_references)
    return pipeline.run(source, filename=filename, layer=layer, progress=progress, checked=checked, max_rows=max_rows)


def parse_fiche_fields(row: Row, check: Check) -> dict:
    """The fiche's values from one row (errors go to `check`)."""
    data: dict[str, Any] = {attr: values.text(row.raw(attr)) for attr in TEXT_FIELDS if row.has(attr)}
    data["ref"] = values.text(row.raw("ref"))
    data["parent_ref"] = values.text(row.raw("parent_ref"))
    for attr, parser in PARSERS.items():
        data[attr] = check.parse(attr, parser)
    data["depends_on"] = values.split_refs(row.raw("depends_on"))
    data["partners"] = values.split_list(row.raw("partners"))
    if not data["ref"]:
        check.fail("ref", "Elke fiche heeft een ref (unieke code) nodig.")
    if not data.get("title"):
        check.fail("title", "Titel ontbreekt.")
    return data


def _parse_fiche_row(cells: dict, number: int, errors: RowCollector) -> dict | None:
    """One row as read from a file (cells by header) -> the fiche's values, or
    None with the row's errors in `errors` (the exporters' round-trip test)."""
    row = Row(number, cells, FICHE_FILE_COLUMNS.resolve(cells, RowCollector()))
    check = Check(row, errors, FICHE_FILE_COLUMNS)
    data = parse_fiche_fields(row, check)
    return data if check.ok else None


def fiche_geometry(row: Row, wkt_crs, *, repair_invalid: bool, drop_z: bool):
    """The row's geometry in the storage CRS: the feature's own (spatial
    files) or the WKT column (in `wkt_crs`); None when there is none."""
    if row.from_spatial_file:
        return to_storage(row.geometry, row.crs, repair_invalid=repair_invalid, drop_z=drop_z)
    wkt = values.text(row.raw("geometry_wkt"))
    if not wkt:
        return None
    try:
        geom = shapely.from_wkt(wkt)
    except Exception:
        raise GeometryError("Onleesbare WKT-geometrie.") from None
    return to_storage(geom, wkt_crs, repair_invalid=repair_invalid, drop_z=drop_z)


def write_fiches(session: Session, owner: Municipality, plan: Plan | None, existing: dict[str, Fiche],
                 items: list[ParsedFiche], progress: Progress) -> FicheImportResult:
    """Create or update the fiches, then link parents and dependencies (which
    may name fiches of the same file)."""
    result = FicheImportResult()
    by_ref = dict(existing)
    new_refs: set[str] = set()
    for i, item in enumerate(items):
        ref = item.data["ref"]
        if ref not in by_ref:
            by_ref[ref] = Fiche(municipality=owner, ref=ref, plan=plan)
            session.add(by_ref[ref])
            new_refs.add(ref)
        write_fiche_fields(by_ref[ref], item, is_new=ref in new_refs)
        report_progress(progress, i + 1, len(items))
    result.created = len(new_refs)
    result.updated = len(items) - len(new_refs)
    session.flush()
    with session.no_autoflush:  # one flush at the end, not one per lazy load (they were 1 per row)
        for item in items:
            ref = item.data["ref"]
            if ref in new_refs:  # a new fiche has no links yet: no query to find that out
                set_committed_value(by_ref[ref], "dependencies", [])
            write_fiche_links(by_ref[ref], item, by_ref, is_new=ref in new_refs)
    refuse_lost_geometries(session, by_ref.values())  # flushes; a given geometry stored as NULL rolls all back
    return result


# An update writes only what the file has a column for: a file with just
# ref;titel;status renames and re-states fiches, and keeps their place,
# parent, SDGs, links and published flag. New fiches get the defaults.
def write_fiche_fields(fiche: Fiche, item: ParsedFiche, *, is_new: bool) -> None:
    row, data = item.row, item.data
    for attr in SCALAR_FIELDS:
        if attr in data and (is_new or row.has(attr)):
            setattr(fiche, attr, data[attr])
    if is_new or row.from_spatial_file or row.has("geometry_wkt"):
        fiche.geom = to_db(data["geom"])
        if data["geom"] is not None and not fiche.geometry_precision:
            fiche.geometry_precision = "exact"
    if is_new or row.has("sdgs"):
        fiche.sdg_links = [FicheSdg(sdg=n) for n in data["sdgs"]]


def write_fiche_links(fiche: Fiche, item: ParsedFiche, by_ref: dict[str, Fiche], *, is_new: bool) -> None:
    row, data = item.row, item.data
    if is_new or row.has("parent_ref"):
        fiche.parent = by_ref.get(data["parent_ref"]) if data["parent_ref"] else None
    if not (is_new or row.has("depends_on") or row.has("partners")):
        return
    links = [] if is_new else list(fiche.dependencies)
    if is_new or row.has("depends_on"):
        links = [d for d in links if d.partner is not None]
        links += [Dependency(depends_on=by_ref[r]) for r in data["depends_on"]]
    if is_new or row.has("partners"):
        links = [d for d in links if d.partner is None] + [Dependency(partner=p) for p in data["partners"]]
    fiche.dependencies = links


# Child tables -------------------------------------------------------------

def _import_children(session: Session, source, municipality: str, filename: str | None, columns: dict[str, str],
                     build: Callable[[Check], Any], attr: str, progress: Progress = None, checked: Progress = None,
                     max_rows: int | None = None) -> int:
    """Rows that belong to a fiche (by fiche_ref): each named fiche's `attr`
    list is replaced by the file's rows for it."""
    owner = find_municipality(session, municipality)
    fiches = {f.ref: f for f in session.scalars(select(Fiche).where(Fiche.municipality_id == owner.id))}

    def check_row(row: Row, check: Check) -> tuple[Fiche, Any] | None:
        fiche = fiches.get(values.text(row.raw("fiche_ref")) or "")
        if fiche is None:
            check.fail("fiche_ref", f"Onbekende fiche '{row.raw('fiche_ref')}'.")
            return None
        item = build(check)
        return (fiche, item) if check.ok else None

    def write(items: list[tuple[Fiche, Any]], progress: Progress) -> int:
        by_fiche: dict[int, list] = {}
        for fiche, item in items:
            by_fiche.setdefault(fiche.id, []).append(item)
        for i, (fiche_id, new_items) in enumerate(by_fiche.items()):
            setattr(session.get(Fiche, fiche_id), attr, new_items)
            report_progress(progress, i + 1, len(by_fiche))
        session.flush()
        return len(items)

    pipeline = Pipeline(Columns(columns, required=("fiche_ref",)), check_row, write)
    return pipeline.run(source, filename=filename, progress=progress, checked=checked, max_rows=max_rows)


def _build_phase(check: Check) -> Phase:
    phase = Phase(
        position=check.parse("position", values.integer) or 1,
        title=check.required("title", check.parse("title", values.text)),
        phase_kind=check.parse("phase_kind", values.choice, PHASE_KINDS),
        start=check.parse("start", values.date),
        end=check.parse("end", values.date),
        status=check.parse("status", values.choice, PHASE_STATUSES),
        illustrative=check.parse("illustrative", values.boolean),
        note=check.parse("note", values.text),
        geom=_child_geometry(check),
    )
    if phase.start and phase.end and phase.end < phase.start:
        check.fail("end", "Het einde ligt voor de start.")
    return phase


def _build_budget_line(check: Check) -> BudgetLine:
    return BudgetLine(
        year=check.required("year", check.parse("year", values.integer, 1990, 2100)),
        kind=check.required("kind", check.parse("kind", values.choice, BUDGET_KINDS)),
        direction=check.parse("direction", values.choice, BUDGET_DIRECTIONS, "uitgave"),
        amount_eur=check.required("amount_eur", check.parse("amount_eur", values.amount)),
        basis=check.required("basis", check.parse("basis", values.choice, BUDGET_BASES)),
        note=check.parse("note", values.text),
        phase_position=check.parse("phase_position", values.integer, 1),
    )


def _child_geometry(check: Check):
    """A child row's own place (`geometrie_wkt`, EPSG:31370): the part of the
    fiche's place it concerns. Empty: none of its own."""
    wkt = values.text(check.row.raw("geometry_wkt"))
    if not wkt:
        return None
    try:
        geom = shapely.from_wkt(wkt)
    except Exception:
        check.fail("geometry_wkt", "Onleesbare WKT-geometrie.")
        return None
    try:
        return to_db(to_storage(geom, parse_crs(STORAGE_EPSG)))
    except GeometryError as exc:
        check.fail("geometry_wkt", str(exc))
        return None


def _build_progress_report(check: Check) -> ProgressReport:
    return ProgressReport(
        period_label=check.required("period_label", check.parse("period_label", values.text)),
        report_date=check.parse("report_date", values.date),
        text=check.required("text", check.parse("text", values.text)),
        progress_pct=check.parse("progress_pct", values.integer, 0, 100),
        source=check.parse("source", values.text),
    )


def import_phases(session, source, *, municipality, filename=None, progress=None, checked=None, max_rows=None) -> int:
    return _import_children(session, source, municipality, filename, PHASE_FILE_COLUMNS, _build_phase, "phases",
                            progress, checked, max_rows)


def import_budget_lines(session, source, *, municipality, filename=None, progress=None, checked=None,
                        max_rows=None) -> int:
    return _import_children(session, source, municipality, filename, BUDGET_COLUMNS, _build_budget_line,
                            "budget_lines", progress, checked, max_rows)


def import_progress_reports(session, source, *, municipality, filename=None, progress=None, checked=None,
                            max_rows=None) -> int:
    return _import_children(session, source, municipality, filename, PROGRESS_COLUMNS, _build_progress_report,
                            "progress_reports", progress, checked, max_rows)
