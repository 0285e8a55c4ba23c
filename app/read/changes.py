"""The public change history of fiches ("Wat is er veranderd?"), derived
from the staff history (FicheRevision) and nothing else: no second copy.

The rule (COMMON contract, issue 12 item 4 and issue 16):
- take a fiche's revisions in time order, skip action "werkversie" (a staff
  working version that no visitor has seen);
- keep the revisions whose snapshot has "published": true;
- each public event is the difference between consecutive kept snapshots,
  told in plain Dutch (app.read.change_text), restricted to what a citizen
  cares about (PUBLIC_FIELDS). Staff names, staff_note and other internal
  fields never reach an event.

The first kept revision is compared with the state just before it: when the
fiche was already published then (a fiche published by the seed import,
which records no revision), its changes are told; otherwise it is the
publication itself.

Everything here is pure (dicts and dataclasses in, dataclasses out) except
`load_public_revisions`, the one query.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import FicheRevision
from .change_text import budget_by_year, describe, is_illustrative_year

# What a public event may tell (never staff_note, status_basis, sources ...).
PUBLIC_FIELDS = ("title", "status", "progress_pct", "location_description", "geometry", "phases",
                 "budget_lines", "progress_reports")
DRAFT_ACTIONS = frozenset({"werkversie"})


@dataclass(frozen=True)
class RevisionRecord:
    """What the derivation needs of one FicheRevision."""
    id: int
    fiche_id: int
    action: str
    at: dt.datetime                 # UTC
    snapshot: dict                  # the whole fiche after the revision
    before: dict | None             # the whole fiche just before (None: a new fiche)


@dataclass(frozen=True)
class ChangeEvent:
    """One change a citizen may read: a published state that differs from the
    previous published one."""
    revision_id: int                # stable: the feed entry id and the digest's "already mailed" key
    fiche_id: int
    at: dt.datetime                 # UTC
    kind: str                       # "publicatie" | "wijziging"
    title: str                      # the fiche's title after the change
    sentences: tuple[str, ...]


def _public(state: dict | None) -> dict:
    return {name: (state or {}).get(name) for name in PUBLIC_FIELDS}


def kept_states(revisions: Sequence[RevisionRecord]) -> list[tuple[RevisionRecord | None, dict]]:
    """[(revision, published state)] oldest first, per the public-history rule.
    The first item has revision None when the fiche was already published
    before its first kept revision (its state then is that revision's `before`)."""
    kept: list[tuple[RevisionRecord | None, dict]] = []
    for revision in sorted(revisions, key=lambda r: (r.at, r.id)):
        if revision.action in DRAFT_ACTIONS or not revision.snapshot.get("published"):
            continue
        if not kept and revision.before and revision.before.get("published"):
            kept.append((None, revision.before))
        kept.append((revision, revision.snapshot))
    return kept


def public_events(revisions: Sequence[RevisionRecord]) -> list[ChangeEvent]:
    """The public change events of ONE fiche, oldest first."""
    events = []
    previous: dict | None = None
    for revision, state in kept_states(revisions):
        if revision is not None:
            title = str(state.get("title") or "")
            if previous is None:
                events.append(ChangeEvent(revision.id, revision.fiche_id, revision.at, "publicatie", title,
                                          ("De fiche werd gepubliceerd.",)))
            else:
                sentences = describe(_public(previous), _public(state))
                if sentences:
                    events.append(ChangeEvent(revision.id, revision.fiche_id, revision.at, "wijziging", title,
                                              tuple(sentences)))
        previous = state
    return events


def events_of_fiches(revisions: Iterable[RevisionRecord]) -> list[ChangeEvent]:
    """The public events of many fiches, newest first."""
    by_fiche: dict[int, list[RevisionRecord]] = {}
    for revision in revisions:
        by_fiche.setdefault(revision.fiche_id, []).append(revision)
    events = [e for group in by_fiche.values() for e in public_events(group)]
    return sorted(events, key=lambda e: (e.at, e.revision_id), reverse=True)


# The budget trail ---------------------------------------------------------

@dataclass
class BudgetYearTrail:
    """The expenses of one year as they were published: first, every revision, now."""
    year: int
    first_amount: float | None
    first_at: dt.datetime | None            # None: published before the history starts
    revisions: list[tuple[dt.datetime, float | None]] = field(default_factory=list)  # None: removed
    current: float | None = None
    illustrative: bool = False


def budget_trail(revisions: Sequence[RevisionRecord]) -> list[BudgetYearTrail]:
    """Per year, the published expense total over time (only published
    states count, as in the change log). Empty when nothing was published."""
    trails: dict[int, BudgetYearTrail] = {}
    last: dict[int, float] = {}
    for revision, state in kept_states(revisions):
        at = revision.at if revision is not None else None
        totals = budget_by_year(state.get("budget_lines") or [], "uitgave")
        for year, amount in totals.items():
            trail = trails.get(year)
            if trail is None:
                trails[year] = BudgetYearTrail(year, amount, at)
            elif last.get(year) != amount:
                trail.revisions.append((at, amount))
            if is_illustrative_year(state.get("budget_lines") or [], year):
                trails[year].illustrative = True
        for year in set(last) - set(totals):
            trails[year].revisions.append((at, None))
        last = totals
    for year, trail in trails.items():
        trail.current = last.get(year)
    return [trails[y] for y in sorted(trails)]


# The one query ------------------------------------------------------------

def _utc(value: dt.datetime) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _record(revision: FicheRevision) -> RevisionRecord:
    after = json.loads(revision.snapshot)
    before = None
    changes = json.loads(revision.changes)
    if revision.action != "aanmaak":
        before = dict(after)
        for change in changes:
            before[change["field"]] = change["old"]
    return RevisionRecord(revision.id, revision.fiche_id, revision.action, _utc(revision.created_at), after, before)


def load_public_revisions(session: Session, fiche_ids: Iterable[int] | None = None) -> list[RevisionRecord]:
    """The whole history of these fiches (all fiches when None), as records:
    whole, because each event compares with the published state before it."""
    query = select(FicheRevision).where(FicheRevision.fiche_id.is_not(None))
    if fiche_ids is not None:
        ids = list(fiche_ids)
        if not ids:
            return []
        query = query.where(FicheRevision.fiche_id.in_(ids))
    return [_record(r) for r in session.scalars(query.order_by(FicheRevision.created_at, FicheRevision.id))]
