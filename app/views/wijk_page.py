"""The wijk page: what the city invests in my wijk.

The budget per year is app.read.wijk_budgets.apportion_budget_to_wijken for this wijk
(the same figures as the comparison page and the budget-per-wijk map); the
page explains its rule (app.read.apportion) in words.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from flask import Blueprint, abort, render_template
from sqlalchemy.orm import Session

from layers import styles

from ..db import get_session
from ..http.page_cache import cached_page
from ..models import Area, Indicator, IndicatorValue, Municipality
from ..read.apportion import line_shares
from ..read.pages import area_indicator_codes
from ..read.queries import FicheFilters, fiche_years, latest_indicator_values
from ..read.rows import AreaRow, FicheRow, load_area_rows, load_fiche_rows
from ..read.wijk_budgets import apportion_budget_to_wijken, wijk_index_of
from ..static_map import wijk_print_map
from . import city_or_404, page_maps
from .page_parts import register_filters, yearly_chart

bp = Blueprint("wijk", __name__)
register_filters(bp)


@bp.get("/<slug>/wijken/<code>")
@cached_page
def page(slug: str, code: str):
    session = get_session()
    city = city_or_404(slug)
    wijken = load_area_rows(session, Area.municipality_id == city.id, Area.level == "wijk")
    wijk = next((w for w in wijken if w.code == code), None)
    if wijk is None:
        abort(404)

    city_fiches = load_fiche_rows(session, FicheFilters(municipality=city.nis_code))
    apportionment = apportion_budget_to_wijken(session, city, fiches=city_fiches, wijken=wijken)
    budget = next(b for b in apportionment.wijken if b.code == code)
    fiches = touching(wijk, city_fiches)
    fiche_rows = fiche_shares(wijk, wijken, fiches)
    return render_template(
        "wijk/page.html",
        city=city, wijk=wijk, wijken=wijken, budget=budget, apportionment=apportionment,
        years=sorted(budget.by_year),
        wijk_chart=yearly_chart(budget.by_year, f"Uitgaven toegerekend aan {wijk.name}, per jaar",
                           "Uitgaven in de wijk", budget.budget_illustrative) if budget.by_year else None,
        fiche_rows=fiche_rows,
        indicators=indicator_rows(session, city, wijk),
        map_parts=page_maps.wijk_map(wijk, [w for w in wijken if w.code != code], fiches),
        print_map=wijk_print_map(wijk.name, wijk.geom, [w.geom for w in wijken if w.code != code],
                                 [(f.geom, f.geometry_precision) for f in fiches]),
        status_label=styles.status_label, format_years=styles.format_years, fiche_years=fiche_years,
    )


def touching(wijk: AreaRow, fiches: list[FicheRow]) -> list[FicheRow]:
    """The fiches whose place intersects the wijk: the wijk filter's rule
    (fiche_conditions), applied to rows already loaded for the budget."""
    placed = [f for f in fiches if f.geom is not None]
    hits = shapely.intersects(wijk.geom, np.asarray([f.geom for f in placed], dtype=object)) if placed else []
    return [f for f, hit in zip(placed, hits) if hit]


@dataclass
class WijkFicheLine:
    fiche: FicheRow
    share: float                  # share of the fiche's place in this wijk (0 when it only touches it)
    amount_eur: float             # its expenses apportioned to this wijk, all years
    illustrative: bool


def fiche_shares(wijk: AreaRow, wijken: list[AreaRow], fiches: list[FicheRow]) -> list[WijkFicheLine]:
    """Each fiche touching the wijk, with the part of it (and of its
    expenses) that the apportioning rule gives this wijk."""
    index = wijk_index_of(wijken)
    rows = []
    for fiche, shares in zip(fiches, index.shares_many([f.geom for f in fiches]) if fiches else []):
        share = shares.get(wijk.code, 0.0)
        expenses = [ln for ln in fiche.budget_lines if ln.direction == "uitgave"]
        # each line by its most specific place (a phase's own place, else the fiche's)
        amount = sum(ln.amount_eur * s.get(wijk.code, 0.0)
                     for ln, s in zip(expenses, line_shares(index, fiche, expenses)))
        rows.append(WijkFicheLine(fiche, share, amount, any(ln.basis == "illustratief" for ln in expenses)))
    return sorted(rows, key=lambda r: (-r.amount_eur, -r.share, r.fiche.id))


@dataclass
class IndicatorRow:
    indicator: Indicator
    value: IndicatorValue
    city_value: float | None      # population-weighted mean over the city's wijken
    city_basis: str               # how city_value was made, in Dutch
    city_illustrative: bool       # an illustrative value (or weight) went into city_value
    decimals: int                 # as many as the wijken's values need
    city_figure: IndicatorValue | None = None   # the REAL city-level figure of the source, when there is one


def indicator_rows(session: Session, city: Municipality, wijk: AreaRow) -> list[IndicatorRow]:
    """The wijk's indicators (latest period each) beside the city average."""
    codes = area_indicator_codes(session, wijk.id)
    population = latest_indicator_values(session, city, "bevolking")
    rows = []
    for code in codes:
        values = latest_indicator_values(session, city, code)
        own = values.get(wijk.code)
        if own is None:
            continue
        same_period = {c: v for c, v in values.items() if v.period == own.period}
        average, basis = city_average(code, same_period, population)
        illustrative = any(v.illustrative for v in same_period.values()) or (
            code != "bevolking" and any(population[c].illustrative for c in same_period if c in population))
        decimals = min(1, styles.decimals_for([v.value for v in same_period.values()]))
        rows.append(IndicatorRow(own.indicator, own, average, basis, illustrative, decimals,
                                 real_city_figure(session, city, own.indicator)))
    order = {"bevolking": 0}
    return sorted(rows, key=lambda r: (order.get(r.indicator.code, 1), r.indicator.name))


def real_city_figure(session: Session, city: Municipality, indicator: Indicator) -> IndicatorValue | None:
    """The city-level value a source gives for the same thing (the indicator
    itself, or the one its `city_indicator_code` names), never an illustrative one."""
    code = indicator.city_indicator_code or indicator.code
    value = latest_indicator_values(session, city, code, level="gemeente").get(city.nis_code)
    return value if value is not None and not value.illustrative else None


def city_average(code: str, values: dict[str, IndicatorValue],
                 population: dict[str, IndicatorValue]) -> tuple[float | None, str]:
    """The city figure to set a wijk's value against: for the population the
    mean per wijk; for shares and rates the mean weighted by inhabitants (so
    the result is the city's own share), falling back to the plain mean when a
    wijk's population is missing."""
    if not values:
        return None, ""
    n = len(values)
    if code == "bevolking":
        return sum(v.value for v in values.values()) / n, f"gemiddelde per wijk ({n} wijken)"
    weights = {c: population[c].value for c in values if c in population and population[c].value}
    if len(weights) == n:
        total = sum(weights.values())
        return sum(v.value * weights[c] for c, v in values.items()) / total, \
            f"gemiddelde van {n} wijken, gewogen naar inwoners"
    return sum(v.value for v in values.values()) / n, f"gemiddelde van {n} wijken"
