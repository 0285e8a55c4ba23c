"""app/write/imports/pipeline.py: the steps every importer shares, on both databases."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.models import BudgetLine, IndicatorValue
from app.write.imports import ImportFailed
from app.write.imports.errors import RowCollector
from app.write.imports.fiches import import_budget_lines
from app.write.imports.indicators import import_indicator_values
from app.write.imports.pipeline import Columns


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_columns_map_dutch_or_english_headers_and_name_what_is_missing():
    columns = Columns({"area_code": ("area_code", "gebied_code"), "value": ("value", "waarde")},
                      required=("area_code", "value"))
    errors = RowCollector("w.csv")
    assert columns.resolve(["gebied_code", "waarde"], errors) == {"area_code": "gebied_code", "value": "waarde"}
    assert not errors.errors
    columns.resolve(["gebied_code", "x"], errors)
    [missing] = errors.errors
    assert (missing.row, missing.column) == (None, "value")
    assert str(missing) == "Kolom 'value': Verplichte kolom ontbreekt. Beschikbaar: gebied_code, x."


def test_indicator_values_with_dutch_headers(scratch_session):
    data = "gebied_code;indicator_code;periode;waarde;illustratief\n1301101;bevolking;2031;5123,5;ja\n"
    written = import_indicator_values(scratch_session, data.encode(), filename="w.csv")
    assert written == 1
    value = scratch_session.scalar(select(IndicatorValue).where(IndicatorValue.period == "2031"))
    assert (value.value, value.illustrative) == (5123.5, True)


def test_every_problem_of_a_row_is_reported_and_nothing_written(scratch_session):
    before = count(scratch_session, BudgetLine)
    data = ("fiche_ref;jaar;soort;richting;bedrag_eur;basis\n"
            "HER-SO-05;1800;investering;uitgave;veel;raming\n"
            "ONBEKEND;2027;investering;uitgave;10;raming\n")
    with pytest.raises(ImportFailed) as caught:
        import_budget_lines(scratch_session, data.encode(), municipality="13011", filename="b.csv")
    reported = [(e.row, e.column) for e in caught.value.errors]
    assert reported == [(2, "jaar"), (2, "bedrag_eur"), (3, "fiche_ref")]  # one message per cell
    assert "Rij 2, kolom 'bedrag_eur': 'veel' is geen bedrag" in caught.value.summary()
    scratch_session.rollback()
    assert count(scratch_session, BudgetLine) == before


def test_duplicate_rows_are_found_across_the_file(scratch_session):
    data = ("area_code,indicator_code,period,value\n"
            "1301101,bevolking,2032,1\n1301102,bevolking,2032,2\n1301101,bevolking,2032,3\n")
    with pytest.raises(ImportFailed) as caught:
        import_indicator_values(scratch_session, data.encode(), filename="w.csv")
    assert [(e.row, e.message) for e in caught.value.errors] == [
        (4, "Dubbele rij voor dit gebied, deze indicator en periode.")]
