"""Budget per wijk: the city's wijk index (its callers keep it per data
version: app.http.kept) and the expenses of a selection shared over it by
geometry (the rule of app.read.apportion)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from ..models import Area
from .apportion import WijkIndex, line_shares
from .queries import FicheFilters, latest_indicator_values
from .rows import AreaRow, FicheRow, load_area_rows, load_fiche_rows


def wijk_index_of(areas: list[AreaRow]) -> WijkIndex:
    """The index of wijk rows already loaded (app.read.rows)."""
    return WijkIndex([(a.code, a.geom) for a in areas])


def city_wijk_index(session: Session, municipality) -> WijkIndex:
    """The city's wijken, indexed for WijkIndex.shares."""
    return wijk_index_of(load_area_rows(session, Area.municipality_id == municipality.id, Area.level == "wijk"))


@dataclass
class WijkBudget:
    code: str
    name: str
    amount_eur: float = 0.0
    by_year: dict[int, float] = field(default_factory=dict)
    population: float | None = None
    population_illustrative: bool = False
    budget_illustrative: bool = False
    fiche_ids: set[int] = field(default_factory=set)

    @property
    def eur_per_inhabitant(self) -> float | None:
        return self.amount_eur / self.population if self.population else None

    @property
    def illustrative(self) -> bool:
        return self.budget_illustrative or self.population_illustrative


@dataclass
class Apportionment:
    wijken: list[WijkBudget]
    citywide_eur: float
    citywide_by_year: dict[int, float]


def apportion_budget_to_wijken(session: Session, municipality, filters: FicheFilters | None = None,
                               year: int | None = None, fiches: list[FicheRow] | None = None,
                               wijken: list[AreaRow] | None = None,
                               population: dict | None = None, index: WijkIndex | None = None) -> Apportionment:
    """Expenses (richting 'uitgave') of the matching fiches, shared over the
    city's wijken by geometry (see app.read.apportion), per year and in total.
    EUR per inhabitant uses the wijk's latest 'bevolking' value. The wijk
    filter is ignored (every wijk gets its share). `fiches` and `wijken`:
    the rows when the caller already has them (load_fiche_rows of these
    filters without a wijk; the city's wijken); `population`: the latest
    'bevolking' values by wijk code, and `index`: wijk_index_of(wijken), when
    the caller has them."""
    filters = filters or FicheFilters()
    filters = FicheFilters(**{**filters.__dict__, "municipality": municipality.nis_code, "wijk": None})
    if wijken is None:
        wijken = load_area_rows(session, Area.municipality_id == municipality.id, Area.level == "wijk")
    if index is None:
        index = wijk_index_of(wijken)
    if population is None:
        population = latest_indicator_values(session, municipality, "bevolking")
    result = {
        a.code: WijkBudget(
            a.code, a.name,
            population=population[a.code].value if a.code in population else None,
            population_illustrative=population[a.code].illustrative if a.code in population else False,
        )
        for a in wijken
    }
    citywide = 0.0
    citywide_by_year: defaultdict[int, float] = defaultdict(float)
    fiches = fiches if fiches is not None else load_fiche_rows(session, filters)
    spending = [(f, [ln for ln in f.budget_lines if ln.direction == "uitgave" and (year is None or ln.year == year)])
                for f in fiches]
    spending = [(f, lines) for f, lines in spending if lines]
    shares_of = index.shares_many([f.geom for f, _ in spending]) if spending else []
    for (fiche, lines), fiche_shares in zip(spending, shares_of):
        illustrative = any(ln.basis == "illustratief" for ln in lines)
        # A line that names a phase goes by that phase's place (the most specific one)
        per_line = (line_shares(index, fiche, lines) if any(ln.phase_position is not None for ln in lines)
                    else [fiche_shares] * len(lines))
        for line, shares in zip(lines, per_line):
            if not shares:
                citywide += line.amount_eur
                citywide_by_year[line.year] += line.amount_eur
            for code, share in shares.items():
                wb = result[code]
                wb.amount_eur += line.amount_eur * share
                wb.by_year[line.year] = wb.by_year.get(line.year, 0.0) + line.amount_eur * share
                wb.budget_illustrative |= illustrative
                wb.fiche_ids.add(fiche.id)
    return Apportionment(list(result.values()), citywide, dict(citywide_by_year))
