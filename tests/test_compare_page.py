"""The comparison page /<slug>/vergelijken and its CSV, on both databases:
the numbers are those of apportion_budget_to_wijken and the indicator values
in the database, the CSV holds the same rows, bad arguments never give a 500."""
from __future__ import annotations

import csv
import html as html_lib
import io
import json
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from staff_fixtures import db

from app.models import Area, Fiche, Indicator
from app.read.queries import FicheFilters, find_municipality, latest_indicator_values
from app.read.wijk_budgets import apportion_budget_to_wijken
from layers import styles

CSV_HEADERS = ["wijk", "wijkcode", "inwoners", "budget_eur", "eur_per_inwoner", "indicatorwaarde", "indicator",
               "eenheid", "periode_budget", "periode_indicator", "bron_indicator", "illustratief"]


class TableRows(HTMLParser):
    """{wijk code: [cell texts]} of the rows <tr data-code=...> of a page."""

    def __init__(self):
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self._code = None
        self._cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and "data-code" in attrs:
            self._code = attrs["data-code"]
            self.rows[self._code] = []
        elif tag in ("td", "th") and self._code:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._code and self._cell is not None:
            self.rows[self._code].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr":
            self._code = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def table_rows(html: str) -> dict[str, list[str]]:
    parser = TableRows()
    parser.feed(html)
    return parser.rows


def read_csv(response) -> list[dict]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode("utf-8")), "UTF-8 with BOM, as app/exports writes CSV"
    reader = csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline=""), delimiter=";")
    header, *rows = list(reader)
    assert header == CSV_HEADERS
    return [dict(zip(header, row)) for row in rows]


def number(text: str) -> float | None:
    return None if text == "" else float(text.replace(",", "."))


def expected(app, slug: str, indicator: str, year: int | None):
    with db(app) as session:
        city = find_municipality(session, slug)
        apportionment = apportion_budget_to_wijken(session, city, FicheFilters(), year=year)
        values = {code: (v.value, v.illustrative) for code, v in
                  latest_indicator_values(session, city, indicator).items()}
        return apportionment, values


@pytest.mark.parametrize("slug", ["herentals", "halle"])
@pytest.mark.parametrize("year", [None, 2027])
def test_table_and_csv_hold_the_apportioned_budget_and_the_indicator_values(app, client, slug, year):
    args = {"indicator": "kinderarmoede", "measure": "eur_per_inhabitant"}
    if year:
        args["year"] = str(year)
    apportionment, values = expected(app, slug, "kinderarmoede", year)
    assert sum(w.amount_eur for w in apportionment.wijken) > 0

    page = client.get(f"/{slug}/vergelijken", query_string=args)
    assert page.status_code == 200
    rows = table_rows(page.get_data(as_text=True))
    assert list(rows) == [w.code for w in apportionment.wijken]
    for wb in apportionment.wijken:
        cells = rows[wb.code]
        assert cells[0] == wb.name
        assert cells[1] == styles.format_number(wb.population)
        # Illustrative amounts are rounded on the page ("± 2,1 miljoen €"); the CSV keeps them exact.
        approx = wb.illustrative or values[wb.code][1]
        assert cells[2].replace("\u00a0", " ") == styles.format_eur_shown(wb.amount_eur, approx)
        assert cells[3].replace("\u00a0", " ") == styles.format_eur_shown(wb.eur_per_inhabitant, approx)
        value = values[wb.code][0]
        assert cells[4] == styles.format_value(value, "%", 0 if value.is_integer() else 1)

    records = read_csv(client.get(f"/{slug}/vergelijken.csv", query_string=args))
    assert [r["wijkcode"] for r in records] == list(rows), "the CSV has the table's rows, in its order"
    for wb, record in zip(apportionment.wijken, records):
        assert record["wijk"] == wb.name
        assert number(record["budget_eur"]) == pytest.approx(wb.amount_eur, abs=0.005)
        assert number(record["eur_per_inwoner"]) == pytest.approx(wb.eur_per_inhabitant, abs=0.005)
        assert number(record["inwoners"]) == wb.population
        assert number(record["indicatorwaarde"]) == values[wb.code][0]
        assert record["indicator"] == "Kinderarmoede" and record["eenheid"] == "%"
        assert record["periode_budget"] == (str(year) if year else record["periode_budget"])
        assert record["illustratief"] == ("ja" if wb.illustrative or values[wb.code][1] else "nee")


def test_changing_indicator_or_period_changes_the_table(client):
    def cells(**args):
        return table_rows(client.get("/herentals/vergelijken", query_string=args).get_data(as_text=True))

    poverty, population = cells(indicator="kinderarmoede"), cells(indicator="bevolking")
    assert [r[4] for r in poverty.values()] != [r[4] for r in population.values()]
    assert [r[2] for r in poverty.values()] == [r[2] for r in population.values()], "same budget"
    whole, one_year = cells(), cells(year="2027")
    assert [r[2] for r in whole.values()] != [r[2] for r in one_year.values()]
    assert all("budget: 2027;" in r[5] for r in one_year.values())


def test_measure_switches_the_chart_axis_and_the_budget_map(client):
    per_head = client.get("/herentals/vergelijken?measure=eur_per_inhabitant").get_data(as_text=True)
    total = client.get("/herentals/vergelijken?measure=amount_eur").get_data(as_text=True)
    assert 'data-x-unit="€/inwoner"' in per_head and 'data-x-unit="€"' in total
    assert "Budget per inwoner" in per_head and "Budget per wijk" in total  # the budget legend titles


def test_illustrative_figures_are_marked_on_page_maps_chart_and_csv(client):
    html = client.get("/herentals/vergelijken").get_data(as_text=True)
    assert "Illustratieve cijfers." in html
    scripts = re.findall(r"<script nonce=[^>]*>(.*?)</script>", html, re.S)
    map_scripts = [s for s in scripts if "L.map(" in s]
    assert len(map_scripts) == 2
    assert all("Illustratieve cijfers" in s for s in map_scripts), "both map legends say so"
    assert re.search(r'data-x-title="[^"]*\(illustratief\)"', html)
    assert re.search(r'data-y-title="[^"]*\(illustratief\)"', html)
    assert "(illustratieve cijfers)</caption>" in html
    records = read_csv(client.get("/herentals/vergelijken.csv"))
    assert {r["illustratief"] for r in records} == {"ja"}


def test_two_synced_maps_share_one_set_of_assets(client):
    html = client.get("/herentals/vergelijken").get_data(as_text=True)
    names = re.search(r'data-sync-maps="(map_\w+) (map_\w+)"', html)
    assert names and names.group(1) != names.group(2)
    for name in names.groups():
        assert f'id="{name}"' in html
    assert html.count('src="/static/vendor/leaflet/dist/leaflet.js"') == 1
    assert html.count('src="/static/vendor/leaflet.sync/L.Map.Sync.js"') == 1
    assert html.count('id="fk-hatch"') == 1
    assert "https://cdn" not in html and "unpkg.com" not in html


def test_scatter_points_are_one_per_wijk_with_a_value(client, app):
    html = client.get("/herentals/vergelijken?indicator=groen_per_inwoner&measure=amount_eur").get_data(as_text=True)
    raw = re.search(r"data-points='([^']*)'", html).group(1)
    points = json.loads(html_lib.unescape(raw))
    apportionment, values = expected(app, "herentals", "groen_per_inwoner", None)
    assert sorted(p["label"] for p in points) == sorted(w.name for w in apportionment.wijken if w.code in values)
    by_name = {w.name: w for w in apportionment.wijken}
    for p in points:
        assert p["x"] == pytest.approx(by_name[p["label"]].amount_eur)


BAD_ARGS = [
    {"indicator": "bestaat_niet"}, {"indicator": "=1+1"}, {"year": "abc"}, {"year": "1999"}, {"year": "²"},
    {"year": "9" * 5000}, {"year": "-2027"}, {"measure": "<script>"}, {"scheme": "kmeans"},
    {"indicator": "x" * 5000, "year": "\x00"}, {"indicator": "investeringen"},  # a city-level indicator only
]


@pytest.mark.parametrize("args", BAD_ARGS)
def test_bad_arguments_fall_back_with_a_dutch_notice(client, args):
    response = client.get("/herentals/vergelijken", query_string=args)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'class="flash flash-error" role="status"' in html
    assert "we tonen" in html
    assert "<script>" not in html.split("<main", 1)[1].split("</main>")[0]
    assert len(table_rows(html)) == 10
    csv_response = client.get("/herentals/vergelijken.csv", query_string=args)
    assert len(read_csv(csv_response)) == 10


def test_unknown_city_is_a_dutch_404(client):
    for path in ("/nergens/vergelijken", "/nergens/vergelijken.csv"):
        response = client.get(path)
        assert response.status_code == 404
        assert "Niet gevonden" in response.get_data(as_text=True)


def test_csv_file_name_has_city_indicator_period_and_date(client):
    response = client.get("/halle/vergelijken.csv?indicator=aandeel_65plus&year=2026")
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(r'attachment; filename="fichekaart_halle_vergelijking_aandeel_65plus_2026_'
                        r'\d{4}-\d{2}-\d{2}\.csv"', disposition)


def test_formula_and_markup_in_names_are_neutralised_and_escaped(scratch_app):
    with db(scratch_app) as session:
        wijk = session.scalar(select(Area).where(Area.code == "1301101"))
        wijk.name = '=HYPERLINK("http://example.org","klik")'
        other = session.scalar(select(Area).where(Area.code == "1301102"))
        other.name = "<img src=x onerror=alert(1)>"
        indicator = session.scalar(select(Indicator).where(Indicator.code == "kinderarmoede"))
        indicator.name = "@SUM(1+1)"
        session.commit()
    client = scratch_app.test_client()
    records = {r["wijkcode"]: r for r in read_csv(client.get("/herentals/vergelijken.csv"))}
    assert records["1301101"]["wijk"] == '\'=HYPERLINK("http://example.org","klik")'
    assert {r["indicator"] for r in records.values()} == {"'@SUM(1+1)"}
    html = client.get("/herentals/vergelijken").get_data(as_text=True)
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_drafts_never_count(scratch_app):
    client = scratch_app.test_client()

    def csv_total():
        records = read_csv(client.get("/herentals/vergelijken.csv"))
        return sum(number(r["budget_eur"]) for r in records)

    before = csv_total()
    with db(scratch_app) as session:
        city = find_municipality(session, "herentals")
        placed = apportion_budget_to_wijken(session, city)
        fiche_id = min(fid for w in placed.wijken for fid in w.fiche_ids)
        fiche = session.get(Fiche, fiche_id)
        expense = sum(ln.amount_eur for ln in fiche.budget_lines if ln.direction == "uitgave")
        assert expense > 0
        fiche.published = False
        session.commit()
    after = csv_total()
    assert after == pytest.approx(before - expense, abs=0.1)
    with db(scratch_app) as session:
        city = find_municipality(session, "herentals")
        assert all(fiche_id not in w.fiche_ids for w in apportion_budget_to_wijken(session, city).wijken)
