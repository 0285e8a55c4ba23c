"""What the city map page knows of a city whatever the visitor filters: the
city and its settings, plan, indicators, areas (rows and map features), the
filter form's choices and the key figures. Built in one go and kept per data
version (app.http.kept): a page built afresh then reads from the database
only the selection itself (docs/bench.md).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, g
from sqlalchemy.orm import Session

from ..http.kept import kept
from ..models import Indicator, IndicatorValue, Municipality, Plan
from ..read.apportion import WijkIndex
from ..read.city_settings import CityProfile, city_profile
from ..read.features import area_features
from ..read.pages import filter_choices, first_plan
from ..read.queries import find_municipality, latest_indicator_values, wijk_indicators
from ..read.rows import AreaRow, load_city_areas
from ..read.wijk_budgets import wijk_index_of
from .city_figures import KeyFigures, key_figures
from .finder import WijkChooser, wijk_chooser

LEVELS = ("gemeente", "deelgemeente", "wijk")


@dataclass(frozen=True)
class CityFacts:
    city: Municipality           # detached after the first request: columns only
    profile: CityProfile
    plan: Plan | None
    indicators: list[Indicator]
    areas: dict[str, list[AreaRow]]        # by level (app.read.rows.load_city_areas)
    area_features: dict[str, dict]         # by level, as the map draws them (EPSG:4326); never changed
    wijk_index: WijkIndex                  # the wijken, indexed and prepared once
    choices: dict[str, list]               # app.read.pages.filter_choices
    key_figures: KeyFigures


def city_facts_or_404(session: Session, slug: str) -> CityFacts:
    """The city's facts (kept per data version), or the Dutch 404 page; sets
    g.city_profile as app.views.city_or_404 does."""
    facts = kept(session, ("city_facts", slug), lambda: _build(session, slug))
    if facts is None:
        abort(404)
    g.city_profile = facts.profile
    return facts


def kept_indicator_values(session: Session, city: Municipality, code: str) -> dict[str, IndicatorValue]:
    """app.read.queries.latest_indicator_values of the city's wijken, kept per data version."""
    return kept(session, ("indicator_values", city.id, code),
                lambda: latest_indicator_values(session, city, code))


def kept_wijk_chooser(session: Session) -> Callable[..., WijkChooser]:
    """app.views.finder.wijk_chooser for templates/_finder.html, one city's
    wijken kept per data version (names and codes, loaded eagerly); passed in
    the page's context, where it stands in for the template global."""
    def chooser(city: Municipality | None = None, listed: list[Municipality] | None = None) -> WijkChooser:
        if city is None or listed is not None:
            return wijk_chooser(city, listed)
        return kept(session, ("wijk_chooser", city.id), lambda: wijk_chooser(city))
    return chooser


def _build(session: Session, slug: str) -> CityFacts | None:
    city = find_municipality(session, slug)
    if city is None:
        return None
    areas = load_city_areas(session, city.id)
    return CityFacts(
        city=city, profile=city_profile(session, city), plan=first_plan(session, city),
        indicators=wijk_indicators(session, city), areas=areas,
        area_features={level: area_features(areas.get(level, [])) for level in LEVELS},
        wijk_index=wijk_index_of(areas.get("wijk", [])),
        choices=filter_choices(session, city), key_figures=key_figures(session, city),
    )
