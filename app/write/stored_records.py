"""Keep the stored public records (app.models.FicheRecord) right: every
write that can change what a published project fiche's record says rebuilds
the records it touches, at commit, in the same transaction (so a reader never
sees a change without its record, nor a record without its change).

A record reads its fiche, the fiche's SDGs, phases, budget lines and
dependencies, the parent's and the dependencies' ref and publication, the
municipality, and the city's wijken (`wijken`, by WijkIndex.shares). So:
- a fiche or one of its children changed: that fiche, plus the fiches that
  point at it (children, dependents), looked up before the flush runs, since
  deleting a fiche unlinks them in the database;
- a wijk, another area or the municipality changed: the whole city;
- a bulk statement on one of those tables (rows unknown): every city, unless
  its caller noted what it changes (removing_city).

Each record keeps its fiche's geometry as GeoJSON text in CRS84 too (the
OGC API's default CRS), written by app.read.features.geojson_texts.

The records are built by app.read.records.fiche_records, the code that builds
them afresh, so a stored record and a built one cannot differ in kind; the
tests compare them after each kind of write (tests/test_stored_records.py).
"""
from __future__ import annotations

from collections.abc import Iterable

import orjson
from sqlalchemy import delete, event, insert, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from ..crs import DECIMALS, WGS84_EPSG
from ..models import Area, BudgetLine, Dependency, Fiche, FicheRecord, FicheSdg, Municipality, Phase
from ..read.features import geojson_texts
from ..read.queries import PROJECT_KINDS, FicheFilters
from ..read.records import fiche_records
from ..read.rows import FicheRow, load_fiche_rows
from ..read.wijk_budgets import city_wijk_index
from ..spatial import in_ids

_PENDING = "fichekaart.records"          # session.info key: what to rebuild at commit
_CHILDREN = (FicheSdg, Phase, BudgetLine, Dependency)
_SCOPED = "fichekaart_records_scoped"   # execution option: the statement's records are already noted
_READ_TABLES = frozenset(t.__tablename__ for t in (Fiche, *_CHILDREN, Area, Municipality))


class Pending:
    """What this transaction changed that records read."""
    __slots__ = ("fiche_ids", "city_ids", "every_city")

    def __init__(self) -> None:
        self.fiche_ids: set[int] = set()
        self.city_ids: set[int] = set()
        self.every_city = False

    def __bool__(self) -> bool:
        return bool(self.fiche_ids or self.city_ids or self.every_city)


def install(factory: sessionmaker) -> None:
    """Listen on the sessions of `factory` (app.db.init_app: the writing sessions)."""
    event.listen(factory, "before_flush", _before_flush)
    event.listen(factory, "after_flush", _after_flush)
    event.listen(factory, "do_orm_execute", _on_execute)
    event.listen(factory, "before_commit", _before_commit)
    event.listen(factory, "after_commit", _forget)
    event.listen(factory, "after_soft_rollback", _forget_on_rollback)


def _pending(session: Session) -> Pending:
    pending = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = Pending()
    return pending


def _before_flush(session: Session, _context, _instances) -> None:
    # Fiches about to change or go: the fiches pointing at them, while the links still exist.
    ids = [o.id for o in (*session.dirty, *session.deleted) if isinstance(o, Fiche) and o.id is not None]
    if ids:
        _pending(session).fiche_ids.update(_pointing_at(session, ids))


def _after_flush(session: Session, _context) -> None:
    fiche_ids: set[int] = set()
    city_ids: set[int] = set()
    for obj in (*session.new, *session.deleted, *(o for o in session.dirty if session.is_modified(o))):
        if isinstance(obj, Fiche):
            fiche_ids.add(obj.id)
            city_ids.update(_left(obj, "municipality_id"))   # moved to another city: the old one's records
        elif isinstance(obj, _CHILDREN):
            fiche_ids.update((obj.fiche_id, *_left(obj, "fiche_id")))
        elif isinstance(obj, Area):
            city_ids.update((obj.municipality_id, *_left(obj, "municipality_id")))
        elif isinstance(obj, Municipality):
            city_ids.add(obj.id)
    if fiche_ids or city_ids:
        pending = _pending(session)
        pending.fiche_ids |= fiche_ids
        pending.city_ids |= city_ids


def _left(obj, attribute: str) -> list[int]:
    """The values `attribute` had before this flush changed it (none if it did not)."""
    return [value for value in inspect(obj).attrs[attribute].history.deleted if value is not None]


def removing_city(session: Session, city_id: int) -> dict:
    """Execution options for the bulk DELETE of municipality `city_id`
    (app.write.cities.remove_city). Its records cascade away with it; the
    records that change elsewhere are those of other cities' fiches that
    point at its fiches, whose links cascade away too: noted here, while the
    links still exist. Without these options a bulk statement rebuilds every
    city (seconds at 30,000 fiches)."""
    own = list(session.scalars(select(Fiche.id).where(Fiche.municipality_id == city_id)))
    pending = _pending(session)
    pending.city_ids.add(city_id)
    if own:
        pending.fiche_ids |= _pointing_at(session, own) - set(own)
    return {_SCOPED: True}


def _on_execute(state) -> None:
    if state.execution_options.get(_SCOPED):
        return
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in _READ_TABLES:
            _pending(state.session).every_city = True


def _before_commit(session: Session) -> None:
    session.flush()  # commit flushes after this event: the last changes, and the events above for them
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    rebuild(session, fiche_ids=pending.fiche_ids, city_ids=pending.city_ids, every_city=pending.every_city)


def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _forget_on_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(_PENDING, None)


def _pointing_at(session: Session, fiche_ids: list[int]) -> set[int]:
    """The fiches whose parent or dependency is one of `fiche_ids`, and those fiches."""
    found = set(fiche_ids)
    found.update(session.scalars(select(Fiche.id).where(in_ids(session, Fiche.parent_id, fiche_ids))))
    found.update(session.scalars(select(Dependency.fiche_id).where(in_ids(session, Dependency.depends_on_id,
                                                                           fiche_ids))))
    return found


def rebuild(session: Session, *, fiche_ids: Iterable[int] = (), city_ids: Iterable[int] = (),
            every_city: bool = False) -> int:
    """Replace the stored records of these fiches, and of every fiche of these
    cities (or of all cities), with records built from the data as it is now
    in this transaction. Returns how many records it wrote."""
    if every_city:
        city_ids = list(session.scalars(select(Municipality.id)))
    city_ids = sorted(set(city_ids))
    fiche_ids = sorted({i for i in fiche_ids if i is not None})
    written = 0
    for city_id in city_ids:
        session.execute(delete(FicheRecord).where(FicheRecord.municipality_id == city_id))
        written += _store(session, load_fiche_rows(session, FicheFilters(
            ids=select(Fiche.id).where(Fiche.municipality_id == city_id))))
    if city_ids and fiche_ids:
        # the fiches of the rebuilt cities are done; the others still to do
        done = set(session.scalars(select(Fiche.id).where(in_ids(session, Fiche.municipality_id, city_ids))))
        fiche_ids = [i for i in fiche_ids if i not in done]
    if fiche_ids:
        session.execute(delete(FicheRecord).where(in_ids(session, FicheRecord.fiche_id, fiche_ids)))
        written += _store(session, _rows_of(session, fiche_ids))
    return written


def fill_missing(session: Session) -> int:
    """Build the records that are missing (a database migrated to 0011, or
    written around the session events); the caller commits."""
    missing = list(session.scalars(select(Fiche.id).where(
        Fiche.id.not_in(select(FicheRecord.fiche_id)), Fiche.published.is_(True), Fiche.kind.in_(PROJECT_KINDS))))
    return _store(session, _rows_of(session, missing)) if missing else 0


def differences(session: Session) -> dict[str, list[int]]:
    """The fiche ids whose stored record is missing, not the one built afresh
    now, or stored without a reason (a draft, a heading): for an operator's
    check (`fichekaart db records`). Builds every record: seconds per 30,000."""
    kept = {fiche_id: (record, geometry) for fiche_id, record, geometry
            in session.execute(select(FicheRecord.fiche_id, FicheRecord.record, FicheRecord.geometry_crs84))}
    fresh = {row.fiche_id: (orjson.loads(row.record), row.geometry_crs84)
             for row in _built(session, load_fiche_rows(session, FicheFilters()))}

    def out_of_date(fiche_id: int) -> bool:
        (record, geometry), (fresh_record, fresh_geometry) = kept[fiche_id], fresh[fiche_id]
        return geometry != fresh_geometry or orjson.loads(record) != fresh_record

    return {
        "ontbrekend": sorted(fresh.keys() - kept.keys()),
        "verouderd": sorted(i for i in fresh.keys() & kept.keys() if out_of_date(i)),
        "overbodig": sorted(kept.keys() - fresh.keys()),
    }


def _rows_of(session: Session, fiche_ids: list[int]) -> list[FicheRow]:
    """The published project fiches among `fiche_ids`, as a record reads them."""
    return load_fiche_rows(session, FicheFilters(ids=select(Fiche.id).where(in_ids(session, Fiche.id, fiche_ids))))


def _store(session: Session, fiches: list[FicheRow]) -> int:
    """Insert the records of `fiches` (published projects, as load_fiche_rows gives them)."""
    rows = _built(session, fiches)
    if rows:
        session.execute(insert(FicheRecord), [{"fiche_id": r.fiche_id, "municipality_id": r.municipality_id,
                                               "record": r.record, "geometry_crs84": r.geometry_crs84}
                                              for r in rows])
    return len(rows)


def _built(session: Session, fiches: list[FicheRow]) -> list[FicheRecord]:
    """The records of `fiches` as rows to store (not added to the session)."""
    by_city: dict[int, list[FicheRow]] = {}
    for fiche in fiches:
        by_city.setdefault(fiche.municipality.id, []).append(fiche)
    out = []
    for city_fiches in by_city.values():
        index = city_wijk_index(session, city_fiches[0].municipality)
        geometries = geojson_texts([f.geom for f in city_fiches], WGS84_EPSG, DECIMALS[WGS84_EPSG])
        for fiche, record, geometry in zip(city_fiches, fiche_records(city_fiches, "", index), geometries):
            del record["url"]  # request-dependent (the host): added when read (app.read.stored_records)
            out.append(FicheRecord(fiche_id=fiche.id, municipality_id=fiche.municipality.id,
                                   record=orjson.dumps(record).decode(), geometry_crs84=geometry))
    return out

