"""One pipeline for every importer: read -> map columns -> validate -> write.

read      `tables.read_table`: a CSV, XLSX or spatial file into rows (with the
          geometries and the CRS a spatial file declares);
map       `Columns`: the file's headers -> model attributes; a missing required
          column stops the import before any row is looked at;
validate  the importer's `check_row(row, check)` turns each row into an item,
          or records Dutch errors through `check`; then `check_all(items,
          errors)` looks across rows (duplicates, references to other rows);
write     only when no row has an error: the importer's `write(items,
          progress)`, inside the caller's transaction (all or nothing).

`checked(done, total)` reports the validation (rows checked / total) and
`progress(done, total)` the write, for a progress bar; `max_rows` refuses a
file with more rows before any row is looked at (a background job's memory
budget, see app/jobs/imports.py).

Errors are collected per row and column (`errors.RowError`), so a file with
ten problems reports ten, and nothing is written.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from ...numbers import format_amount
from .errors import RowCollector
from .tables import Table, read_table

T = TypeVar("T")
R = TypeVar("R")
Progress = Callable[[int, int], None] | None


@dataclass(frozen=True)
class Columns:
    """attribute -> accepted header(s) (the first is the one messages name),
    and the attributes a file must have a column for."""

    names: Mapping[str, str | tuple[str, ...]]
    required: tuple[str, ...] = ()

    def accepted(self, attr: str) -> tuple[str, ...]:
        names = self.names[attr]
        return (names,) if isinstance(names, str) else names

    def resolve(self, headers: Iterable[str], errors: RowCollector) -> dict[str, str]:
        """attribute -> the header this file uses for it; a missing required
        column is an error (no row number: it is about the whole file)."""
        present = list(headers)
        found = {}
        for attr in self.names:
            header = next((h for h in self.accepted(attr) if h in present), None)
            if header is not None:
                found[attr] = header
        for attr in self.required:
            if attr not in found:
                errors.add(None, self.accepted(attr)[0],
                           f"Verplichte kolom ontbreekt. Beschikbaar: {', '.join(present) or 'geen'}.")
        return found


@dataclass(frozen=True)
class Row:
    """One row of the file: cells by header, mapped to attributes."""

    number: int                # as people count: the spreadsheet row, or the n-th feature
    cells: Mapping[str, Any]
    headers: Mapping[str, str]  # attribute -> header present in the file
    geometry: Any = None       # shapely geometry of a spatial file, in `crs`
    crs: Any = None

    @property
    def from_spatial_file(self) -> bool:
        """A feature of a spatial file (its geometry is `geometry`, maybe None)."""
        return self.crs is not None

    def has(self, attr: str) -> bool:
        return attr in self.headers

    def raw(self, attr: str) -> Any:
        return self.cells.get(self.headers[attr]) if attr in self.headers else None


@dataclass
class Check:
    """Validation of one row: parsed values, and Dutch errors in `errors`."""

    row: Row
    errors: RowCollector
    columns: Columns
    ok: bool = True
    failed: set = field(default_factory=set)  # attributes with an error in this row

    def column(self, attr: str) -> str:
        return self.row.headers.get(attr) or self.columns.accepted(attr)[0]

    def fail(self, attr: str | None, message: str, *, column: str | None = None) -> None:
        """An error in this row, in the column of `attr` (or `column` as given)."""
        self.errors.add(self.row.number, column or (self.column(attr) if attr else None), message)
        self.ok = False
        self.failed.add(attr)

    def parse(self, attr: str, parser: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """parser(cell, *args): its ValueError becomes this row's error in that column."""
        try:
            return parser(self.row.raw(attr), *args, **kwargs)
        except ValueError as exc:
            self.fail(attr, str(exc))
            return None

    def required(self, attr: str, value: Any, message: str = "Waarde ontbreekt.") -> Any:
        """`value`, and an error when it is None (unless the cell already has one)."""
        if value is None and attr not in self.failed:
            self.fail(attr, message)
        return value


@dataclass
class Pipeline(Generic[T, R]):
    """An importer: its columns and its three steps (see the module docstring)."""

    columns: Columns
    check_row: Callable[[Row, Check], T | None]
    write: Callable[[list[T], Progress], R]
    check_all: Callable[[list[tuple[Row, T]], RowCollector], None] | None = None
    check_table: Callable[[Table, RowCollector], None] | None = None

    def run(self, source: str | Path | bytes, *, filename: str | None = None, layer: str | None = None,
            progress: Progress = None, checked: Progress = None, max_rows: int | None = None) -> R:
        table = read_table(source, filename, layer)                        # read
        errors = RowCollector(display_name(source, filename))
        if max_rows is not None and len(table.rows) > max_rows:
            errors.add(None, None, too_many_rows(len(table.rows), max_rows))
            errors.raise_if_any()
        if self.check_table is not None:
            self.check_table(table, errors)
        headers = self.columns.resolve(table.columns, errors)               # map columns
        errors.raise_if_any()
        items = self.validate(rows(table, headers), errors, checked)       # validate
        errors.raise_if_any()
        return self.write([item for _, item in items], progress)           # write

    def validate(self, table_rows: list[Row], errors: RowCollector, checked: Progress = None) -> list[tuple[Row, T]]:
        items = []
        for i, row in enumerate(table_rows):
            check = Check(row, errors, self.columns)
            item = self.check_row(row, check)
            if item is not None and check.ok:
                items.append((row, item))
            report_progress(checked, i + 1, len(table_rows))
        if self.check_all is not None:
            self.check_all(items, errors)
        return items


def rows(table: Table, headers: Mapping[str, str]) -> list[Row]:
    geometries = table.geometries if table.geometries is not None else [None] * len(table.rows)
    return [Row(number, cells, headers, geometry, table.crs)
            for cells, number, geometry in zip(table.rows, table.row_numbers, geometries)]


def display_name(source: str | Path | bytes, filename: str | None) -> str | None:
    return filename or (Path(source).name if isinstance(source, (str, Path)) else None)


def too_many_rows(count: int, limit: int) -> str:
    shown = {n: format_amount(n, symbol=False) for n in (count, limit)}
    return (f"Dit bestand telt {shown[count]} rijen; één import mag er hoogstens {shown[limit]} tellen. "
            "Splits het bestand op in kleinere bestanden en importeer ze na elkaar.")


def report_progress(progress: Progress, done: int, total: int) -> None:
    if progress:
        progress(done, total)


__all__ = ["Check", "Columns", "Pipeline", "Row", "display_name", "report_progress", "rows", "too_many_rows"]
