"""Indicator definitions and long-format indicator values
(area_code, indicator_code, period, value [, source, illustrative, comparison])."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...columns import INDICATOR_COLUMNS, INDICATOR_VALUE_COLUMNS
from ...models import Area, Indicator, IndicatorValue
from .errors import RowCollector
from .tables import read_table
from . import values


def import_indicator_definitions(session: Session, source: str | Path | bytes, filename: str | None = None) -> int:
    table = read_table(source, filename)
    errors = RowCollector(filename or str(source))
    for column in ("code", "naam"):
        if column not in table.columns:
            errors.add(None, column, "Kolom ontbreekt.")
    errors.raise_if_any()
    heading = {attr: col for attr, col in INDICATOR_COLUMNS.items() if col in table.columns}
    rows = []
    for row, number in zip(table.rows, table.row_numbers):
        data = {attr: values.text(row[col]) for attr, col in heading.items()}
        if not data.get("code") or not data.get("name"):
            errors.add(number, "code", "Code en naam zijn verplicht.")
            continue
        if data.get("higher_is") not in (None, "beter", "slechter", "neutraal"):
            errors.add(number, "hoger_is", "Kies beter, slechter of neutraal.")
            continue
        rows.append(data)
    errors.raise_if_any()
    for data in rows:
        indicator = session.scalar(select(Indicator).where(Indicator.code == data["code"])) or Indicator()
        for attr, value in data.items():
            setattr(indicator, attr, value)
        session.add(indicator)
    session.flush()
    return len(rows)


def _find_columns(columns: list[str]) -> dict[str, str]:
    found = {}
    for attr, names in INDICATOR_VALUE_COLUMNS.items():
        for name in names:
            if name in columns:
                found[attr] = name
                break
    return found


def import_indicator_values(
    session: Session,
    source: str | Path | bytes,
    filename: str | None = None,
    *,
    default_source: str | None = None,
    illustrative: bool | None = None,
    progress=None,
) -> int:
    """Upsert values by (indicator, area, period). Unknown areas or indicators
    are row errors. Returns the number of values written. All-or-nothing."""
    table = read_table(source, filename)
    errors = RowCollector(filename or str(source))
    found = _find_columns(table.columns)
    for required in ("area_code", "indicator_code", "period", "value"):
        if required not in found:
            errors.add(None, INDICATOR_VALUE_COLUMNS[required][0], "Verplichte kolom ontbreekt.")
    errors.raise_if_any()
    areas = {a.code: a for a in session.scalars(select(Area))}
    indicators = {i.code: i for i in session.scalars(select(Indicator))}
    prepared = []
    seen = set()
    for row, number in zip(table.rows, table.row_numbers):
        get = lambda attr: row.get(found[attr]) if attr in found else None  # noqa: E731
        area = areas.get(values.text(get("area_code")) or "")
        indicator = indicators.get(values.text(get("indicator_code")) or "")
        if area is None:
            errors.add(number, found["area_code"], f"Onbekend gebied '{get('area_code')}'.")
        if indicator is None:
            errors.add(number, found["indicator_code"], f"Onbekende indicator '{get('indicator_code')}'.")
        period = values.text(get("period"))
        if not period:
            errors.add(number, found["period"], "Periode ontbreekt.")
        try:
            value = values.number(get("value"))
            if value is None:
                raise ValueError("Waarde ontbreekt.")
            comparison = values.number(get("comparison_value"))
            flag = values.boolean(get("illustrative"), default=False) if illustrative is None else illustrative
        except ValueError as exc:
            errors.add(number, None, str(exc))
            continue
        if area is None or indicator is None or not period:
            continue
        key = (indicator.id, area.id, period)
        if key in seen:
            errors.add(number, None, "Dubbele rij voor dit gebied, deze indicator en periode.")
            continue
        seen.add(key)
        prepared.append((key, value, values.text(get("source")) or default_source, flag,
                         comparison, values.text(get("comparison_label")), values.text(get("quote"))))
    errors.raise_if_any()
    existing = {
        (v.indicator_id, v.area_id, v.period): v for v in session.scalars(select(IndicatorValue))
    }
    for i, (key, value, source_text, flag, comparison, label, quote) in enumerate(prepared):
        item = existing.get(key) or IndicatorValue(indicator_id=key[0], area_id=key[1], period=key[2])
        item.value, item.source, item.illustrative = value, source_text, flag
        item.comparison_value, item.comparison_label = comparison, label
        if "quote" in found:
            item.quote = quote
        session.add(item)
        if progress:
            progress(i + 1, len(prepared))
    session.flush()
    return len(prepared)
