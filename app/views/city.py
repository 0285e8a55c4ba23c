"""The city map page: every layer, filters in the URL, and a list view of the same selection.

GET /<slug>?sector=&status=&sdg=&obligation=&year=&wijk=&q=   (FicheFilters.from_args)
            &kleur=sector|status &indicator=<code> &klassen=<scheme> &budget=totaal|per_inwoner
A value that does not parse or is unknown is ignored and named in a Dutch notice.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flask import Blueprint, render_template, request
from sqlalchemy import func, select

from layers import styles

from ..db import get_session
from ..models import BudgetLine, Fiche, Municipality, Phase, Plan
from ..http.page_cache import cached_page
from ..read.queries import (
    PROJECT_KINDS, FicheFilters, budget_is_illustrative, budget_total, fiche_years,
    phases_active_in_year, select_areas, select_fiches, wijk_index_of, wijk_indicators,
)
from ..spatial import from_db
from .city_map import MapOptions, build_city_map, single_year
from .city_figures import as_given, key_figures
from . import city_or_404

bp = Blueprint("city", __name__)

# Above this many fiches in the selection the page embeds the list only: a map
# of thousands of features in the HTML is megabytes a phone must parse. A
# region-scale map fetches features by bbox from the feature endpoints instead.
MAX_EMBEDDED_FICHES = 2000

COLOUR_BY = {"sector": "sector", "status": "status"}
SCHEMES = {"quantiles": "quantiles", "kwantielen": "quantiles",
           "natural_breaks": "natural_breaks", "natuurlijke_breuken": "natural_breaks", "jenks": "natural_breaks",
           "equal_interval": "equal_interval", "gelijke_intervallen": "equal_interval"}
BUDGET_MEASURES = {"totaal": "amount_eur", "per_inwoner": "eur_per_inhabitant"}
NUMBER_ARGS = {"year": "jaar", "year_from": "vanaf jaar", "year_to": "tot jaar", "sdg": "SDG"}


@dataclass
class FicheRow:
    """One line of the list view: what the map's popup says, plus the wijken."""
    fiche: Fiche
    years: str
    budget: float | None
    budget_illustrative: bool
    wijken: list = field(default_factory=list)          # Area rows the fiche's place touches
    active_phases: list = field(default_factory=list)   # phases running in the filtered year


def parse_map_options(args, indicators) -> tuple[MapOptions, list[str]]:
    """MapOptions from the URL, and a Dutch notice per value that was ignored."""
    notices = []

    def choose(name, table, default, what):
        raw = (args.get(name) or "").strip()
        if raw and raw.lower() not in table:
            notices.append(f"Onbekende {what} ‘{raw[:60]}’ genegeerd.")
        return table.get(raw.lower(), default)

    colour_by = choose("kleur", COLOUR_BY, "sector", "kleuring")
    scheme = choose("klassen", SCHEMES, "quantiles", "klassenindeling")
    measure = choose("budget", BUDGET_MEASURES, "amount_eur", "budgetweergave")
    by_code = {i.code: i for i in indicators}
    asked = (args.get("indicator") or "").strip()
    if asked and asked not in by_code:
        notices.append(f"Onbekende indicator ‘{asked[:60]}’ genegeerd.")
    indicator = by_code.get(asked) or (indicators[0] if indicators else None)
    show_budget = (args.get("budget") or "").strip().lower() in BUDGET_MEASURES
    return MapOptions(colour_by=colour_by, indicator=indicator, show_indicator=asked in by_code, scheme=scheme,
                      budget_measure=measure, show_budget=show_budget), notices


def number_notices(args, filters: FicheFilters) -> list[str]:
    parsed = {"year": filters.year_from, "year_from": filters.year_from, "year_to": filters.year_to,
              "sdg": filters.sdg}
    return [f"‘{args.get(name)[:20]}’ is geen geldig {label} en werd genegeerd."
            for name, label in NUMBER_ARGS.items() if (args.get(name) or "").strip() and parsed[name] is None]


def fiche_rows(session, city: Municipality, fiches: list[Fiche], wijken, filters: FicheFilters) -> list[FicheRow]:
    """The list view's rows; the year's phases use the slider's rule (phases_active_in_year)."""
    index = wijk_index_of(wijken)
    by_code = {a.code: a for a in wijken}
    year = single_year(filters)
    active = defaultdict(list)
    if year is not None:
        for phase in phases_active_in_year(session, filters, year):
            active[phase.fiche_id].append(phase)
    rows = []
    for fiche in fiches:
        geom = from_db(fiche.geom)
        # Every wijk the place intersects, as the wijk filter does (not only those with a budget share).
        touched = sorted({index.codes[i] for i in index.tree.query(geom, predicate="intersects")}) if geom else []
        rows.append(FicheRow(
            fiche=fiche, years=styles.format_years(*fiche_years(fiche)),
            budget=budget_total(fiche) if fiche.budget_lines else None,
            budget_illustrative=budget_is_illustrative(fiche),
            wijken=[by_code[c] for c in touched], active_phases=active.get(fiche.id, []),
        ))
    return rows


def filter_choices(session, city: Municipality) -> dict[str, list]:
    """The values the filter form offers: those the city's published projects use."""
    def distinct(column):
        return [v for v in session.scalars(
            select(column).distinct().where(Fiche.municipality_id == city.id, Fiche.published.is_(True),
                                            Fiche.kind.in_(PROJECT_KINDS), column.is_not(None)).order_by(column)
        ) if v]
    published = (Fiche.municipality_id == city.id, Fiche.published.is_(True), Fiche.kind.in_(PROJECT_KINDS))
    first_phase, last_phase = session.execute(
        select(func.min(Phase.start), func.max(Phase.end)).join(Fiche, Phase.fiche_id == Fiche.id).where(*published)
    ).one()
    first_budget, last_budget = session.execute(
        select(func.min(BudgetLine.year), func.max(BudgetLine.year))
        .join(Fiche, BudgetLine.fiche_id == Fiche.id).where(*published)
    ).one()
    firsts = [y for y in (first_phase and first_phase.year, first_budget) if y]
    lasts = [y for y in (last_phase and last_phase.year, last_budget) if y]
    years = list(range(min(firsts), max(lasts) + 1)) if firsts and lasts else []
    return {"sectors": distinct(Fiche.sector), "statuses": distinct(Fiche.status), "years": years}


@bp.get("/<slug>")
@cached_page
def map(slug: str):
    session = get_session()
    city = city_or_404(slug)
    filters = FicheFilters.from_args(request.args, municipality=city.nis_code)
    indicators = wijk_indicators(session, city)
    options, notices = parse_map_options(request.args, indicators)
    notices += number_notices(request.args, filters)
    wijken = select_areas(session, city, "wijk")
    if filters.wijk and filters.wijk not in {a.code for a in wijken}:
        notices.append(f"Onbekende wijk ‘{filters.wijk[:60]}’: geen projecten.")
    fiches = select_fiches(session, filters)
    rows = fiche_rows(session, city, fiches, wijken, filters)
    too_many = len(fiches) > MAX_EMBEDDED_FICHES
    map_parts, layer_names = None, {}
    if not too_many:
        map_parts, layer_names = build_city_map(session, city, fiches, filters, options, wijken)
    plan = session.scalar(select(Plan).where(Plan.municipality_id == city.id).order_by(Plan.id).limit(1))
    return render_template(
        "city/map.html", city=city, plan=plan, filters=filters, filter_args=filters.as_query_args(),
        year=single_year(filters), options=options, indicators=indicators, notices=notices, rows=rows,
        wijken=wijken, choices=filter_choices(session, city), map_parts=map_parts, layer_names=layer_names,
        too_many=too_many, max_embedded=MAX_EMBEDDED_FICHES, styles=styles,
        key_figures=key_figures(session, city), as_given=as_given,   # the "<Stad> in cijfers" block
        any_illustrative=any(r.budget_illustrative for r in rows)
        or any(p.illustrative for f in fiches for p in f.phases),
    )
