"""The shared filters of every fiche selection (FicheFilters,
fiche_conditions: the "published project of this city" rule), and the
smaller selections and sums the pages use. Geometries stay in the storage CRS
here (app.read.features converts for output); fiches for output are plain
rows (app.read.rows)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased, contains_eager, selectinload

from ..crs import STORAGE_EPSG
from ..models import Area, BudgetLine, Fiche, FicheSdg, Indicator, IndicatorValue, Municipality, Phase
from ..spatial import bbox_filter, intersects
from .textsearch import fiche_text_condition

if TYPE_CHECKING:
    from .rows import FicheRow
from ..numbers import INT32_MAX, whole_number

# The nodes that are projects (drawn on maps, counted in budgets); the others
# (sector, doelstelling, beleidsdomein) structure the tree.
PROJECT_KINDS = ("fiche", "actieplan", "actie")


@dataclass
class FicheFilters:
    """What a map page, a list, an export or an API call asks for."""
    municipality: str | None = None          # NIS code or slug
    sector: str | None = None
    status: str | None = None
    sdg: int | None = None
    obligation: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    wijk: str | None = None                  # area code
    q: str | None = None                     # tolerant text search (textsearch.py), or a number/code
    kinds: tuple[str, ...] | None = PROJECT_KINDS
    include_drafts: bool = False             # staff only
    bbox: tuple[float, float, float, float] | None = None
    bbox_srid: int = STORAGE_EPSG
    ids: list[int] | Select[int] | None = field(default=None)   # or a subquery of fiche ids (app.ogcapi)

    @classmethod
    def from_args(cls, args, municipality: str | None = None, **overrides) -> FicheFilters:
        """Filters from URL query arguments (a map page, a download, an API
        call); values that do not parse are ignored rather than failing."""
        def integer(name):
            # ASCII digits only (str.isdigit also takes "²", which int() refuses),
            # and short enough for an INTEGER column.
            value = (args.get(name) or "").strip()
            return whole_number(value, -INT32_MAX, INT32_MAX)

        def year(name):
            # datetime.date (the year filter's bounds) takes years 1-9999 only.
            value = integer(name)
            return value if value is not None and 1 <= value <= 9999 else None

        def textual(name):
            # PostgreSQL refuses NUL characters in text parameters.
            value = (args.get(name) or "").replace("\x00", "").strip()
            return value[:200] or None

        filters = cls(
            municipality=municipality,
            sector=textual("sector"),
            status=textual("status"),
            sdg=integer("sdg"),
            obligation=textual("obligation"),
            year_from=year("year_from"),
            year_to=year("year_to"),
            wijk=textual("wijk"),
            q=textual("q"),
        )
        one_year = year("year")
        if one_year is not None:
            filters.year_from = filters.year_to = one_year
        for key, value in overrides.items():
            setattr(filters, key, value)
        return filters

    def as_query_args(self) -> dict[str, str]:
        """The filters a person set, as URL query arguments (for sharing a view)."""
        skip = {"kinds", "include_drafts", "bbox_srid", "ids", "municipality"}
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name not in skip and value not in (None, "", ()):
                out[f.name] = ",".join(map(str, value)) if isinstance(value, tuple) else str(value)
        return out


def _is_municipality(key: str):
    return or_(Municipality.nis_code == key, Municipality.slug == key.lower())


def find_municipality(session: Session, key: str) -> Municipality | None:
    key = key.replace("\x00", "")  # PostgreSQL refuses NUL in text parameters (a 500 found by fuzzing)
    return session.scalar(select(Municipality).where(_is_municipality(key)))


def fiche_conditions(session: Session, filters: FicheFilters) -> list:
    conditions = []
    if filters.municipality:
        # a subquery, not a query of its own: one round trip less for every
        # selection (an unknown municipality gives NULL, which matches nothing)
        municipality_id = select(Municipality.id).where(_is_municipality(filters.municipality)).limit(1)
        conditions.append(Fiche.municipality_id == municipality_id.scalar_subquery())
    if not filters.include_drafts:
        conditions.append(Fiche.published.is_(True))
    if filters.kinds:
        conditions.append(Fiche.kind.in_(filters.kinds))
    if filters.sector:
        conditions.append(Fiche.sector == filters.sector)
    if filters.status:
        conditions.append(Fiche.status == filters.status)
    if filters.obligation:
        conditions.append(Fiche.obligation == filters.obligation)
    if filters.sdg:
        conditions.append(exists().where(and_(FicheSdg.fiche_id == Fiche.id, FicheSdg.sdg == filters.sdg)))
    if filters.year_from is not None or filters.year_to is not None:
        lo = filters.year_from if filters.year_from is not None else 1900
        hi = filters.year_to if filters.year_to is not None else 2200
        # An alias: phases_active_in_year selects from Phase itself, and an
        # unaliased Phase here would correlate to it (no FROM left).
        phase = aliased(Phase)
        phase_overlaps = exists().where(and_(
            phase.fiche_id == Fiche.id,
            phase.start <= dt.date(hi, 12, 31),
            phase.end >= dt.date(lo, 1, 1),
        ))
        budget_in_range = exists().where(and_(
            BudgetLine.fiche_id == Fiche.id, BudgetLine.year >= lo, BudgetLine.year <= hi
        ))
        conditions.append(or_(phase_overlaps, budget_in_range))
    if filters.wijk:
        wijk_geom = select(Area.geom).where(Area.code == filters.wijk).scalar_subquery()
        conditions.append(intersects(Fiche.geom, wijk_geom))
    if filters.q:
        # tolerant: case, accents, hyphens, word order, synonyms (app/read/textsearch.py)
        conditions.append(fiche_text_condition(session, filters.q))
    if filters.bbox:
        conditions.append(bbox_filter(session, Fiche.geom, filters.bbox, filters.bbox_srid))
    if filters.ids is not None:
        conditions.append(Fiche.id.in_(filters.ids))
    return conditions


def select_fiches(session: Session, filters: FicheFilters) -> list[Fiche]:
    """Fiches matching the filters as ORM objects, ordered by id, with their
    SDGs, phases and budget lines loaded: for code that edits them, and for
    tests that check the read model (app.read.rows) against the ORM. Every
    public output reads app.read.rows instead."""
    return list(session.scalars(
        select(Fiche)
        .where(*fiche_conditions(session, filters))
        .options(selectinload(Fiche.sdg_links), selectinload(Fiche.phases), selectinload(Fiche.budget_lines),
                 selectinload(Fiche.municipality))
        .order_by(Fiche.id)
    ))


def count_fiches(session: Session, filters: FicheFilters) -> int:
    return session.scalar(select(func.count(Fiche.id)).where(*fiche_conditions(session, filters)))


def get_fiche(session: Session, fiche_id: int, *, include_drafts: bool = False) -> Fiche | None:
    fiche = session.get(Fiche, fiche_id)
    if fiche is None or (not fiche.published and not include_drafts):
        return None
    return fiche


# What a map popup, a list line and a public record say of a fiche's money and years.
def budget_total(fiche: FicheRow, direction: str = "uitgave") -> float:
    return sum(line.amount_eur for line in fiche.budget_lines if line.direction == direction)


def budget_is_illustrative(fiche: FicheRow) -> bool:
    return any(line.basis == "illustratief" for line in fiche.budget_lines)


def fiche_years(fiche: FicheRow) -> tuple[int | None, int | None]:
    years = [p.start.year for p in fiche.phases if p.start] + [p.end.year for p in fiche.phases if p.end]
    years += [line.year for line in fiche.budget_lines]
    return (min(years), max(years)) if years else (None, None)


def phases_active_in_year(session: Session, filters: FicheFilters, year: int) -> list[Phase]:
    stmt = (
        select(Phase)
        .join(Fiche, Phase.fiche_id == Fiche.id)
        .where(*fiche_conditions(session, filters))
        .where(Phase.start <= dt.date(year, 12, 31), Phase.end >= dt.date(year, 1, 1))
        .order_by(Phase.fiche_id, Phase.position)
    )
    return list(session.scalars(stmt))


def wijk_indicators(session: Session, city: Municipality) -> list[Indicator]:
    """The indicators that have values for this city's wijken, by name."""
    return list(session.scalars(
        select(Indicator).where(Indicator.id.in_(
            select(IndicatorValue.indicator_id).join(Area)
            .where(Area.municipality_id == city.id, Area.level == "wijk")
        )).order_by(Indicator.name)
    ))


def latest_indicator_values(session: Session, municipality: Municipality, indicator_code: str,
                            level: str = "wijk", period: str | None = None) -> dict[str, IndicatorValue]:
    """{area code: value} for one indicator, the latest period unless one is asked."""
    stmt = (  # one query: the indicator from the join, the area's code only (not its shape)
        select(IndicatorValue, Area.code)
        .join(IndicatorValue.indicator).join(IndicatorValue.area)
        .where(Indicator.code == indicator_code, Area.municipality_id == municipality.id, Area.level == level)
        .options(contains_eager(IndicatorValue.indicator))
        .order_by(IndicatorValue.period)
    )
    if period:
        stmt = stmt.where(IndicatorValue.period == period)
    return {code: value for value, code in session.execute(stmt)}  # later periods overwrite earlier ones
