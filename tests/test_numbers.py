"""Amounts and measures as Flemish people type them (app/numbers.py): one
table of inputs, pushed through the staff form, the CSV and XLSX importers
(text cells and number cells) and the CLI, on both databases. Nothing is
ever stored divided by 1000; an ambiguous input gets a Dutch question."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from app.numbers import format_amount, parse_amount, parse_measure, whole_number
from staff_fixtures import *  # noqa: F401,F403
from staff_fixtures import db, fiche_by_ref, fill, login, page_form

AMOUNTS = [
    ("250.000", 250000), ("250.000,00", 250000), ("1.250.000,50", 1250000.5), ("250000", 250000),
    ("1.234", 1234), ("€ 250.000", 250000), ("250.000 EUR", 250000), ("250 000", 250000),
    ("250\u202f000,5", 250000.5), ("-1.500", -1500), ("1,5", 1.5), ("99,99", 99.99), ("0", 0),
    ("2200000.00", 2200000), ("250.5", 250.5), ("1234.50", 1234.5),
]
AMBIGUOUS_AMOUNTS = ["250,000", "1234.567", "1.2345", "1,250,000.50", "1,250,000"]
NOT_AMOUNTS = ["veel", "nan", "inf", "1e6", "12.34.567", "250,123,4", "--5", "250.000,505"]


@pytest.mark.parametrize("text,expected", AMOUNTS)
def test_amounts(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize("text", AMBIGUOUS_AMOUNTS)
def test_ambiguous_amounts_get_a_question(text):
    with pytest.raises(ValueError) as refused:
        parse_amount(text)
    assert "dubbelzinnig" in str(refused.value) and "?" in str(refused.value)


def test_the_question_names_both_readings():
    with pytest.raises(ValueError, match=r"bedoel je 250\.000 € .* of 250 € "):
        parse_amount("250,000")
    with pytest.raises(ValueError, match=r"Bedoel je 1\.250\.000,50\?"):
        parse_amount("1,250,000.50")


@pytest.mark.parametrize("text", NOT_AMOUNTS)
def test_not_amounts(text):
    with pytest.raises(ValueError):
        parse_amount(text)


@pytest.mark.parametrize("text,expected", [
    ("1,5", 1.5), ("14,4", 14.4), ("0,125", 0.125), ("14.4", 14.4), ("1234.5", 1234.5), ("0.5", 0.5),
    ("1.234.567", 1234567), ("1.234,5", 1234.5), ("1 116", 1116), ("", None), (None, None),
    (12.5, 12.5), (3, 3.0),
])
def test_measures(text, expected):
    assert parse_measure(text) == expected


@pytest.mark.parametrize("text", ["1.234", "1,234,567", "1,234.5", "nan", "abc"])
def test_measures_refused(text):
    with pytest.raises(ValueError):
        parse_measure(text)


def test_numbers_given_as_numbers_are_taken_as_they_are():
    assert parse_amount(250000.0) == 250000 and parse_amount(1250000.5) == 1250000.5
    assert parse_amount(float("nan")) is None
    with pytest.raises(ValueError):
        parse_amount(True)


def test_format_amount_reads_back_unchanged():
    for value in (250000, 1250000.5, 0.5, 1234):
        shown = format_amount(value)
        assert parse_amount(shown) == value
    assert format_amount(250000) == "250.000 €" and format_amount(1250000.5) == "1.250.000,50 €"


@pytest.mark.parametrize("text,expected", [
    ("5", 5), ("0", 0), ("²", None), ("1" * 20, None), ("12a", None), ("", None), (None, None), (" 7 ", 7),
    ("٣", None), ("-1", None),
])
def test_whole_number(text, expected):
    assert whole_number(text) == expected


# Through the staff form, the importers and the CLI ---------------------------------

BUDGET_HEADER = ["fiche_ref", "jaar", "soort", "richting", "bedrag_eur", "basis"]


def _stored_amounts(app, ref="HER-SO-05"):
    from app.models import BudgetLine, Fiche

    with db(app) as session:
        fiche = session.scalar(select(Fiche).where(Fiche.ref == ref))
        return sorted(session.scalars(select(BudgetLine.amount_eur).where(BudgetLine.fiche_id == fiche.id)))


def _csv(texts) -> bytes:
    lines = [";".join(BUDGET_HEADER)] + [f"HER-SO-05;{2026 + i};investering;uitgave;{t};raming"
                                          for i, t in enumerate(texts)]
    return ("\n".join(lines) + "\n").encode()


def _xlsx(cells) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(BUDGET_HEADER)
    for i, cell in enumerate(cells):
        sheet.append(["HER-SO-05", 2026 + i, "investering", "uitgave", cell, "raming"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


TYPED = ["250.000", "250.000,00", "1.250.000,50", "250000"]
MEANT = sorted([250000.0, 250000.0, 1250000.5, 250000.0])


def test_cli_csv_and_xlsx_store_what_was_meant(scratch_app, tmp_path):
    runner = scratch_app.test_cli_runner()
    for name, data in (("b.csv", _csv(TYPED)), ("b.xlsx", _xlsx(TYPED)), ("n.xlsx", _xlsx(MEANT))):
        path = tmp_path / name
        path.write_bytes(data)
        result = runner.invoke(args=["import", "budget", str(path), "--municipality", "13011"])
        assert result.exit_code == 0, result.output
        assert _stored_amounts(scratch_app) == MEANT, name


@pytest.mark.parametrize("make", [_csv, _xlsx], ids=["csv", "xlsx"])
def test_cli_refuses_an_ambiguous_amount_and_writes_nothing(scratch_app, tmp_path, make):
    before = _stored_amounts(scratch_app)
    path = tmp_path / ("b.csv" if make is _csv else "b.xlsx")
    path.write_bytes(make(["250.000", "250,000"]))
    result = scratch_app.test_cli_runner().invoke(args=["import", "budget", str(path), "--municipality", "13011"])
    assert result.exit_code != 0
    assert "dubbelzinnig" in result.output and "250,000" in result.output
    assert _stored_amounts(scratch_app) == before


def test_staff_form_stores_what_was_meant_and_shows_it(scratch_app, staff):
    client = scratch_app.test_client()
    assert login(client, staff.redacteur).status_code == 302
    values = page_form(client, "/beheer/herentals/fiches/nieuw")
    fill(values, {"ref": "HER-BEDRAG-1", "titel": "Bedragen", "status": "gepland"})
    for i, text in enumerate(TYPED):
        fill(values, {f"budget-{i}-jaar": str(2026 + i), f"budget-{i}-soort": "investering",
                      f"budget-{i}-richting": "uitgave", f"budget-{i}-bedrag_eur": text, f"budget-{i}-basis": "raming"})
    saved = client.post("/beheer/herentals/fiches/nieuw", data=values)
    assert saved.status_code == 302, saved.text
    assert _stored_amounts(scratch_app, "HER-BEDRAG-1") == MEANT
    page = client.get(saved.headers["Location"]).text
    assert 'value="1.250.000,50"' in page and "= 1.250.000,50 €" in page and "= 250.000 €" in page
    # Saving the form as shown again changes nothing (the display reads back).
    again = client.post(saved.headers["Location"], data=page_form(client, saved.headers["Location"]))
    assert again.status_code == 302
    assert _stored_amounts(scratch_app, "HER-BEDRAG-1") == MEANT


def test_staff_form_asks_about_an_ambiguous_amount(scratch_app, staff):
    client = scratch_app.test_client()
    assert login(client, staff.redacteur).status_code == 302
    values = page_form(client, "/beheer/herentals/fiches/nieuw")
    fill(values, {"ref": "HER-BEDRAG-2", "titel": "Bedragen", "budget-0-jaar": "2026", "budget-0-soort": "investering",
                  "budget-0-richting": "uitgave", "budget-0-bedrag_eur": "250,000", "budget-0-basis": "raming"})
    refused = client.post("/beheer/herentals/fiches/nieuw", data=values)
    assert refused.status_code == 422
    assert "dubbelzinnig" in refused.text and 'value="250,000"' in refused.text
    with db(scratch_app) as session:
        assert fiche_by_ref(session, "HER-BEDRAG-2") is None


def test_amount_preview_endpoint(scratch_app, staff):
    client = scratch_app.test_client()
    assert client.get("/beheer/bedrag?waarde=250.000").status_code == 302  # login first
    assert login(client, staff.lezer).status_code == 302
    assert client.get("/beheer/bedrag?waarde=250.000").json == {"bedrag": "250.000 €"}
    assert "dubbelzinnig" in client.get("/beheer/bedrag?waarde=250,000").json["fout"]
