"""The read model: fiches, phases, budget lines and areas as plain rows.

Every public output reads these rows: the maps (city, fiche, wijk and
comparison pages, the staff map), /api, the downloads, and the stored
public records that the OGC API and WFS serve (app.write.stored_records
builds them from these rows; app.read.features turns rows into GeoJSON,
app.read.records into public records). As ORM objects a fiche costs about
half a millisecond; here it is ONE select of the fiches (with municipality,
parent, geometry as WKB and one JSON column per kind of child:
app.spatial.json_rows), put together in small dataclasses with the
attribute names of app.models. One statement instead of one per kind of
child: the round trips and the statement overhead cost more than the JSON.
Geometries are shapely in the storage CRS (app.crs), decoded in one call
per select.

The rows say what a fiche points at (parent, dependencies) and whether that
is published; app.read.records decides what of it a record shows.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import KW_ONLY, dataclass, field
from operator import itemgetter

import orjson
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from ..models import Area, BudgetLine, Dependency, Fiche, FicheSdg, Municipality, Phase
from ..spatial import as_wkb, dialect_name, geometries_from_wkb, json_rows, wkb_hex
from .queries import FicheFilters, fiche_conditions


@dataclass(frozen=True, slots=True)
class MunicipalityRow:
    id: int
    name: str
    slug: str
    nis_code: str


@dataclass(frozen=True, slots=True)
class RefRow:
    """A fiche that another one points at (its parent, a dependency)."""
    ref: str
    published: bool


@dataclass(frozen=True, slots=True)
class DependencyRow:
    depends_on: RefRow | None
    partner: str | None


@dataclass(slots=True)
class PhaseRow:
    id: int
    fiche_id: int
    position: int
    title: str
    phase_kind: str | None
    start: dt.date | None
    end: dt.date | None
    status: str | None
    illustrative: bool
    note: str | None = None                 # public remark (e.g. outside the plan period)
    _: KW_ONLY                              # the columns of _PHASE come positionally, the rest by name
    geom: BaseGeometry | None = None        # the phase's own place (storage CRS)

    def runs_in(self, year: int) -> bool:
        """Dated and overlapping the year: the rule of the time slider
        (layers.phases) and of app.read.queries.phases_active_in_year."""
        return (self.start is not None and self.end is not None
                and self.start <= dt.date(year, 12, 31) and self.end >= dt.date(year, 1, 1))


@dataclass(slots=True)
class BudgetRow:
    id: int
    fiche_id: int
    year: int
    kind: str
    direction: str
    amount_eur: float
    basis: str
    note: str | None
    phase_position: int | None = None    # the phase (by position) whose place the line concerns (app.read.apportion)


@dataclass(slots=True)
class AreaRow:
    """A city, deelgemeente or wijk with its boundary (the attribute names of app.models.Area)."""
    id: int
    code: str
    name: str
    level: str
    source: str | None
    _: KW_ONLY                              # the columns of _AREA come positionally, the rest by name
    municipality: MunicipalityRow
    geom: BaseGeometry | None = None


@dataclass(slots=True)
class FicheHead:
    """What a phase's record shows of its fiche."""
    id: int
    ref: str
    title: str
    _: KW_ONLY              # by name: FicheRow's own columns follow title in its positional arguments
    municipality: MunicipalityRow


@dataclass(slots=True)
class FicheRow(FicheHead):
    """A fiche with what its record reads (the attribute names of app.models.Fiche)."""
    kind: str
    number: str | None
    code: str | None
    summary: str | None
    plain_language: str | None
    sector: str | None
    responsible_service: str | None
    goal_why: str | None
    goal_what: str | None
    goal_gain: str | None
    sdgs_illustrative: bool
    obligation: str | None
    priority: bool | None          # None: niet vermeld
    status: str
    progress_pct: int | None
    state_of_play: str | None
    dependencies_text: str | None
    risks: str | None
    location_description: str | None
    geometry_precision: str | None
    published: bool
    source: str | None
    priority_reason: str | None = None      # why `priority` is inferred ("afgeleid"), None when stated
    status_basis: str | None = None         # where the status comes from and when ("jaarrekening 2022")
    location_source: str | None = None      # the source's words the place rests on
    location_assumption: str | None = None  # what about the place is assumed
    updated_at: dt.datetime | None = None   # last change of the fiche row
    _: KW_ONLY              # the columns of _FICHE come positionally (id to updated_at), the rest by name
    parent: RefRow | None = None
    geom: BaseGeometry | None = None
    sdgs: list[int] = field(default_factory=list)
    phases: list[PhaseRow] = field(default_factory=list)
    budget_lines: list[BudgetRow] = field(default_factory=list)
    dependencies: list[DependencyRow] = field(default_factory=list)


_HEAD = ("id", "ref", "title")
_SCALARS = ("kind", "number", "code", "summary", "plain_language", "sector", "responsible_service", "goal_why",
            "goal_what",
            "goal_gain", "sdgs_illustrative", "obligation", "priority", "status", "progress_pct", "state_of_play",
            "dependencies_text", "risks", "location_description", "geometry_precision", "published", "source",
            "priority_reason", "status_basis", "location_source", "location_assumption", "updated_at")
_FICHE = tuple(getattr(Fiche, name) for name in _HEAD + _SCALARS)
_PARENT = aliased(Fiche, name="parent")
_TARGET = aliased(Fiche, name="target")
_PHASE: tuple = (Phase.id, Phase.fiche_id, Phase.position, Phase.title, Phase.phase_kind, Phase.start, Phase.end,
                  Phase.status, Phase.illustrative, Phase.note)
_MUNICIPALITY = (Municipality.id, Municipality.name, Municipality.slug, Municipality.nis_code)
# The columns of a fiche's children; each kind comes as one JSON column of the
# fiche's own row (_children_columns), sorted in Python in the order of the
# relationships of app.models.Fiche (_rows; the id breaks ties).
_SDGS = (FicheSdg.sdg,)
_BUDGET_LINE = (BudgetLine.id, BudgetLine.fiche_id, BudgetLine.year, BudgetLine.kind, BudgetLine.direction,
                BudgetLine.amount_eur, BudgetLine.basis, BudgetLine.note, BudgetLine.phase_position)


def _children_columns(bind) -> list:
    """The four JSON columns of a fiche's children, for `bind`'s dialect."""
    def rows_of(*columns, where, join=None):
        stmt = select(json_rows(bind, *columns))
        if join is not None:
            stmt = stmt.select_from(join)
        return stmt.where(where).scalar_subquery()

    return [
        rows_of(*_SDGS, where=FicheSdg.fiche_id == Fiche.id),
        rows_of(*_PHASE, wkb_hex(bind, Phase.geom), where=Phase.fiche_id == Fiche.id),
        rows_of(*_BUDGET_LINE, where=BudgetLine.fiche_id == Fiche.id),
        rows_of(Dependency.id, _TARGET.ref, _TARGET.published, Dependency.partner,
                where=Dependency.fiche_id == Fiche.id,
                join=Dependency.__table__.outerjoin(_TARGET, Dependency.depends_on_id == _TARGET.id)),
    ]


class _Municipalities(dict):
    """One MunicipalityRow per municipality id, shared by its fiches."""

    def of(self, municipality_id: int, name: str, slug: str, nis_code: str) -> MunicipalityRow:
        row = self.get(municipality_id)
        if row is None:
            row = self[municipality_id] = MunicipalityRow(municipality_id, name, slug, nis_code)
        return row


def load_fiche_rows(session: Session, filters: FicheFilters) -> list[FicheRow]:
    """The fiches matching `filters` (app.read.queries.fiche_conditions) by id,
    each with its SDGs, phases (by position), budget lines (by year),
    dependencies, parent and municipality: one statement."""
    stmt = _fiches_select(session).where(*fiche_conditions(session, filters)).order_by(Fiche.id)
    return _rows(session.execute(stmt).all())


def load_fiche_row(session: Session, fiche_id: int) -> FicheRow | None:
    """One fiche of any kind, drafts included (the caller decides who may see it)."""
    rows = load_fiche_rows(session, FicheFilters(ids=[fiche_id], kinds=None, include_drafts=True))
    return rows[0] if rows else None


# Built once per dialect: a select of some forty columns, two joins and four
# subqueries costs milliseconds to construct.
_FICHES: dict[str, Select] = {}


def _fiches_select(session: Session) -> Select:
    dialect = dialect_name(session)
    if dialect not in _FICHES:
        _FICHES[dialect] = (
            select(*_FICHE, *_MUNICIPALITY, _PARENT.ref, _PARENT.published, as_wkb(Fiche.geom),
                   *_children_columns(session))
            .join(Municipality, Fiche.municipality_id == Municipality.id)
            .outerjoin(_PARENT, Fiche.parent_id == _PARENT.id)
        )
    return _FICHES[dialect]


def _json_rows(value) -> list:
    """A JSON column of json_rows as a list of row lists ([] for none)."""
    return orjson.loads(value) if value is not None else []


def _date(value) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


# the orders of the relationships of app.models.Fiche, on json_rows' row lists:
# phases by position and budget lines by year (both the third column), then id
_BY_THIRD_THEN_ID, _BY_ID = itemgetter(2, 0), itemgetter(0)


def _in_order(rows: list, key) -> list:
    return rows if len(rows) < 2 else sorted(rows, key=key)


def _rows(rows: Sequence[Sequence]) -> list[FicheRow]:
    """FicheRows from rows of _fiches_select, children included."""
    if not rows:
        return []
    municipalities = _Municipalities()
    scalars = len(_FICHE)
    wkb = scalars + len(_MUNICIPALITY) + 2
    fiches = []
    phase_rows: list[tuple[FicheRow, list]] = []
    for r, geom in zip(rows, geometries_from_wkb([r[wkb] for r in rows])):
        fiche = FicheRow(*r[:scalars], municipality=municipalities.of(*r[scalars:scalars + 4]),
                         parent=RefRow(r[wkb - 2], bool(r[wkb - 1])) if r[wkb - 2] is not None else None, geom=geom)
        sdgs, phases, budget_lines, dependencies = (_json_rows(v) for v in r[wkb + 1:wkb + 5])
        fiche.sdgs = sorted(s[0] for s in sdgs)
        phase_rows += [(fiche, p) for p in _in_order(phases, _BY_THIRD_THEN_ID)]
        fiche.budget_lines = [
            BudgetRow(b[0], b[1], b[2], b[3], b[4], float(b[5]), b[6], b[7], b[8])
            for b in _in_order(budget_lines, _BY_THIRD_THEN_ID)]
        fiche.dependencies = [
            DependencyRow(RefRow(ref, bool(published)) if ref is not None else None, partner)
            for _, ref, published, partner in _in_order(dependencies, _BY_ID)]
        fiches.append(fiche)
    geoms = geometries_from_wkb([p[-1] or None for _, p in phase_rows])  # SQLite's hex(NULL) is ''
    for (fiche, p), geom in zip(phase_rows, geoms):
        fiche.phases.append(PhaseRow(p[0], p[1], p[2], p[3], p[4], _date(p[5]), _date(p[6]), p[7], bool(p[8]), p[9],
                                     geom=geom))
    return fiches


def load_phase_rows(session: Session, conditions: list, *, limit: int | None = None, offset: int = 0,
                    order: Sequence = ()) -> list[tuple[PhaseRow, FicheHead, BaseGeometry | None]]:
    """(phase, its fiche, the place it is shown at: its own or its fiche's)
    for the phases matching `conditions` (on Phase, Fiche and Municipality),
    by `order` (e.g. an OGC sortby) and then by phase id."""
    stmt = (
        select(*_PHASE, as_wkb(Phase.geom), Fiche.ref, Fiche.title, *_MUNICIPALITY, as_wkb(Fiche.geom))
        .select_from(Phase)
        .join(Fiche, Phase.fiche_id == Fiche.id)
        .join(Municipality, Fiche.municipality_id == Municipality.id)
        .where(*conditions)
        .order_by(*order, Phase.id)
        .offset(offset)
    )
    rows = session.execute(stmt if limit is None else stmt.limit(limit)).all()
    n = len(_PHASE)
    own = geometries_from_wkb([r[n] for r in rows])
    fiche_geoms = geometries_from_wkb([r[-1] for r in rows])
    municipalities = _Municipalities()
    out = []
    for r, geom, fiche_geom in zip(rows, own, fiche_geoms):
        fiche = FicheHead(r[1], r[n + 1], r[n + 2], municipality=municipalities.of(*r[n + 3:n + 7]))
        out.append((PhaseRow(*r[:n], geom=geom), fiche, geom if geom is not None else fiche_geom))
    return out


_AREA = (Area.id, Area.code, Area.name, Area.level, Area.source)


def load_area_rows(session: Session, *conditions, limit: int | None = None, offset: int = 0,
                   order: Sequence = ()) -> list[AreaRow]:
    """The areas matching `conditions` (on Area and Municipality), by `order`
    and then by code, in one select."""
    stmt = (select(*_AREA, *_MUNICIPALITY, as_wkb(Area.geom))
            .join(Municipality, Area.municipality_id == Municipality.id)
            .where(*conditions).order_by(*order, Area.code, Area.id).offset(offset))
    rows = session.execute(stmt if limit is None else stmt.limit(limit)).all()
    municipalities = _Municipalities()
    n = len(_AREA)
    return [AreaRow(*r[:n], municipality=municipalities.of(*r[n:n + 4]), geom=geom)
            for r, geom in zip(rows, geometries_from_wkb([r[-1] for r in rows]))]


def load_city_areas(session: Session, municipality_id: int) -> dict[str, list[AreaRow]]:
    """{level: areas by code} of one city, every level in one select."""
    by_level: dict[str, list[AreaRow]] = {}
    for area in load_area_rows(session, Area.municipality_id == municipality_id):
        by_level.setdefault(area.level, []).append(area)
    return by_level
