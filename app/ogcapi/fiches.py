"""The collections of one city's published fiches: fiches-<slug> (every
geometry type, for clients that cope) and one per geometry family,
fiches-<slug>-punten / -lijnen / -vlakken / -zonder-ligging (one declared
Multi type each, app.geometry_families). The map page's filters
(app.read.queries.FicheFilters) plus exact property filters, bbox and period,
all in SQL so that paging and counts stay exact."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, func, select, union
from sqlalchemy.orm import aliased

from ..geometry_families import FAMILY_LABELS, FAMILY_TYPES, NO_PLACE
from ..http.kept import kept
from ..models import BudgetLine, Fiche, Municipality, Phase, Plan
from ..read.queries import FicheFilters, fiche_conditions
from ..read.records import FICHE_FIELDS, Field
from ..read.rows import MunicipalityRow
from ..read.stored_records import JsonRecords, load_record_page, record_texts
from ..read.wijk_budgets import city_wijk_index
from ..spatial import extent, extents_by, intersects, to_db
from .base import Collection, Page, family_condition, family_page, int_id, period_overlaps
from .errors import NotFound
from .params import ItemsQuery, Period, StorageBox


@dataclass(frozen=True, slots=True)
class PlanHead:
    """What a collection's description says of a city's plan."""
    title: str
    period: str | None


F = aliased(Fiche)
# queryable -> FicheFilters attribute (the map page's own filters) ...
FICHE_FILTER_ATTRS = {"sector": "sector", "status": "status", "verplicht_keuze": "obligation",
                      "q": "q", "wijk": "wijk", "sdg": "sdg"}
# ... and every queryable -> its Fiche column (exact matches, CQL2 filter, sortby)
FICHE_QUERYABLE_ATTRS = {"ref": "ref", "soort": "kind", "nummer": "number", "code": "code", "sector": "sector",
                         "verantwoordelijke_dienst": "responsible_service", "verplicht_keuze": "obligation",
                         "prioritair": "priority", "status": "status", "ligging": "geometry_precision"}
# filters go into an id subquery over the alias F; sorting orders the page's own select over Fiche
FICHE_FILTER_COLUMNS = {name: getattr(F, attr) for name, attr in FICHE_QUERYABLE_ATTRS.items()}
FICHE_SORT_COLUMNS = {name: getattr(Fiche, attr) for name, attr in FICHE_QUERYABLE_ATTRS.items()}


def box_conditions(filters: FicheFilters, box: StorageBox) -> list | None:
    """Restrict `filters` to the fiches whose place meets a requested box
    (app.ogcapi.params.parse_bbox): the index-backed envelope goes into
    `filters.bbox`; the exact shape of a box given in another CRS comes back
    as a condition on F for an id subquery (FicheFilters.ids). None: the box
    lies where no data can be, nothing matches. /ogc and the downloads."""
    if box.envelope is None:
        return None
    filters.bbox = box.envelope
    return [] if box.polygon is None else [intersects(F.geom, to_db(box.polygon))]


def restrict(filters: FicheFilters, conditions: list) -> FicheFilters:
    """`filters` further restricted to the fiches meeting `conditions` on F."""
    if conditions:
        filters.ids = select(F.id).where(*conditions)  # an id subquery: FicheFilters takes ids
    return filters


def fiche_ids_in_period(period: Period):
    """Ids of fiches with a phase overlapping the period or a budget line in
    one of its years (the same rule as the map's year filter, by day)."""
    phases = select(Phase.fiche_id).where(*period_overlaps(Phase.start, Phase.end, period))
    budget = select(BudgetLine.fiche_id)
    if period.start is not None:
        budget = budget.where(BudgetLine.year >= period.start.year)
    if period.end is not None:
        budget = budget.where(BudgetLine.year <= period.end.year)
    return union(phases, budget)


class FichesCollection(Collection):
    fields = FICHE_FIELDS
    extra_filters = {
        "q": Field("q", "string", "Zoekterm in titel, samenvatting, nummer of code"),
        "wijk": Field("wijk", "string", "Code van een wijk: fiches die erin liggen"),
        "sdg": Field("sdg", "integer", "Nummer van een SDG (1-17)"),
    }
    temporal = True
    columns = FICHE_FILTER_COLUMNS
    sort_columns = FICHE_SORT_COLUMNS

    def __init__(self, municipality: Municipality | MunicipalityRow, plan: Plan | PlanHead | None = None,
                 known_extents: dict | None = None,
                 family: str | None = None):
        self.municipality = municipality
        self.family = family          # None: every geometry type; else 'punten' ... or NO_PLACE
        # {"spatial": bbox, "temporal": (first, last)} computed for all cities at once (city_extents)
        self.known_extents = known_extents
        self.id = f"fiches-{municipality.slug}" + (f"-{family.replace('_', '-')}" if family else "")
        self.title = f"Projectfiches {municipality.name}" + (f": {family_title(family)}" if family else "")
        self.geometry_type = FAMILY_TYPES.get(family) if family else "Geometry"
        plan_text = f" uit {plan.title}{f' ({plan.period})' if plan.period else ''}" if plan else ""
        self.description = family_note(family) + (
            f"De gepubliceerde projecten van {municipality.name}{plan_text}: één kenmerk per fiche, actieplan "
            "of actie, met de ligging die de stad aanduidde (ligging = indicatief: een benaderende plaats). "
            "Budgetten, fasen en SDG's zijn in deze demo deels illustratief: zie de velden illustratief, "
            "budget_illustratief en sdgs_illustratief. Filters: de velden uit queryables, en q, wijk en sdg "
            "zoals op de kaart; datetime selecteert fiches met een fase of budgetjaar in die periode."
        )

    def geometry_sql(self):
        return F.geom

    def _base(self, **kwargs) -> FicheFilters:
        return FicheFilters(municipality=self.municipality.nis_code, **kwargs)

    def filters(self, session, query: ItemsQuery) -> FicheFilters | None:
        """The query as FicheFilters; None when nothing can match."""
        filters, extra = self._base(), [*self._family(), *self.query_conditions(session, query)]
        for name, value in query.filters.items():
            if name in FICHE_FILTER_ATTRS:
                setattr(filters, FICHE_FILTER_ATTRS[name], value)
            else:
                extra.append(FICHE_FILTER_COLUMNS[name] == value)
        if query.bbox is not None:
            in_box = box_conditions(filters, query.bbox)
            if in_box is None:
                return None
            extra += in_box
        if query.period is not None:
            extra.append(F.id.in_(fiche_ids_in_period(query.period)))
        return restrict(filters, extra)

    def _family(self) -> list:
        return [] if self.family is None else [family_condition(F.geom, self.family)]

    def _page(self, session, filters: FicheFilters, base_url: str, *, limit: int | None, offset: int = 0,
              order=()) -> Page:
        """A page of stored records (app.read.stored_records): one select."""
        stored = load_record_page(session, filters, limit=limit, offset=offset, order=order)
        if not stored.ids:
            return Page([], [], [], stored.matched)
        def wijk_index():  # only for records found missing; kept per data version (app.http.kept)
            return kept(session, ("wijk index", self.municipality.id),
                        lambda: city_wijk_index(session, self.municipality))

        records = JsonRecords(record_texts(session, stored.ids, stored.texts, base_url, self.municipality.slug,
                                           wijk_index))
        return family_page(Page(records, stored.geoms, stored.ids, stored.matched,
                                stored.geojson if stored.complete else None), self.family)

    def items(self, session, query, base_url):
        filters = self.filters(session, query)
        if filters is None:
            return Page([], [], [], 0)
        return self._page(session, filters, base_url, limit=query.limit, offset=query.offset,
                          order=self.query_order(session, query))

    def item(self, session, feature_id, base_url):
        wanted = int_id(feature_id, self)
        ids = select(F.id).where(F.id == wanted, *self._family()) if self.family else [wanted]
        page = self._page(session, self._base(ids=ids), base_url, limit=None)
        if not page.ids:
            raise NotFound(f"Fiche {feature_id} bestaat niet in collectie '{self.id}'.")
        return page

    def spatial_extent(self, session):
        if self.known_extents is not None:
            return self.known_extents.get("spatial")
        return extent(session, Fiche.geom, and_(*self._conditions(session)))

    def _conditions(self, session) -> list:
        family = [] if self.family is None else [family_condition(Fiche.geom, self.family)]
        return [*fiche_conditions(session, self._base()), *family]

    def temporal_extent(self, session):
        if self.known_extents is not None:
            return self.known_extents.get("temporal")
        conditions = self._conditions(session)
        first, last = session.execute(
            select(func.min(Phase.start), func.max(Phase.end)).join(Fiche, Phase.fiche_id == Fiche.id)
            .where(*conditions)
        ).one()
        year_min, year_max = session.execute(
            select(func.min(BudgetLine.year), func.max(BudgetLine.year)).join(Fiche, BudgetLine.fiche_id == Fiche.id)
            .where(*conditions)
        ).one()
        starts = [d for d in (first, dt.date(year_min, 1, 1) if year_min else None) if d]
        ends = [d for d in (last, dt.date(year_max, 12, 31) if year_max else None) if d]
        return (min(starts) if starts else None, max(ends) if ends else None) if starts or ends else None


def family_title(family: str) -> str:
    return "zonder ligging" if family == NO_PLACE else FAMILY_LABELS[family]


def family_note(family: str | None) -> str:
    """The first words of a collection's description: which geometry type it holds."""
    if family is None:
        return ("Alle geometrietypes samen (punten, lijnen, vlakken en fiches zonder ligging): voor clients die "
                "dat aankunnen. QGIS en GDAL lezen beter de collecties per type (-punten, -lijnen, -vlakken, "
                "-zonder-ligging). ")
    if family == NO_PLACE:
        return "Enkel wat geen ligging op de kaart heeft (geometrie null). "
    return (f"Enkel {FAMILY_LABELS[family]}, altijd als {FAMILY_TYPES[family]} (een enkelvoudige geometrie "
            "wordt een Multi-geometrie met één deel). ")


def city_extents(session, family: str | None = None) -> dict[int, dict]:
    """{municipality id: {"spatial": bbox, "temporal": (first, last)}} of every
    city's published projects (of one geometry family), in three grouped
    queries (the collections list of 300 cities would otherwise run three
    queries per city). The same rules as FichesCollection.spatial_extent and
    temporal_extent."""
    conditions = and_(*fiche_conditions(session, FicheFilters()),
                      *([] if family is None else [family_condition(Fiche.geom, family)]))
    boxes = extents_by(session, Fiche.geom, Fiche.municipality_id, conditions)
    phases = session.execute(
        select(Fiche.municipality_id, func.min(Phase.start), func.max(Phase.end))
        .join(Fiche, Phase.fiche_id == Fiche.id).where(conditions).group_by(Fiche.municipality_id))
    budget = session.execute(
        select(Fiche.municipality_id, func.min(BudgetLine.year), func.max(BudgetLine.year))
        .join(Fiche, BudgetLine.fiche_id == Fiche.id).where(conditions).group_by(Fiche.municipality_id))
    starts: dict[int, list] = {}
    ends: dict[int, list] = {}
    for city_id, first, last in phases:
        starts.setdefault(city_id, []).append(first)
        ends.setdefault(city_id, []).append(last)
    for city_id, year_min, year_max in budget:
        starts.setdefault(city_id, []).append(dt.date(year_min, 1, 1) if year_min else None)
        ends.setdefault(city_id, []).append(dt.date(year_max, 12, 31) if year_max else None)
    out: dict[int, dict] = {}
    for city_id in set(boxes) | set(starts):
        first = [d for d in starts.get(city_id, []) if d]
        last = [d for d in ends.get(city_id, []) if d]
        temporal = (min(first) if first else None, max(last) if last else None) if first or last else None
        out[city_id] = {"spatial": boxes.get(city_id), "temporal": temporal}
    return out
