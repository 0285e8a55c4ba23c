"""Saving a fiche from the workspace: optimistic locking, recording, publishing
and restoring. Each function commits on success; on a conflict it rolls back
and raises FicheConflict, which carries what the editor needs to see.

Optimistic locking works twice: the form carries the version the editor
started from (compared before anything is written), and Fiche.version is
SQLAlchemy's version_id_col, so two saves that pass that check at the same
moment still cannot both win (StaleDataError on the second UPDATE).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ...models import Fiche, FicheRevision, Municipality, Plan, User
from .. import history
from ..readback import GeometryNotStored, refuse_lost_geometries


class FormError(ValueError):
    """A value the database would refuse (e.g. a ref already in use): {field: message}."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass
class Conflict:
    stored_version: int
    their_version: int
    revisions: list[FicheRevision]           # saved by others since their version, oldest first
    rows: list[dict] = field(default_factory=list)  # {"field", "label", "theirs", "stored", "by_other"}
    working: bool = False                    # about a working version (app/write/editing/working.py)
    working_version: int = 0                 # the working version's version now (0: none)
    their_working_version: int = 0


class FicheConflict(Exception):
    def __init__(self, conflict: Conflict):
        super().__init__("conflict")
        self.conflict = conflict


def _comparable(state: dict, keys) -> dict:
    out = {}
    for key in keys:
        value = state.get(key)
        if isinstance(value, list):
            value = [{k: v for k, v in item.items() if k != "id"} if isinstance(item, dict) else item for item in value]
        out[key] = value
    return out


def build_conflict(session: Session, fiche: Fiche, theirs: dict | None, their_version: int) -> Conflict:
    """What changed since `their_version`, and (when the editor submitted a
    form) every field where their input differs from what is stored now."""
    session.refresh(fiche)
    stored = history.snapshot(fiche)
    others = history.changed_since(session, fiche, their_version)
    by_other = {c["field"] for r in others for c in history.changes_of(r)}
    conflict = Conflict(stored_version=fiche.version, their_version=their_version, revisions=others)
    add_conflict_rows(conflict, stored, theirs, by_other)
    return conflict


def add_conflict_rows(conflict: Conflict, stored: dict, theirs: dict | None, by_other: set) -> None:
    """Every field where the editor's input (`theirs`, None: no form) differs
    from what is stored now, marked when another change touched it."""
    if theirs is None:
        return
    keys = [k for k in stored if k in theirs and k != "published"]
    for change in history.diff(_comparable(stored, keys), _comparable(theirs, keys)):
        conflict.rows.append({
            "field": change["field"], "label": history.FIELD_LABELS.get(change["field"], change["field"]),
            "stored": change["old"], "theirs": change["new"], "by_other": change["field"] in by_other,
        })


def check_ref(session: Session, municipality: Municipality, ref: str, fiche: Fiche | None) -> None:
    clash = session.scalar(select(Fiche.id).where(
        Fiche.municipality_id == municipality.id, Fiche.ref == ref, Fiche.id != (fiche.id if fiche else -1)
    ))
    if clash:
        raise FormError({"ref": f"Ref '{ref}' wordt al gebruikt door een andere fiche van {municipality.name}."})


def _commit_or_conflict(session: Session, fiche_id: int | None, theirs: dict | None, their_version: int | None):
    try:
        session.commit()
    except StaleDataError:
        # Someone saved between our version check and our UPDATE.
        session.rollback()
        fiche = session.get(Fiche, fiche_id)
        raise FicheConflict(build_conflict(session, fiche, theirs, their_version)) from None


def save_fiche(session: Session, municipality: Municipality, fiche: Fiche | None, state: dict, user: User,
               their_version: int | None) -> tuple[Fiche, FicheRevision | None, list[str]]:
    """Create (fiche=None) or update a fiche from a parsed form `state`
    (with "geometry" as WKT in EPSG:31370). Returns the fiche, the recorded
    revision (None when nothing changed) and notes for the editor."""
    if fiche is not None and their_version != fiche.version:
        raise FicheConflict(build_conflict(session, fiche, state, their_version or 0))
    check_ref(session, municipality, state["ref"], fiche)
    before = history.snapshot(fiche) if fiche is not None else None
    if fiche is None:
        plan = session.scalar(select(Plan).where(Plan.municipality_id == municipality.id).order_by(Plan.id).limit(1))
        fiche = Fiche(municipality=municipality, plan=plan, ref=state["ref"], title=state["title"], published=False)
        session.add(fiche)
    notes = history.apply_state(session, fiche, state)
    try:
        revision = history.record(session, fiche, user, "aanmaak" if before is None else "wijziging", before)
        refuse_lost_geometries(session, [fiche])
    except StaleDataError:
        session.rollback()
        raise FicheConflict(build_conflict(session, session.get(Fiche, fiche.id), state, their_version or 0)) from None
    except GeometryNotStored as exc:
        session.rollback()
        raise FormError({"geometrie": str(exc)}) from None
    _commit_or_conflict(session, fiche.id, state, their_version)
    return fiche, revision, notes


def set_published(session: Session, fiche: Fiche, published: bool, user: User,
                  their_version: int) -> FicheRevision | None:
    """Publish or unpublish, only when the editor saw the current version."""
    if their_version != fiche.version:
        raise FicheConflict(build_conflict(session, fiche, None, their_version))
    before = history.snapshot(fiche)
    note = None
    if not published:
        from .working import take_into_draft  # working.py builds on this module

        note = take_into_draft(session, fiche)
    fiche.published = published
    try:
        revision = history.record(session, fiche, user, "publicatie" if published else "depublicatie", before,
                                  note=note)
    except StaleDataError:
        session.rollback()
        raise FicheConflict(build_conflict(session, session.get(Fiche, fiche.id), None, their_version)) from None
    _commit_or_conflict(session, fiche.id, None, their_version)
    return revision


def restore_revision(session: Session, fiche: Fiche, revision: FicheRevision, when: str, user: User,
                     their_version: int) -> tuple[FicheRevision | None, list[str]]:
    """Restore the state after (`when`="na") or before ("voor") `revision`."""
    if their_version != fiche.version:
        raise FicheConflict(build_conflict(session, fiche, None, their_version))
    state = history.state_before(revision) if when == "voor" else history.state_after(revision)
    label = "vóór" if when == "voor" else "na"
    stamp = history.local_time(revision.created_at).strftime("%d/%m/%Y %H:%M")
    note = f"Toestand {label} de wijziging van {stamp} ({revision.user_email or 'onbekend'}) hersteld."
    try:
        new_revision, notes = history.restore(session, fiche, state, user, note)
    except StaleDataError:
        session.rollback()
        raise FicheConflict(build_conflict(session, session.get(Fiche, fiche.id), None, their_version)) from None
    _commit_or_conflict(session, fiche.id, None, their_version)
    return new_revision, notes
