"""The collections the API serves, and the registry the routes use.

- fiches-<slug>: the published projects of one city (app.ogcapi.fiches),
  one per municipality in the database at request time;
- fasen: dated phases of published projects, all cities, with their own
  geometry or their fiche's;
- wijken: the areas of level wijk, all cities;
- indicatoren-wijken: one feature per wijk x indicator x period.

Drafts never come out: every fiche condition goes through
app.read.queries.fiche_conditions (published only, project kinds only), also
for the phases. Geometries stay in EPSG:31370 here; documents convert them.
"""
from __future__ import annotations

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from ..models import Area, Fiche, Indicator, IndicatorValue, Municipality, Phase, Plan
from ..read.city_settings import unlisted_ids
from ..read.queries import FicheFilters, fiche_conditions
from ..read.records import AREA_FIELDS, INDICATOR_FIELDS, PHASE_FIELDS, area_record, indicator_record, phase_record
from ..read.rows import load_area_rows, load_phase_rows
from ..spatial import extent, from_db
from .base import Collection, Page, box_condition, int_id, period_overlaps
from .errors import NotFound
from .fiches import FichesCollection, city_extents
from .params import ItemsQuery

AREA_SOURCE_NOTE = "Gebiedsgrenzen: Bron: Statbel, Provincies in Cijfers."


# -- phases, all cities ------------------------------------------------------

class PhasesCollection(Collection):
    id = "fasen"
    title = "Fasen van de projecten"
    description = (
        "De fasen (studie, ontwerp, uitvoering ...) van de gepubliceerde projecten van alle steden, met hun "
        "start- en einddatum: filter met datetime (een dag of een periode, open einde met ..). Een fase zonder "
        "eigen ligging krijgt die van haar fiche (eigen_geometrie = false). De planning is in deze demo "
        "illustratief (veld illustratief = true): voorbeelddata, geen beslissingen."
    )
    fields = PHASE_FIELDS
    temporal = True
    columns = {"fiche_id": Phase.fiche_id, "fiche_ref": Fiche.ref, "soort": Phase.phase_kind,
               "status": Phase.status, "illustratief": Phase.illustrative, "nis_code": Municipality.nis_code}

    def _conditions(self, session, query: ItemsQuery | None = None) -> list | None:
        conditions = [
            Phase.fiche_id == Fiche.id, Fiche.municipality_id == Municipality.id,
            *fiche_conditions(session, FicheFilters()),
            # the rule of app.read.features.mapped_phases: dated, with a place
            Phase.start.is_not(None), Phase.end.is_not(None), or_(Phase.geom.is_not(None), Fiche.geom.is_not(None)),
        ]
        if query is None:
            return conditions
        conditions += [self.columns[name] == value for name, value in query.filters.items()]
        if query.bbox is not None:
            if query.bbox.envelope is None:
                return None
            conditions.append(or_(
                and_(Phase.geom.is_not(None), box_condition(session, Phase.geom, query.bbox)),
                and_(Phase.geom.is_(None), box_condition(session, Fiche.geom, query.bbox)),
            ))
        if query.period is not None:
            conditions += period_overlaps(Phase.start, Phase.end, query.period)
        return conditions

    def _page(self, session, conditions, base_url, limit=None, offset=0) -> Page:
        rows = load_phase_rows(session, conditions, limit=limit or None, offset=offset)
        matched = session.scalar(select(func.count(Phase.id)).where(*conditions))
        return Page([phase_record(p, f, base_url) for p, f, _ in rows], [geom for _, _, geom in rows],
                    [p.id for p, _, _ in rows], matched)

    def items(self, session, query, base_url):
        conditions = self._conditions(session, query)
        if conditions is None:
            return Page([], [], [], 0)
        return self._page(session, conditions, base_url, query.limit, query.offset)

    def item(self, session, feature_id, base_url):
        page = self._page(session, [*self._conditions(session), Phase.id == int_id(feature_id, self)], base_url)
        if not page.ids:
            raise NotFound(f"Fase {feature_id} bestaat niet (of hoort bij een fiche die niet gepubliceerd is).")
        return page

    def spatial_extent(self, session):
        conditions = self._conditions(session)
        boxes = [
            extent(session, Phase.geom, and_(*conditions, Phase.geom.is_not(None))),
            extent(session, Fiche.geom, and_(*conditions, Phase.geom.is_(None))),
        ]
        boxes = [b for b in boxes if b]
        if not boxes:
            return None
        return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))

    def temporal_extent(self, session):
        first, last = session.execute(
            select(func.min(Phase.start), func.max(Phase.end)).where(*self._conditions(session))
        ).one()
        return (first, last) if first or last else None


# -- wijken and their indicators ---------------------------------------------

class AreaBasedCollection(Collection):
    """Rows that take their geometry from a wijk (Area of level wijk)."""
    columns: dict = {}

    def _conditions(self, session, query: ItemsQuery | None = None) -> list | None:
        conditions = [Area.level == "wijk", Area.municipality_id == Municipality.id]
        if query is None:
            return conditions
        conditions += [self.columns[name] == value for name, value in query.filters.items()]
        if query.bbox is not None:
            if query.bbox.envelope is None:
                return None
            conditions.append(box_condition(session, Area.geom, query.bbox))
        return conditions

    def spatial_extent(self, session):
        return extent(session, Area.geom, and_(*self._conditions(session)))

    def items(self, session, query, base_url):
        conditions = self._conditions(session, query)
        if conditions is None:
            return Page([], [], [], 0)
        return self._page(session, conditions, query.limit, query.offset)

    def _page(self, session, conditions, limit=None, offset=0) -> Page:
        raise NotImplementedError


class WijkenCollection(AreaBasedCollection):
    id = "wijken"
    title = "Wijken"
    description = (
        "De wijken van elke stad: de indeling die de stad voor haar statistieken gebruikt (groepen van "
        f"statistische sectoren). Kenmerk-id = wijkcode. {AREA_SOURCE_NOTE}"
    )
    fields = AREA_FIELDS
    columns = {"code": Area.code, "naam": Area.name, "nis_code": Municipality.nis_code}

    def _page(self, session, conditions, limit=None, offset=0):
        areas = load_area_rows(session, *conditions, limit=limit or None, offset=offset)
        matched = session.scalar(select(func.count(Area.id)).where(*conditions))
        return Page([area_record(a) for a in areas], [a.geom for a in areas], [a.code for a in areas], matched)

    def item(self, session, feature_id, base_url):
        page = self._page(session, [*self._conditions(session), Area.code == feature_id])
        if not page.ids:
            raise NotFound(f"Wijk '{feature_id}' bestaat niet.")
        return page


class IndicatorsCollection(AreaBasedCollection):
    id = "indicatoren-wijken"
    title = "Indicatoren per wijk"
    description = (
        "Eén kenmerk per wijk, indicator en periode, met de grens van de wijk: bevolking, vergrijzing, "
        "kinderarmoede, groen ... Waarden met illustratief = true zijn voorbeeldwaarden voor de demo, geen "
        f"metingen. Filter bv. met indicator_code en periode. {AREA_SOURCE_NOTE}"
    )
    fields = INDICATOR_FIELDS
    columns = {"gebied_code": Area.code, "nis_code": Municipality.nis_code, "indicator_code": Indicator.code,
               "periode": IndicatorValue.period, "illustratief": IndicatorValue.illustrative}

    def _conditions(self, session, query=None):
        conditions = super()._conditions(session, query)
        if conditions is None:
            return None
        return [IndicatorValue.area_id == Area.id, IndicatorValue.indicator_id == Indicator.id, *conditions]

    def _page(self, session, conditions, limit=None, offset=0):
        stmt = (select(IndicatorValue).where(*conditions).order_by(IndicatorValue.id).offset(offset)
                .options(selectinload(IndicatorValue.indicator),
                         selectinload(IndicatorValue.area).selectinload(Area.municipality)))
        values = list(session.scalars(stmt.limit(limit) if limit else stmt))
        matched = session.scalar(select(func.count(IndicatorValue.id)).where(*conditions))
        return Page([indicator_record(v) for v in values], [from_db(v.area.geom) for v in values],
                    [v.id for v in values], matched)

    def item(self, session, feature_id, base_url):
        page = self._page(session, [*self._conditions(session), IndicatorValue.id == int_id(feature_id, self)])
        if not page.ids:
            raise NotFound(f"Indicatorwaarde {feature_id} bestaat niet.")
        return page

    def spatial_extent(self, session):
        has_values = exists().where(IndicatorValue.area_id == Area.id)
        return extent(session, Area.geom, and_(Area.level == "wijk", has_values))


# -- registry ------------------------------------------------------------------

STATIC = {c.id: c for c in (PhasesCollection(), WijkenCollection(), IndicatorsCollection())}


def _plans(session: Session) -> dict[int, Plan]:
    plans: dict[int, Plan] = {}
    for plan in session.scalars(select(Plan).order_by(Plan.id)):
        plans.setdefault(plan.municipality_id, plan)
    return plans


def all_collections(session: Session) -> list[Collection]:
    """Every collection, the cities read from the database now; cities that
    are not listed (their settings) stay out of the list, but get_collection
    still finds them by id."""
    plans = _plans(session)
    extents = city_extents(session)
    hidden = unlisted_ids(session)
    cities = [m for m in session.scalars(select(Municipality).order_by(Municipality.name)) if m.id not in hidden]
    return [FichesCollection(m, plans.get(m.id), extents.get(m.id, {})) for m in cities] + list(STATIC.values())


def get_collection(session: Session, collection_id: str) -> Collection:
    if collection_id in STATIC:
        return STATIC[collection_id]
    if collection_id.startswith("fiches-"):
        found = session.execute(
            select(Municipality, Plan).outerjoin(Plan, Plan.municipality_id == Municipality.id)
            .where(Municipality.slug == collection_id[len("fiches-"):]).order_by(Plan.id).limit(1)
        ).first()
        if found is not None:
            return FichesCollection(*found)  # the municipality and its first plan (or None)
    raise NotFound(f"Collectie '{collection_id}' bestaat niet. Zie /ogc/collections voor de lijst.")


__all__ = ["Collection", "FichesCollection", "Page", "all_collections", "get_collection"]
