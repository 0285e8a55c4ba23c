"""The small selections the public pages ask for, by name (the views run no
SQL of their own): a city's plan and filter choices, the cities on the home
page, the region's counts, a fiche's dependents, a wijk's indicators.

"Published project of this city" is always fiche_conditions of FicheFilters
(app.read.queries), never spelled out again here."""
from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, contains_eager, selectinload

from ..models import (
    Area,
    BudgetLine,
    CitySettings,
    Dependency,
    Fiche,
    Indicator,
    IndicatorValue,
    Municipality,
    Phase,
    Plan,
)
from .queries import FicheFilters, fiche_conditions


def unlisted_ids(session: Session) -> set[int]:
    """Ids of the municipalities kept off the public lists (the start page,
    the OGC collections list, the catalogue): their settings say listed = no.
    Their own pages stay reachable by URL."""
    return set(session.scalars(select(CitySettings.municipality_id).where(CitySettings.listed.is_(False))))


def city_published_projects(session: Session, city: Municipality) -> list:
    """The conditions of the city's published projects (fiche_conditions)."""
    return fiche_conditions(session, FicheFilters(municipality=city.nis_code))


def first_plan(session: Session, city: Municipality) -> Plan | None:
    return session.scalar(select(Plan).where(Plan.municipality_id == city.id).order_by(Plan.id).limit(1))


def first_plans(session: Session) -> dict[int, Plan]:
    """{municipality id: its first plan}, in one query."""
    plans: dict[int, Plan] = {}
    for plan in session.scalars(select(Plan).order_by(Plan.id)):
        plans.setdefault(plan.municipality_id, plan)
    return plans


def all_municipalities(session: Session) -> list[Municipality]:
    return list(session.scalars(select(Municipality).order_by(Municipality.name)))


def filter_choices(session: Session, city: Municipality) -> dict[str, list]:
    """The values the filter form offers: those the city's published projects use."""
    published = city_published_projects(session, city)

    def distinct(column):
        return [v for v in session.scalars(
            select(column).distinct().where(*published, column.is_not(None)).order_by(column)) if v]

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


def budget_years(session: Session, city: Municipality) -> list[int]:
    """Years with expenses on the city's published project fiches."""
    return list(session.scalars(
        select(BudgetLine.year).join(Fiche).where(*city_published_projects(session, city),
                                                  BudgetLine.direction == "uitgave")
        .distinct().order_by(BudgetLine.year)
    ))


def city_summaries(session: Session, cities: list[Municipality] | None = None) -> list[dict]:
    """Each city (default: every listed city, its settings) with its first
    plan, its number of published projects and their expenses (and whether
    any line is illustrative): the start page."""
    shown = fiche_conditions(session, FicheFilters())
    counts = dict(session.execute(
        select(Fiche.municipality_id, func.count()).where(*shown).group_by(Fiche.municipality_id)).all())
    budgets = {row[0]: row[1:] for row in session.execute(
        select(Fiche.municipality_id, func.sum(BudgetLine.amount_eur),
               func.max(case((BudgetLine.basis == "illustratief", 1), else_=0)))
        .join(Fiche, BudgetLine.fiche_id == Fiche.id)
        .where(*shown, BudgetLine.direction == "uitgave")
        .group_by(Fiche.municipality_id)
    )}
    plans = first_plans(session)
    summaries = []
    if cities is None:
        hidden = unlisted_ids(session)
        cities = [m for m in all_municipalities(session) if m.id not in hidden]
    for municipality in cities:
        budget, illustrative = budgets.get(municipality.id, (None, 0))
        summaries.append({"municipality": municipality, "plan": plans.get(municipality.id),
                       "count": counts.get(municipality.id, 0), "budget": budget,
                       "budget_illustrative": bool(illustrative)})
    return summaries


def region_counts(session: Session, generated_source: str) -> dict[str, int]:
    """Placed published projects (and how many of them the bench generated),
    wijken and municipalities: the region page's figures."""
    shown = (*fiche_conditions(session, FicheFilters()), Fiche.geom.is_not(None))
    fiches, generated = session.execute(
        select(func.count(Fiche.id), func.count(Fiche.id).filter(Fiche.source == generated_source)).where(*shown)
    ).one()
    wijken, municipalities = session.execute(
        select(func.count(Area.id), func.count(func.distinct(Area.municipality_id))).where(Area.level == "wijk")
    ).one()
    return {"fiches": fiches, "generated": generated, "wijken": wijken, "municipalities": municipalities,
            "all_municipalities": session.scalar(select(func.count(Municipality.id)))}


def published_dependents(session: Session, fiche: Fiche) -> list[Fiche]:
    """Published fiches that depend on this one."""
    return list(session.scalars(
        select(Fiche).join(Dependency, Dependency.fiche_id == Fiche.id)
        .where(Dependency.depends_on_id == fiche.id, Fiche.published.is_(True)).order_by(Fiche.id)
    ))


def area_indicator_codes(session: Session, area_id: int) -> list[str]:
    """Codes of the indicators with a value for this area."""
    return list(session.scalars(
        select(Indicator.code).join(IndicatorValue).where(IndicatorValue.area_id == area_id)
        .distinct().order_by(Indicator.code)
    ))


def city_wijk_indicator_values(session: Session, city: Municipality) -> list[IndicatorValue]:
    """Every indicator value of the city's wijken, with indicator and area loaded (the downloads)."""
    return wijk_indicator_values(session, [city])


def wijk_indicator_values(session: Session, cities: list[Municipality]) -> list[IndicatorValue]:
    """city_wijk_indicator_values of each city, city after city, in one select
    (the all-cities download asks for some 300 cities)."""
    return _by_city(cities, session.scalars(
        select(IndicatorValue).join(Area)
        .where(Area.municipality_id.in_([c.id for c in cities]), Area.level == "wijk")
        .options(selectinload(IndicatorValue.indicator), selectinload(IndicatorValue.area))
        .order_by(IndicatorValue.id)
    ))


def real_city_figures(session: Session, city: Municipality) -> list[IndicatorValue]:
    """The non-illustrative values on the city's own (gemeente) area, in file order."""
    return cities_real_figures(session, [city])


def cities_real_figures(session: Session, cities: list[Municipality]) -> list[IndicatorValue]:
    """real_city_figures of each city, city after city, in one select."""
    return _by_city(cities, session.scalars(
        select(IndicatorValue).join(IndicatorValue.area).join(IndicatorValue.indicator)
        .where(Area.municipality_id.in_([c.id for c in cities]), Area.level == "gemeente",
               IndicatorValue.illustrative.is_(False))
        .options(contains_eager(IndicatorValue.indicator), contains_eager(IndicatorValue.area))
        .order_by(IndicatorValue.id)
    ))


def _by_city(cities: list[Municipality], values) -> list[IndicatorValue]:
    """Values in the order of `cities`, each city's in the order given (a stable sort)."""
    rank = {c.id: i for i, c in enumerate(cities)}
    return sorted(values, key=lambda v: rank[v.area.municipality_id])
