"""The collections the API serves, and the registry the routes use.

- fiches-<slug>: the published projects of one city (app.ogcapi.fiches),
  one per municipality in the database at request time, every geometry type;
  fiches-<slug>-punten / -lijnen / -vlakken / -zonder-ligging: the same split
  by geometry family (app.geometry_families), one Multi type each;
- fasen: dated phases of published projects, all cities, with their own
  geometry or their fiche's; fasen-<slug>-punten / -lijnen / -vlakken /
  -zonder-ligging: every phase of one city's published projects, by the
  family of the place shown (the same rows as the downloads' fasen_* layers);
- wijken: the areas of level wijk, all cities;
- indicatoren-wijken: one feature per wijk x indicator x period.

Drafts never come out: every fiche condition goes through
app.read.queries.fiche_conditions (published only, project kinds only), also
for the phases. Geometries stay in EPSG:31370 here; documents convert them.
"""
from __future__ import annotations

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from ..geometry_families import FAMILY_TYPES, NO_PLACE
from ..http.kept import kept
from ..models import Area, Fiche, Indicator, IndicatorValue, Municipality, Phase, Plan
from ..read.city_settings import unlisted_ids
from ..read.queries import FicheFilters, fiche_conditions
from ..read.records import (
    AREA_FIELDS,
    CITY_FIGURE_FIELDS,
    INDICATOR_FIELDS,
    PHASE_FIELDS,
    area_record,
    city_figure_record,
    indicator_record,
    phase_record,
)
from ..read.rows import MunicipalityRow, load_area_rows, load_phase_rows
from ..spatial import extent, extents_by, from_db
from .base import (
    Collection,
    Page,
    box_condition,
    family_page,
    int_id,
    period_overlaps,
    shown_family_condition,
    split_id,
)
from .errors import NotFound
from .fiches import FichesCollection, PlanHead, city_extents, family_note, family_title
from .params import ItemsQuery

AREA_SOURCE_NOTE = "Gebiedsgrenzen: Bron: Statbel, Provincies in Cijfers."


# -- phases, all cities ------------------------------------------------------

def published_phases(session: Session) -> list:
    """Phases of published projects, joined to their fiche and municipality."""
    return [Phase.fiche_id == Fiche.id, Fiche.municipality_id == Municipality.id,
            *fiche_conditions(session, FicheFilters())]


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
               "status": Phase.status, "illustratief": Phase.illustrative, "nis_code": Municipality.nis_code,
               "start": Phase.start, "einde": Phase.end}

    def geometry_sql(self):
        return func.coalesce(Phase.geom, Fiche.geom)  # the place the phase is shown at

    def __init__(self, municipality: Municipality | MunicipalityRow | None = None, family: str | None = None,
                 known_extents: dict | None = None):
        """No arguments: `fasen`, all cities. A city and a family: fasen-<slug>-<family>
        (`known_extents`: its extents computed for all cities at once, phase_city_extents)."""
        self.municipality, self.family, self.known_extents = municipality, family, known_extents
        if municipality is not None and family is not None:
            self.id = f"fasen-{municipality.slug}-{family.replace('_', '-')}"
            self.title = f"Fasen van de projecten van {municipality.name}: {family_title(family)}"
            self.geometry_type = FAMILY_TYPES.get(family)
            self.description = (
                f"{family_note(family)}Alle fasen van de gepubliceerde projecten van {municipality.name} (ook "
                "zonder datum), met de ligging van de fase zelf of anders die van haar fiche (eigen_geometrie). "
                "Dezelfde rijen als de laag fasen_" + family + " van de downloads. De planning is in deze demo "
                "illustratief (veld illustratief = true): voorbeelddata, geen beslissingen."
            )

    def _conditions(self, session, query: ItemsQuery | None = None) -> list | None:
        conditions = published_phases(session)
        if self.family is None:
            # the rule of app.read.features.mapped_phases: dated, with a place
            conditions += [Phase.start.is_not(None), Phase.end.is_not(None),
                           or_(Phase.geom.is_not(None), Fiche.geom.is_not(None))]
        else:
            conditions += [Fiche.municipality_id == self.municipality.id,
                           shown_family_condition(Phase.geom, Fiche.geom, self.family)]
        if query is None:
            return conditions
        conditions += [self.columns[name] == value for name, value in query.filters.items()]
        conditions += self.query_conditions(session, query)
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

    def _page(self, session, conditions, base_url, limit=None, offset=0, order=()) -> Page:
        rows = load_phase_rows(session, conditions, limit=limit or None, offset=offset, order=order)
        matched = session.scalar(select(func.count(Phase.id)).where(*conditions))
        page = Page([phase_record(p, f, base_url) for p, f, _ in rows], [geom for _, _, geom in rows],
                    [p.id for p, _, _ in rows], matched)
        return family_page(page, self.family)

    def items(self, session, query, base_url):
        conditions = self._conditions(session, query)
        if conditions is None:
            return Page([], [], [], 0)
        return self._page(session, conditions, base_url, query.limit, query.offset, self.query_order(session, query))

    def item(self, session, feature_id, base_url):
        page = self._page(session, [*self._conditions(session), Phase.id == int_id(feature_id, self)], base_url)
        if not page.ids:
            raise NotFound(f"Fase {feature_id} bestaat niet (of hoort bij een fiche die niet gepubliceerd is).")
        return page

    def spatial_extent(self, session):
        if self.known_extents is not None:
            return self.known_extents.get("spatial")
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
        if self.known_extents is not None:
            return self.known_extents.get("temporal")
        first, last = session.execute(
            select(func.min(Phase.start), func.max(Phase.end)).where(*self._conditions(session))
        ).one()
        return (first, last) if first or last else None


def _union(boxes) -> tuple[float, float, float, float] | None:
    boxes = [b for b in boxes if b]
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def phase_city_extents(session: Session, family: str) -> dict[int, dict]:
    """{municipality id: {"spatial", "temporal"}} of every city's phase
    collection of one family, in three grouped queries (the rules of
    PhasesCollection.spatial_extent and temporal_extent)."""
    conditions = and_(*published_phases(session), shown_family_condition(Phase.geom, Fiche.geom, family))
    city = Fiche.municipality_id
    own = extents_by(session, Phase.geom, city, and_(conditions, Phase.geom.is_not(None)))
    inherited = extents_by(session, Fiche.geom, city, and_(conditions, Phase.geom.is_(None)))
    dates = {c: (first, last) for c, first, last in session.execute(
        select(city, func.min(Phase.start), func.max(Phase.end)).where(conditions).group_by(city))}
    return {c: {"spatial": _union([own.get(c), inherited.get(c)]),
                "temporal": dates[c] if c in dates and any(dates[c]) else None}
            for c in set(own) | set(inherited) | set(dates)}


# -- wijken and their indicators ---------------------------------------------

class AreaBasedCollection(Collection):
    """Rows that take their geometry from a wijk (Area of level wijk)."""
    def geometry_sql(self):
        return Area.geom

    def _conditions(self, session, query: ItemsQuery | None = None) -> list | None:
        conditions = [Area.level == "wijk", Area.municipality_id == Municipality.id]
        if query is None:
            return conditions
        conditions += [self.columns[name] == value for name, value in query.filters.items()]
        conditions += self.query_conditions(session, query)
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
        return self._page(session, conditions, query.limit, query.offset, self.query_order(session, query))

    def _page(self, session, conditions, limit=None, offset=0, order=()) -> Page:
        raise NotImplementedError


class WijkenCollection(AreaBasedCollection):
    id = "wijken"
    title = "Wijken"
    description = (
        "De wijken van elke stad: de indeling die de stad voor haar statistieken gebruikt (groepen van "
        f"statistische sectoren). Kenmerk-id = wijkcode. {AREA_SOURCE_NOTE}"
    )
    fields = AREA_FIELDS
    geometry_type = "MultiPolygon"
    columns = {"code": Area.code, "naam": Area.name, "nis_code": Municipality.nis_code}

    def _page(self, session, conditions, limit=None, offset=0, order=()):
        areas = load_area_rows(session, *conditions, limit=limit or None, offset=offset, order=order)
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
    geometry_type = "MultiPolygon"
    columns = {"gebied_code": Area.code, "nis_code": Municipality.nis_code, "indicator_code": Indicator.code,
               "periode": IndicatorValue.period, "illustratief": IndicatorValue.illustrative,
               "waarde": IndicatorValue.value}

    def _conditions(self, session, query=None):
        conditions = super()._conditions(session, query)
        if conditions is None:
            return None
        return [IndicatorValue.area_id == Area.id, IndicatorValue.indicator_id == Indicator.id, *conditions]

    def _page(self, session, conditions, limit=None, offset=0, order=()):
        stmt = (select(IndicatorValue).where(*conditions).order_by(*order, IndicatorValue.id).offset(offset)
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


# -- the real city figures -----------------------------------------------------

class CityFiguresCollection(Collection):
    """The real city-level figures of the sources (the page "<Stad> in cijfers",
    app.read.pages.real_city_figures): no geometry, exactly as the source gives them."""
    id = "stadscijfers"
    title = "De stad in cijfers"
    description = (
        "De echte cijfers van elke stad uit haar bronnen (bv. de omgevingsanalyse): waarde, vergelijking "
        "(provincie, Vlaanderen ...), eenheid, periode zoals de bron ze geeft ('niet vermeld' als de bron er "
        "geen geeft), de bron en het letterlijke citaat. Geen illustratieve waarden; geen geometrie."
    )
    fields = CITY_FIGURE_FIELDS
    geometry_type = None
    columns = {"nis_code": Municipality.nis_code, "indicator_code": Indicator.code, "periode": IndicatorValue.period}

    def _conditions(self, query: ItemsQuery | None = None) -> list:
        conditions = [IndicatorValue.area_id == Area.id, IndicatorValue.indicator_id == Indicator.id,
                      Area.municipality_id == Municipality.id, Area.level == "gemeente",
                      IndicatorValue.illustrative.is_(False)]
        if query is not None:
            conditions += [self.columns[name] == value for name, value in query.filters.items()]
        return conditions

    def _page(self, session, conditions, limit=None, offset=0) -> Page:
        stmt = (select(IndicatorValue).where(*conditions).order_by(IndicatorValue.id).offset(offset)
                .options(selectinload(IndicatorValue.indicator),
                         selectinload(IndicatorValue.area).selectinload(Area.municipality)))
        values = list(session.scalars(stmt.limit(limit) if limit else stmt))
        matched = session.scalar(select(func.count(IndicatorValue.id)).where(*conditions))
        return Page([city_figure_record(v) for v in values], [None] * len(values), [v.id for v in values], matched)

    def items(self, session, query, base_url):
        if query.bbox is not None:  # nothing without a place lies in a box
            return Page([], [], [], 0)
        return self._page(session, self._conditions(query), query.limit, query.offset)

    def item(self, session, feature_id, base_url):
        page = self._page(session, [*self._conditions(), IndicatorValue.id == int_id(feature_id, self)])
        if not page.ids:
            raise NotFound(f"Stadscijfer {feature_id} bestaat niet.")
        return page

    def spatial_extent(self, session):
        return None


# -- registry ------------------------------------------------------------------

STATIC = {c.id: c for c in (PhasesCollection(), WijkenCollection(), IndicatorsCollection(),
                            CityFiguresCollection())}


def _plans(session: Session) -> dict[int, Plan]:
    plans: dict[int, Plan] = {}
    for plan in session.scalars(select(Plan).order_by(Plan.id)):
        plans.setdefault(plan.municipality_id, plan)
    return plans


# the split every city has, for fiches and for phases
FAMILIES = (*FAMILY_TYPES, NO_PLACE)


def all_collections(session: Session) -> list[Collection]:
    """Every collection, the cities read from the database now: per city the
    all-types fiches collection, the fiches per family and the phases per
    family. Cities that are not listed (their settings) stay out of the list,
    but get_collection still finds them by id."""
    plans = _plans(session)
    extents = {None: city_extents(session), **{f: city_extents(session, f) for f in FAMILIES}}
    phase_extents = {f: phase_city_extents(session, f) for f in FAMILIES}
    hidden = unlisted_ids(session)
    out: list[Collection] = []
    for m in session.scalars(select(Municipality).order_by(Municipality.name)):
        if m.id in hidden:
            continue
        out += [FichesCollection(m, plans.get(m.id), extents[family].get(m.id, {}), family)
                for family in (None, *FAMILIES)]
        out += [PhasesCollection(m, family, phase_extents[family].get(m.id, {})) for family in FAMILIES]
    return out + list(STATIC.values())


def _city(session: Session, slug: str) -> tuple[MunicipalityRow, PlanHead | None] | None:
    """The municipality and its first plan (or None), as plain rows kept until
    the data version changes: every items page asks for its collection."""
    return kept(session, ("ogc city", slug), lambda: _read_city(session, slug))


def _read_city(session: Session, slug: str) -> tuple[MunicipalityRow, PlanHead | None] | None:
    found = session.execute(
        select(Municipality.id, Municipality.name, Municipality.slug, Municipality.nis_code, Plan.title, Plan.period)
        .outerjoin(Plan, Plan.municipality_id == Municipality.id)
        .where(Municipality.slug == slug).order_by(Plan.id).limit(1)
    ).first()
    if found is None:
        return None
    return MunicipalityRow(*found[:4]), PlanHead(found[4], found[5]) if found[4] is not None else None


def get_collection(session: Session, collection_id: str) -> Collection:
    if collection_id in STATIC:
        return STATIC[collection_id]
    fiches, phases = split_id(collection_id, "fiches-"), split_id(collection_id, "fasen-")
    if fiches is not None:
        slug, family = fiches
        city = _city(session, slug)
        if city is not None:
            return FichesCollection(*city, family=family)
        if family is not None and (city := _city(session, f"{slug}-{family.replace('_', '-')}")) is not None:
            return FichesCollection(*city)  # a city whose slug ends like a family
    if phases is not None and phases[1] is not None:
        city = _city(session, phases[0])
        if city is not None:
            return PhasesCollection(city[0], phases[1])
    raise NotFound(f"Collectie '{collection_id}' bestaat niet. Zie /ogc/collections voor de lijst.")


__all__ = ["Collection", "FichesCollection", "Page", "all_collections", "get_collection"]
