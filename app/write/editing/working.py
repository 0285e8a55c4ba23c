"""The working version ("werkversie") of a published fiche (issue 12 item 4).

Saving a published fiche in the workspace writes only its working version
(table fiche_working_versions, one per fiche) and records a revision with
action "werkversie"; every public channel keeps reading the live rows.
"Publiceren" applies the working version to the live rows in one
transaction (history.apply_state, the code the history's "herstel" uses)
and records "publicatie"; "Werkversie verwerpen" deletes it (recorded as
"werkversie" with a note, so the public change log skips it).

Optimistic locking as for fiches: the form carries the fiche version and
the working version's own version it started from (0: none yet), and
FicheWorkingVersion.version is a version_id_col, so two saves that pass the
check at the same moment cannot both win. A working version that started
from an older fiche version (the live fiche changed since, e.g. by an
import) is only published after the editor confirmed it.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ...db import writing
from ...models import Fiche, FicheRevision, FicheWorkingVersion, Municipality, User
from .. import history
from ..data_version import PREVIEW
from ..readback import GeometryNotStored, refuse_lost_geometries
from .service import Conflict, FicheConflict, FormError, add_conflict_rows, build_conflict, check_ref

T = TypeVar("T")

DISCARD_NOTE = "Werkversie verworpen: de gepubliceerde versie blijft zoals ze was."
PUBLISH_NOTE = "Werkversie gepubliceerd."
UNPUBLISH_NOTE = "De werkversie werd mee overgenomen in het ontwerp."


class StaleWorkingVersion(Exception):
    """The live fiche changed after the working version started from it."""

    def __init__(self, working: FicheWorkingVersion, since: list[FicheRevision]):
        super().__init__("stale working version")
        self.working = working
        self.since = since   # revisions of the live fiche after base_version, oldest first


def working_version_of(session: Session, fiche: Fiche) -> FicheWorkingVersion | None:
    return session.scalar(select(FicheWorkingVersion).where(FicheWorkingVersion.fiche_id == fiche.id))


def edits_working_version(fiche: Fiche | None, working: FicheWorkingVersion | None) -> bool:
    """Whether the form of `fiche` saves into a working version: always for
    a published fiche, and whenever one exists (e.g. an import unpublished it)."""
    return fiche is not None and (working is not None or bool(fiche.published))


def state_of(working: FicheWorkingVersion) -> dict:
    """The working version's state (a snapshot with the live rows' ids)."""
    return json.loads(working.snapshot)


def editing_state(session: Session, fiche: Fiche) -> dict:
    """What the form shows: the working version when there is one, else the fiche."""
    working = working_version_of(session, fiche)
    return state_of(working) if working is not None else history.snapshot(fiche, with_ids=True)


def _normalised(base: dict, form_state: dict) -> dict:
    """The form's state over `base`, in the shape and order history.snapshot
    gives (so that comparing with the live fiche shows real changes only)."""
    state = {**base, **{k: v for k, v in form_state.items() if k != "published"}}
    state["sdgs"] = sorted(set(state.get("sdgs") or []))
    state["phases"] = sorted(
        ({**row, "illustrative": bool(row.get("illustrative"))} for row in state.get("phases") or []),
        key=lambda r: r.get("position") or 0)
    state["budget_lines"] = sorted(
        ({**row, "amount_eur": None if row.get("amount_eur") is None else float(row["amount_eur"])}
         for row in state.get("budget_lines") or []),
        key=lambda r: r.get("year") or 0)
    return state


def working_conflict(session: Session, fiche: Fiche, theirs: dict | None, their_version: int,
                     their_working: int) -> Conflict:
    """What the editor needs to see when the fiche or its working version
    moved on since their form: the werkversie saves by others and every field
    where their input differs from the stored working version (or fiche)."""
    session.refresh(fiche)
    working = working_version_of(session, fiche)
    if working is None:
        conflict = build_conflict(session, fiche, theirs, their_version)
        conflict.working_version = 0
        return conflict
    session.refresh(working)
    stored = state_of(working)
    newer = max(0, working.version - their_working) if their_working else working.version
    others = list(session.scalars(
        select(FicheRevision).where(FicheRevision.fiche_id == fiche.id, FicheRevision.action == "werkversie")
        .order_by(FicheRevision.id.desc()).limit(newer)
    ))[::-1] if newer else []
    others = [*history.changed_since(session, fiche, their_version), *others]
    by_other = {c["field"] for r in others for c in history.changes_of(r)}
    conflict = Conflict(stored_version=fiche.version, their_version=their_version, revisions=others,
                        working=True, working_version=working.version, their_working_version=their_working)
    add_conflict_rows(conflict, stored, theirs, by_other)
    return conflict


def _guarded(session: Session, fiche_id: int, theirs: dict | None, their_version: int, their_working: int,
             work: Callable[[], T]) -> T:
    """Run `work` and commit; a lost race (StaleDataError on either version
    counter, or a second working version for the fiche) becomes a conflict."""
    try:
        result = work()
        session.commit()
        return result
    except (StaleDataError, IntegrityError):
        session.rollback()
        fiche = session.get(Fiche, fiche_id)
        raise FicheConflict(working_conflict(session, fiche, theirs, their_version, their_working)) from None


def save_working(session: Session, municipality: Municipality, fiche: Fiche, form_state: dict, user: User,
                 their_version: int | None, their_working: int | None
                 ) -> tuple[FicheWorkingVersion | None, FicheRevision | None]:
    """Save the parsed form (`form_state`, "geometry" as WKT) into the
    fiche's working version, creating it when needed. The live fiche is not
    touched. Returns the working version and the revision (None: nothing changed)."""
    working = working_version_of(session, fiche)
    seen_working = their_working or 0
    if their_version != fiche.version or seen_working != (working.version if working else 0):
        raise FicheConflict(working_conflict(session, fiche, form_state, their_version or 0, seen_working))
    check_ref(session, municipality, form_state["ref"], fiche)
    before = state_of(working) if working is not None else history.snapshot(fiche, with_ids=True)
    after = _normalised(before, form_state)
    if history.without_ids(after) == history.without_ids(before):
        return working, None

    def write() -> FicheRevision | None:
        nonlocal working
        if working is None:
            working = FicheWorkingVersion(fiche_id=fiche.id, base_version=fiche.version)
            session.add(working)
        working.snapshot = json.dumps(after, ensure_ascii=False)
        working.user_id = user.id
        working.updated_at = dt.datetime.now(dt.UTC)
        session.flush()
        return history.record_states(session, fiche, user, "werkversie", before, after)

    revision = _guarded(session, fiche.id, form_state, their_version or 0, seen_working, write)
    return working, revision


def _check_seen(session: Session, fiche: Fiche, working: FicheWorkingVersion | None, their_version: int,
                their_working: int) -> FicheWorkingVersion:
    if working is None or working.version != their_working or fiche.version != their_version:
        raise FicheConflict(working_conflict(session, fiche, None, their_version, their_working))
    return working


def publish_working(session: Session, fiche: Fiche, user: User, their_version: int, their_working: int,
                    confirmed_base: int | None = None) -> tuple[FicheRevision | None, list[str]]:
    """Apply the working version to the live rows, record "publicatie" and
    delete the working version, in one transaction. When the live fiche
    changed since the working version started (base_version), raise
    StaleWorkingVersion unless the editor confirmed the current version
    (`confirmed_base` == fiche.version)."""
    working = _check_seen(session, fiche, working_version_of(session, fiche), their_version, their_working)
    if working.base_version != fiche.version and confirmed_base != fiche.version:
        raise StaleWorkingVersion(working, history.changed_since(session, fiche, working.base_version))
    state = state_of(working)

    def write() -> tuple[FicheRevision | None, list[str]]:
        before = history.snapshot(fiche)
        notes = history.apply_state(session, fiche, state)
        fiche.published = True
        revision = history.record(session, fiche, user, "publicatie", before, note=PUBLISH_NOTE)
        refuse_lost_geometries(session, [fiche])
        session.delete(working)
        session.flush()
        return revision, notes

    try:
        return _guarded(session, fiche.id, None, their_version, their_working, write)
    except GeometryNotStored as exc:
        session.rollback()
        raise FormError({"geometrie": str(exc)}) from None


def discard_working(session: Session, fiche: Fiche, user: User, their_version: int,
                    their_working: int) -> FicheRevision | None:
    """Delete the working version; recorded (action "werkversie", with a note)."""
    working = _check_seen(session, fiche, working_version_of(session, fiche), their_version, their_working)
    before = state_of(working)

    def write() -> FicheRevision | None:
        session.delete(working)
        session.flush()
        return history.record_states(session, fiche, user, "werkversie", before,
                                     history.snapshot(fiche), note=DISCARD_NOTE)

    return _guarded(session, fiche.id, None, their_version, their_working, write)


def take_into_draft(session: Session, fiche: Fiche) -> str | None:
    """Before a fiche goes back to draft: its working version becomes the
    draft's content (nobody outside the workspace sees a draft, so nothing
    leaks and nothing typed is lost). Applies it without flushing; returns
    the note for the revision, or None when there was no working version."""
    working = working_version_of(session, fiche)
    if working is None:
        return None
    history.apply_state(session, fiche, state_of(working))
    session.delete(working)
    return UNPUBLISH_NOTE


def render_with_working_version(session: Session, fiche: Fiche, working: FicheWorkingVersion,
                                render: Callable[[Fiche], T]) -> T:
    """`render(fiche)` with the working version applied to the fiche's rows
    inside a transaction that is always rolled back: the page is built by
    the same code (and the same read-model queries) as the public page, and
    nothing is committed. The data version is not counted (data_version.PREVIEW).
    On SpatiaLite the transaction takes the write lock up front (a read
    transaction cannot wait for it later), for the time of one page render."""
    session.rollback()  # end the read transaction of the request so far
    session.info[PREVIEW] = True
    try:
        with writing():
            history.apply_state(session, fiche, state_of(working))
            session.flush()
            return render(fiche)
    finally:
        session.rollback()
        session.info.pop(PREVIEW, None)


def comparison(session: Session, fiche: Fiche, working: FicheWorkingVersion) -> list[dict]:
    """Field by field, the public (live) version against the working
    version: [{"field", "label", "public", "working"}] for every difference."""
    public = history.snapshot(fiche)
    rows = []
    for change in history.diff(public, history.without_ids(state_of(working))):
        if change["field"] == "published":
            continue
        rows.append({"field": change["field"], "label": history.FIELD_LABELS.get(change["field"], change["field"]),
                     "public": change["old"], "working": change["new"]})
    return rows
