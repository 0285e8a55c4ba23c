from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RowError:
    """A problem in one row (1-based, header = row 1 in a CSV) and column."""
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"rij {self.row}")
        if self.column:
            where.append(f"kolom '{self.column}'")
        prefix = (", ".join(where).capitalize() + ": ") if where else ""
        return prefix + self.message


class ImportFailed(Exception):
    """Nothing was written; `errors` says what is wrong and where."""

    def __init__(self, errors: list[RowError], filename: str | None = None):
        self.errors = errors
        self.filename = filename
        super().__init__(self.summary())

    def summary(self, limit: int = 50) -> str:
        head = f"Import van {self.filename} mislukt" if self.filename else "Import mislukt"
        lines = [f"{head}: {len(self.errors)} fout(en), er werd niets opgeslagen."]
        lines += [f"- {e}" for e in self.errors[:limit]]
        if len(self.errors) > limit:
            lines.append(f"- ... en nog {len(self.errors) - limit} fout(en).")
        return "\n".join(lines)


class RowCollector:
    """Collects row errors while a file is being checked."""

    def __init__(self, filename: str | None = None):
        self.errors: list[RowError] = []
        self.filename = filename

    def add(self, row: int | None, column: str | None, message: str) -> None:
        self.errors.append(RowError(row, column, message))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ImportFailed(self.errors, self.filename)
