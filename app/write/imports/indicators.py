"""Indicator definitions and long-format indicator values
(area_code, indicator_code, period, value [, source, illustrative, comparison]),
through the import pipeline (pipeline.py)."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...columns import INDICATOR_COLUMNS, INDICATOR_VALUE_COLUMNS
from ...models import Area, Indicator, IndicatorValue
from . import values
from .errors import RowCollector
from .pipeline import Check, Columns, Pipeline, Progress, Row, report_progress

HIGHER_IS = ("beter", "slechter", "neutraal")
DEFINITION_COLUMNS = Columns(INDICATOR_COLUMNS, required=("code", "name"))
VALUE_COLUMNS = Columns(INDICATOR_VALUE_COLUMNS, required=("area_code", "indicator_code", "period", "value"))


def import_indicator_definitions(session: Session, source: str | Path | bytes, filename: str | None = None) -> int:
    """Upsert indicators by code. Returns the number written. All-or-nothing."""

    def check_row(row: Row, check: Check) -> dict | None:
        data = {attr: values.text(row.raw(attr)) for attr in INDICATOR_COLUMNS if row.has(attr)}
        if not data.get("code") or not data.get("name"):
            check.fail("code", "Code en naam zijn verplicht.")
        elif data.get("higher_is") not in (None, *HIGHER_IS):
            check.fail("higher_is", "Kies beter, slechter of neutraal.")
        return data

    def write(rows: list[dict], progress: Progress) -> int:
        for data in rows:
            indicator = session.scalar(select(Indicator).where(Indicator.code == data["code"])) or Indicator()
            for attr, value in data.items():
                setattr(indicator, attr, value)
            session.add(indicator)
        session.flush()
        return len(rows)

    return Pipeline(DEFINITION_COLUMNS, check_row, write).run(source, filename=filename)


def import_indicator_values(
    session: Session,
    source: str | Path | bytes,
    filename: str | None = None,
    *,
    default_source: str | None = None,
    illustrative: bool | None = None,
    progress: Progress = None,
) -> int:
    """Upsert values by (indicator, area, period). Unknown areas or indicators
    are row errors. Returns the number of values written. All-or-nothing."""
    areas = {a.code: a for a in session.scalars(select(Area))}
    indicators = {i.code: i for i in session.scalars(select(Indicator))}

    def check_row(row: Row, check: Check) -> dict | None:
        area = areas.get(values.text(row.raw("area_code")) or "")
        indicator = indicators.get(values.text(row.raw("indicator_code")) or "")
        if area is None:
            check.fail("area_code", f"Onbekend gebied '{row.raw('area_code')}'.")
        if indicator is None:
            check.fail("indicator_code", f"Onbekende indicator '{row.raw('indicator_code')}'.")
        period = check.required("period", values.text(row.raw("period")), "Periode ontbreekt.")
        try:
            value = values.number(row.raw("value"))
            if value is None:
                raise ValueError("Waarde ontbreekt.")
            comparison = values.number(row.raw("comparison_value"))
            flag = values.boolean(row.raw("illustrative"), default=False) if illustrative is None else illustrative
        except ValueError as exc:
            check.fail(None, str(exc))
            return None
        if area is None or indicator is None or period is None:
            return None
        return {"key": (indicator.id, area.id, period), "value": value, "illustrative": flag,
                "source": values.text(row.raw("source")) or default_source,
                "comparison_value": comparison, "comparison_label": values.text(row.raw("comparison_label")),
                "quote": values.text(row.raw("quote")), "has_quote": row.has("quote")}

    def no_duplicates(items: list[tuple[Row, dict]], errors: RowCollector) -> None:
        seen = set()
        for row, item in items:
            if item["key"] in seen:
                errors.add(row.number, None, "Dubbele rij voor dit gebied, deze indicator en periode.")
            seen.add(item["key"])

    def write(items: list[dict], progress: Progress) -> int:
        existing = {(v.indicator_id, v.area_id, v.period): v for v in session.scalars(select(IndicatorValue))}
        for i, item in enumerate(items):
            key = item["key"]
            value = existing.get(key) or IndicatorValue(indicator_id=key[0], area_id=key[1], period=key[2])
            for attr in ("value", "source", "illustrative", "comparison_value", "comparison_label"):
                setattr(value, attr, item[attr])
            if item["has_quote"]:  # the source's exact words, kept when a file has no such column
                value.quote = item["quote"]
            session.add(value)
            report_progress(progress, i + 1, len(items))
        session.flush()
        return len(items)

    return Pipeline(VALUE_COLUMNS, check_row, write, no_duplicates).run(source, filename=filename, progress=progress)
