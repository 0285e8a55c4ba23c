"""The page "<Stad> in cijfers": every real city-level figure of the sources
(indicator values on the city's own area that are not illustrative), with the
comparison, unit, period and source section exactly as the source gives them."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, render_template
from sqlalchemy.orm import Session

from ..columns import PERIOD_NOT_STATED
from ..db import get_session
from ..http.page_cache import cached_page
from ..models import IndicatorValue, Municipality
from ..read.pages import real_city_figures
from . import city_or_404
from .page_parts import fk_value, register_filters

bp = Blueprint("city_figures", __name__)
register_filters(bp)


@dataclass
class FigureGroup:
    source: str                          # the source section, e.g. "... omgevingsanalyse, Zorg: Groene druk is laag"
    figures: list[IndicatorValue]


@dataclass
class KeyFigures:
    """The short block on the city page: how many real figures, and a few with a comparison."""
    count: int
    examples: list[IndicatorValue]


def key_figures(session: Session, city: Municipality, n: int = 3) -> KeyFigures:
    figures = real_city_figures(session, city)
    return KeyFigures(len(figures), [v for v in figures if v.comparison_value is not None][:n])


def grouped_by_source(values: list[IndicatorValue]) -> list[FigureGroup]:
    """Consecutive figures of one source section together, in order of first appearance."""
    groups: dict[str, FigureGroup] = {}
    for value in values:
        key = value.source or "bron niet opgegeven"
        groups.setdefault(key, FigureGroup(key, [])).figures.append(value)
    return list(groups.values())


def as_given(value: float | None) -> str:
    """A figure with the decimals it has in the source (31,4; 91,76; 1.116), nl-BE."""
    if value is None:
        return ""
    decimals = len(repr(float(value)).split(".")[1].rstrip("0")) if "." in repr(float(value)) else 0
    return fk_value(value, None, min(decimals, 4))


@bp.get("/<slug>/cijfers")
@cached_page
def page(slug: str):
    session = get_session()
    city = city_or_404(slug)
    figures = real_city_figures(session, city)
    return render_template(
        "city/figures.html", city=city, figures=figures, groups=grouped_by_source(figures),
        not_stated=PERIOD_NOT_STATED, as_given=as_given,
        repeated={c for c in (v.indicator.code for v in figures) if sum(w.indicator.code == c for w in figures) > 1},
        undated=sum(1 for v in figures if v.period == PERIOD_NOT_STATED),
    )
