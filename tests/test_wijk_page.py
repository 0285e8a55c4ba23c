"""The wijk page /<slug>/wijken/<code> (both databases): the budget per year
is apportion_budget_to_wijken for that wijk, the fiches listed are those whose
place touches the wijk, the apportioning rule is explained, the indicators
stand beside the city average; drafts stay out; bad codes are a 404."""
from __future__ import annotations

import re
from html import unescape

import pytest
import shapely
from sqlalchemy import select

from staff_fixtures import db, fiche_by_ref

WIJKEN = ("1301101", "1301107", "1301105", "23027B1")


def wijk_url(code: str) -> str:
    return f"/{'halle' if code.startswith('23027') else 'herentals'}/wijken/{code}"


def year_values(html: str, table_id: str, column: str) -> dict[str, float]:
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S).group(0)
    out = {}
    for key, row in re.findall(r'<tr data-year="([^"]+)">(.*?)</tr>', table, re.S):
        match = re.search(rf'data-col="{column}" data-value="([^"]+)"', row)
        out[key] = float(match.group(1))
    return out


@pytest.mark.parametrize("code", WIJKEN)
def test_budget_per_year_is_the_apportionment_of_the_wijk(client, session, code):
    from app.models import Area
    from app.read.wijk_budgets import apportion_budget_to_wijken

    area = session.scalar(select(Area).where(Area.code == code))
    expected = next(w for w in apportion_budget_to_wijken(session, area.municipality).wijken if w.code == code)
    assert expected.by_year, f"demo data: wijk {code} should receive a budget"
    html = client.get(wijk_url(code)).text
    shown = year_values(html, "wijk-budget", "wijk")
    assert shown.pop("totaal") == pytest.approx(expected.amount_eur)
    assert {int(y): v for y, v in shown.items()} == pytest.approx(expected.by_year)
    assert 'data-chart-source="wijk-chart-data"' in html
    assert "illustratieve bedragen" in html


def test_the_wijk_budgets_add_up_to_the_city_expenses(client, session):
    """Independent of the apportioning code: the wijk pages together show
    every euro of expenses of the published, placed Herentals projects."""
    from app.models import Area, Municipality
    from app.read.queries import FicheFilters, select_fiches

    city = session.scalar(select(Municipality).where(Municipality.slug == "herentals"))
    codes = session.scalars(select(Area.code).where(Area.municipality_id == city.id, Area.level == "wijk")).all()
    total_shown = 0.0
    for code in codes:
        html = client.get(wijk_url(code)).text
        if 'id="wijk-budget"' in html:
            total_shown += year_values(html, "wijk-budget", "wijk")["totaal"]
    fiches = select_fiches(session, FicheFilters(municipality="herentals"))
    placed_expenses = sum(b.amount_eur for f in fiches if f.geom is not None for b in f.budget_lines
                          if b.direction == "uitgave")
    assert total_shown == pytest.approx(placed_expenses)


def test_fiches_listed_are_those_whose_place_touches_the_wijk(client, session):
    from app.models import Area
    from app.read.queries import FicheFilters, select_fiches
    from app.spatial import from_db

    for code in ("1301101", "1301107"):
        area = session.scalar(select(Area).where(Area.code == code))
        wijk_geom = from_db(area.geom)
        fiches = select_fiches(session, FicheFilters(municipality=area.municipality.nis_code))
        expected = {f.id for f in fiches if f.geom is not None and shapely.intersects(from_db(f.geom), wijk_geom)}
        html = client.get(wijk_url(code)).text
        listed = {int(i) for i in re.findall(r'<tr data-fiche="(\d+)">', html)}
        assert listed == expected and expected
        for fiche_id in expected:
            assert f'href="/{area.municipality.slug}/fiches/{fiche_id}"' in html


@pytest.mark.parametrize("code", ["1301106", "23027A1"])   # Noorderwijk, Sint-Rochus
def test_what_when_and_how_much_come_first(client, session, code):
    """The resident's question (what is planned in my wijk, when, for how much) is answered
    right after the map: the list of fiches, with their years, before the budget per year."""
    from app.models import Fiche
    from app.read.queries import fiche_years
    from layers.styles import format_years

    html = client.get(wijk_url(code)).text
    assert html.index('id="kaart"') < html.index('id="fiches"') < html.index('id="budget"')
    rows = re.findall(r'<tr data-fiche="(\d+)">(.*?)</tr>', html, re.S)
    assert rows
    for fiche_id, row in rows:
        years = format_years(*fiche_years(session.get(Fiche, int(fiche_id))))
        assert re.search(rf'<td data-label="Wanneer">{re.escape(years)}</td>', row), (fiche_id, years, row)
        assert "€" in row                                    # how much, for the wijk


def test_rule_is_explained_in_plain_dutch(client):
    text = unescape(client.get(wijk_url("1301101")).text)
    assert "Wat investeert de stad in mijn wijk?" in text
    assert "verdeeld volgens de lengte die in elke wijk ligt" in text
    assert "verdeeld volgens de oppervlakte die in elke wijk ligt" in text
    assert "gaat helemaal naar de wijk waarin dat punt ligt" in text
    assert "zonder ligging" in text and "stadsbreed" in text
    assert "Ontvangsten" in text and "niet van afgetrokken" in text


def test_indicators_stand_beside_the_city_average(client, session):
    from app.models import Area, Indicator, IndicatorValue

    code = "1301101"
    area = session.scalar(select(Area).where(Area.code == code))
    html = client.get(wijk_url(code)).text
    rows = dict(re.findall(r'<tr data-indicator="([^"]+)">(.*?)</tr>', html, re.S))
    own_values = session.execute(
        select(Indicator.code, IndicatorValue.value, IndicatorValue.period)
        .join(IndicatorValue).where(IndicatorValue.area_id == area.id)
    ).all()
    assert own_values and set(rows) == {c for c, _, _ in own_values}
    everyone = session.execute(
        select(Indicator.code, Area.code, IndicatorValue.value)
        .join(IndicatorValue, IndicatorValue.indicator_id == Indicator.id).join(Area, IndicatorValue.area_id == Area.id)
        .where(Area.municipality_id == area.municipality_id, Area.level == "wijk")
    ).all()
    population = {a: v for c, a, v in everyone if c == "bevolking"}
    for indicator, value, _period in own_values:
        shown = [float(v) for v in re.findall(r'data-value="([^"]+)"', rows[indicator])]
        assert shown[0] == pytest.approx(value)
        values = {a: v for c, a, v in everyone if c == indicator}
        if indicator == "bevolking":
            city = sum(values.values()) / len(values)
        else:
            city = sum(v * population[a] for a, v in values.items()) / sum(population[a] for a in values)
        assert shown[1] == pytest.approx(city), indicator
        assert "illustratief" in rows[indicator]
    assert "gewogen naar inwoners" in html and "Stadsgemiddelde" in html


def test_every_wijk_of_the_city_is_linked(client, session):
    from app.models import Area, Municipality

    city = session.scalar(select(Municipality).where(Municipality.slug == "herentals"))
    html = client.get(wijk_url("1301101")).text
    codes = session.scalars(select(Area.code).where(Area.municipality_id == city.id, Area.level == "wijk")).all()
    assert len(codes) == 10
    for code in codes:
        assert f'href="/herentals/wijken/{code}"' in html
    assert 'aria-current="page">Herentals Centrum' in html


def test_unknown_or_foreign_codes_are_404(client):
    assert client.get("/herentals/wijken/9999999").status_code == 404
    assert client.get("/herentals/wijken/23027B1").status_code == 404     # a Halle wijk under Herentals
    assert client.get("/herentals/wijken/13011").status_code == 404       # the city itself is no wijk
    response = client.get("/nergensdorp/wijken/1301101")
    assert response.status_code == 404 and "Niet gevonden" in response.text


def test_a_draft_is_neither_listed_nor_counted(scratch_app):
    from app.read.wijk_budgets import apportion_budget_to_wijken

    with db(scratch_app) as session:
        fiche = fiche_by_ref(session, "HER-SO-02")
        fiche.title = "Ontwerp zwembad QQQ"
        fiche.published = False
        session.commit()
        fiche_id = fiche.id
        expected = next(w for w in apportion_budget_to_wijken(session, fiche.municipality).wijken
                        if w.code == "1301107")
    html = scratch_app.test_client().get(wijk_url("1301107")).text
    assert "Ontwerp zwembad QQQ" not in html and f'data-fiche="{fiche_id}"' not in html
    assert year_values(html, "wijk-budget", "wijk")["totaal"] == pytest.approx(expected.amount_eur)
    assert fiche_id not in expected.fiche_ids
