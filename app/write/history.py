"""Every change to a fiche made in the workspace is recorded: who, when,
which fields, old and new values (geometry as WKT in EPSG:31370), and the
whole state after the change, so any earlier state can be restored (and the
restore is itself a recorded change).

A state ("snapshot") is a plain JSON-able dict; `diff` compares two of them.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..auth import as_utc
from ..models import BudgetLine, Dependency, Fiche, FicheRevision, FicheSdg, Phase, ProgressReport, User
from ..spatial import from_db, to_db

SCALAR_FIELDS = (
    "ref", "kind", "number", "code", "title", "summary", "plain_language", "sector", "responsible_service",
    "goal_why", "goal_what", "goal_gain", "sdgs_illustrative", "obligation", "priority", "status",
    "progress_pct", "state_of_play", "dependencies_text", "risks", "location_description",
    "geometry_precision", "source", "published",
    "priority_reason", "status_basis", "location_source", "location_assumption", "staff_note",
)
PHASE_FIELDS = ("position", "title", "phase_kind", "start", "end", "status", "illustrative", "note", "geometry")
BUDGET_FIELDS = ("year", "kind", "direction", "amount_eur", "basis", "note", "phase_position")
REPORT_FIELDS = ("period_label", "report_date", "text", "progress_pct", "source")

# Dutch labels for history pages and conflict tables.
FIELD_LABELS = {
    "ref": "Ref", "kind": "Soort", "number": "Nummer", "code": "Code", "title": "Titel",
    "summary": "Samenvatting", "plain_language": "Wat verandert er voor jou?", "sector": "Sector",
    "responsible_service": "Verantwoordelijke dienst",
    "goal_why": "Doel: waarom", "goal_what": "Doel: wat willen we bereiken", "goal_gain": "Doel: wat winnen we",
    "sdgs": "SDG's", "sdgs_illustrative": "SDG's illustratief", "obligation": "Verplicht of keuze",
    "priority": "Prioritair", "status": "Status", "progress_pct": "Voortgang (%)",
    "state_of_play": "Stand van zaken", "dependencies_text": "Afhankelijkheden (tekst)", "risks": "Risico's",
    "location_description": "Locatie", "geometry_precision": "Ligging (nauwkeurigheid)", "source": "Bron",
    "published": "Gepubliceerd",
    "priority_reason": "Prioritair: afgeleid, waarom", "status_basis": "Status volgens",
    "location_source": "Ligging: woorden van de bron", "location_assumption": "Ligging: aanname",
    "staff_note": "Interne opmerking (alleen voor medewerkers)", "parent": "Ouder in de boom",
    "geometry": "Geometrie (WKT, EPSG:31370)",
    "depends_on": "Hangt af van (fiches)", "partners": "Externe partners", "phases": "Fasen",
    "budget_lines": "Budgetlijnen", "progress_reports": "Voortgangsrapporten",
}
ACTION_LABELS = {
    "aanmaak": "Aangemaakt", "wijziging": "Gewijzigd", "publicatie": "Gepubliceerd",
    "depublicatie": "Teruggezet naar ontwerp", "herstel": "Eerdere versie hersteld", "import": "Bulkimport",
    "werkversie": "Werkversie (niet publiek)",
}


BRUSSELS = ZoneInfo("Europe/Brussels")


def local_time(value: dt.datetime) -> dt.datetime:
    """A stored (UTC) timestamp in Belgian time, for display."""
    return as_utc(value).astimezone(BRUSSELS)


def wkt_of(geom) -> str | None:
    """WKT of a shapely geometry in EPSG:31370, to the millimetre."""
    return None if geom is None else shapely.to_wkt(geom, rounding_precision=3, trim=True)


def geometry_wkt(value) -> str | None:
    """WKT of a stored geometry column value."""
    return wkt_of(from_db(value))


def _plain(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def snapshot(fiche: Fiche, *, with_ids: bool = False) -> dict:
    """The state of a fiche as a JSON-able dict (what a revision keeps).
    with_ids adds the database id of each row (phases ...) for the form."""
    state = {name: _plain(getattr(fiche, name)) for name in SCALAR_FIELDS}
    state["priority"] = None if fiche.priority is None else bool(fiche.priority)  # None: niet vermeld
    state["published"] = bool(fiche.published)
    state["sdgs_illustrative"] = bool(fiche.sdgs_illustrative)
    state["sdgs"] = sorted(link.sdg for link in fiche.sdg_links)
    state["parent"] = {"id": fiche.parent.id, "ref": fiche.parent.ref} if fiche.parent is not None else None
    state["geometry"] = geometry_wkt(fiche.geom)
    state["depends_on"] = [
        {"id": d.depends_on.id, "ref": d.depends_on.ref} for d in fiche.dependencies if d.depends_on is not None
    ]
    state["partners"] = [d.partner for d in fiche.dependencies if d.depends_on is None and d.partner]
    state["phases"] = [
        {**{f: _plain(getattr(p, f)) for f in PHASE_FIELDS if f != "geometry"},
         "illustrative": bool(p.illustrative), "geometry": geometry_wkt(p.geom)}
        for p in sorted(fiche.phases, key=lambda p: (p.position or 0, p.id or 0))
    ]
    state["budget_lines"] = [
        {**{f: _plain(getattr(b, f)) for f in BUDGET_FIELDS}, "amount_eur": float(b.amount_eur)}
        for b in sorted(fiche.budget_lines, key=lambda b: (b.year, b.id or 0))
    ]
    state["progress_reports"] = [
        {f: _plain(getattr(r, f)) for f in REPORT_FIELDS}
        for r in sorted(fiche.progress_reports, key=lambda r: r.id or 0)
    ]
    if with_ids:
        stored: tuple[tuple[str, list[Any]], ...] = (
            ("phases", sorted(fiche.phases, key=lambda p: (p.position or 0, p.id or 0))),
            ("budget_lines", sorted(fiche.budget_lines, key=lambda b: (b.year, b.id or 0))),
            ("progress_reports", sorted(fiche.progress_reports, key=lambda r: r.id or 0)),
        )
        for key, rows in stored:
            for item, row in zip(state[key], rows):
                item["id"] = row.id
    return state


def diff(old: dict, new: dict) -> list[dict]:
    """[{"field", "old", "new"}] for every key whose value differs, in label order."""
    order = list(FIELD_LABELS)
    keys = sorted(set(old) | set(new), key=lambda k: order.index(k) if k in order else len(order))
    return [{"field": k, "old": old.get(k), "new": new.get(k)} for k in keys if old.get(k) != new.get(k)]


def record(session: Session, fiche: Fiche, user: User | None, action: str, before: dict | None,
           note: str | None = None) -> FicheRevision | None:
    """Store what changed on `fiche` since `before` (None: a new fiche), and
    flush. Returns None, storing nothing, when nothing changed."""
    if before is not None:
        if not diff(before, snapshot(fiche)):
            return None
        # Always UPDATE the fiche row, also when only its rows (phases,
        # budget lines ...) changed: the version moves on, so optimistic
        # locking also guards those rows.
        fiche.updated_at = dt.datetime.now(dt.UTC)
    session.flush()
    after = snapshot(fiche)
    return _store(session, fiche, user, action, diff(before or {}, after), after, note)


def record_states(session: Session, fiche: Fiche, user: User | None, action: str, before: dict, after: dict,
                  note: str | None = None) -> FicheRevision | None:
    """Store a change between two states that are not (yet) the fiche's
    rows, e.g. a working version ("werkversie"): the live fiche is untouched
    and the revision keeps its current version. Row ids are left out of the
    stored snapshot, so it has the exact format of `snapshot`. None when
    nothing changed."""
    before, after = without_ids(before), without_ids(after)
    changes = diff(before, after)
    if not changes:
        return None
    return _store(session, fiche, user, action, changes, after, note)


def _store(session: Session, fiche: Fiche, user: User | None, action: str, changes: list[dict], after: dict,
           note: str | None) -> FicheRevision:
    revision = FicheRevision(
        fiche_id=fiche.id, municipality_id=fiche.municipality_id, fiche_ref=fiche.ref,
        user_id=user.id if user else None, user_email=user.email if user else None,
        action=action, version=fiche.version, changes=json.dumps(changes, ensure_ascii=False),
        snapshot=json.dumps(after, ensure_ascii=False), note=note,
        created_at=dt.datetime.now(dt.UTC),
    )
    session.add(revision)
    session.flush()
    return revision


ROW_KEYS = ("phases", "budget_lines", "progress_reports")


def without_ids(state: dict) -> dict:
    """A snapshot taken with_ids=True as plain `snapshot` gives it (row ids dropped)."""
    out = dict(state)
    for key in ROW_KEYS:
        if key in out:
            out[key] = [{k: v for k, v in row.items() if k != "id"} for row in out[key]]
    return out


def revisions_of(session: Session, fiche: Fiche) -> list[FicheRevision]:
    """Newest first."""
    return list(session.scalars(
        select(FicheRevision).where(FicheRevision.fiche_id == fiche.id)
        .order_by(FicheRevision.created_at.desc(), FicheRevision.id.desc())
    ))


def changes_of(revision: FicheRevision) -> list[dict]:
    return json.loads(revision.changes)


def state_after(revision: FicheRevision) -> dict:
    return json.loads(revision.snapshot)


def state_before(revision: FicheRevision) -> dict:
    """The state just before `revision`: its snapshot with the old values put back."""
    state = state_after(revision)
    for change in changes_of(revision):
        if change["old"] is None and change["field"] not in state:
            continue
        state[change["field"]] = change["old"]
    return state


def changed_since(session: Session, fiche: Fiche, version: int) -> list[FicheRevision]:
    """The revisions saved after the fiche had `version` (oldest first)."""
    return list(session.scalars(
        select(FicheRevision).where(FicheRevision.fiche_id == fiche.id, FicheRevision.version > version)
        .order_by(FicheRevision.id)
    ))


def _date(value):
    return dt.date.fromisoformat(value) if value else None


def _geom(wkt):
    return to_db(shapely.from_wkt(wkt)) if wkt else None


def apply_state(session: Session, fiche: Fiche, state: dict, *, keep_publication: bool = True) -> list[str]:
    """Put a recorded state back on `fiche`. The publication flag stays as it
    is (publishing is always an explicit act) unless keep_publication=False.
    Returns Dutch notes on what could not be restored (e.g. a fiche that the
    state depends on no longer exists). Nothing is flushed here: the caller's
    flush writes the fiche in one UPDATE (one version step)."""
    with session.no_autoflush:
        return _apply_state(session, fiche, state, keep_publication)


def _apply_state(session: Session, fiche: Fiche, state: dict, keep_publication: bool) -> list[str]:
    notes = []
    city_id = fiche.municipality.id if fiche.municipality is not None else fiche.municipality_id  # new fiches too
    for name in SCALAR_FIELDS:
        if name not in state or (name == "published" and keep_publication) or getattr(fiche, name) == state[name]:
            continue
        if name == "ref" and state["ref"] != fiche.ref:
            taken = session.scalar(select(Fiche.id).where(
                Fiche.municipality_id == city_id, Fiche.ref == state["ref"], Fiche.id != fiche.id
            ))
            if taken:
                notes.append(f"Ref '{state['ref']}' is intussen in gebruik door een andere fiche; "
                             "de huidige ref blijft.")
                continue
        setattr(fiche, name, state[name])
    parent = state.get("parent")
    if parent is None:
        fiche.parent = None
    elif fiche.parent is not None and fiche.parent.id == parent["id"]:
        pass
    else:
        target = session.get(Fiche, parent["id"])
        if target is None or target.municipality_id != city_id or is_descendant(target, fiche):
            notes.append(f"De ouder {parent['ref']} bestaat niet meer of past niet meer in de boom; "
                         "de ouder blijft ongewijzigd.")
        else:
            fiche.parent = target
    if state.get("geometry") != geometry_wkt(fiche.geom):
        fiche.geom = _geom(state.get("geometry"))
    dependencies = []
    for item in state.get("depends_on", []):
        target = session.get(Fiche, item["id"])
        if target is None or target.id == fiche.id:
            notes.append(f"Fiche {item['ref']} (afhankelijkheid) bestaat niet meer.")
            continue
        dependencies.append(Dependency(depends_on=target))
    dependencies += [Dependency(partner=p) for p in state.get("partners", [])]
    if _dependency_keys(dependencies) != _dependency_keys(fiche.dependencies):
        fiche.dependencies = dependencies
    if sorted(state.get("sdgs", [])) != sorted(fiche.sdgs):
        fiche.sdg_links = [FicheSdg(sdg=n) for n in sorted(set(state.get("sdgs", [])))]
    fiche.phases = _sync_rows(fiche.phases, state.get("phases", []), Phase, PHASE_FIELDS)
    fiche.budget_lines = _sync_rows(fiche.budget_lines, state.get("budget_lines", []), BudgetLine, BUDGET_FIELDS)
    fiche.progress_reports = _sync_rows(fiche.progress_reports, state.get("progress_reports", []), ProgressReport,
                                        REPORT_FIELDS)
    return notes


def _dependency_keys(dependencies) -> list:
    return [(d.depends_on.id if d.depends_on is not None else None, d.partner) for d in dependencies]


_DATE_FIELDS = {"start", "end", "report_date"}


def _sync_rows(existing: list, rows: list[dict], model, field_names) -> list:
    """Update the existing child rows in place (matched by "id", else in
    order), add new ones, drop the rest: ids stay stable across saves."""
    by_id = {obj.id: obj for obj in existing}
    spare = [obj for obj in existing if obj.id not in {r.get("id") for r in rows}]
    result = []
    for row in rows:
        obj = by_id.get(row.get("id")) if row.get("id") else None
        if obj is None:
            obj = spare.pop(0) if spare else model()
        for name in field_names:
            if name == "geometry":
                if row.get("geometry") != geometry_wkt(obj.geom):
                    obj.geom = _geom(row.get("geometry"))
                continue
            value = row.get(name)
            if name in _DATE_FIELDS:
                value = _date(value)
            if getattr(obj, name) != value:
                setattr(obj, name, value)
        result.append(obj)
    return result


def is_descendant(candidate: Fiche, ancestor: Fiche) -> bool:
    """True when `candidate` is `ancestor` or lies below it in the tree."""
    node, seen = candidate, set()
    while node is not None and node.id not in seen:
        if node.id == ancestor.id:
            return True
        seen.add(node.id)
        node = node.parent
    return False


def restore(session: Session, fiche: Fiche, state: dict, user: User | None,
            note: str) -> tuple[FicheRevision | None, list[str]]:
    """Restore `state` on `fiche` and record it as a change ('herstel')."""
    before = snapshot(fiche)
    notes = apply_state(session, fiche, state)
    revision = record(session, fiche, user, "herstel", before, note=note)
    return revision, notes


# Display ---------------------------------------------------------------------

def _euro(amount) -> str:
    text = f"{float(amount):,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"€ {text}"


def _row_text(field_name: str, row: dict) -> str:
    if field_name == "phases":
        period = " – ".join(x for x in (row.get("start"), row.get("end")) if x)
        bits = [f"{row.get('position')}. {row.get('title')}", row.get("phase_kind"), period, row.get("status"),
                "illustratief" if row.get("illustrative") else None, "eigen geometrie" if row.get("geometry") else None]
    elif field_name == "budget_lines":
        bits = [str(row.get("year")), row.get("kind"), row.get("direction"), _euro(row.get("amount_eur") or 0),
                row.get("basis"), row.get("note")]
    else:
        bits = [row.get("period_label"), row.get("report_date"),
                f"{row['progress_pct']} %" if row.get("progress_pct") is not None else None, row.get("text")]
    return ", ".join(str(b) for b in bits if b not in (None, ""))


def format_value(field_name: str, value) -> str | list[str]:
    """A stored value as a person reads it (Dutch). Lists of rows become a
    list of lines."""
    if value is None or value == [] or value == "":
        return "(leeg)"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if field_name == "parent":
        return value.get("ref", "?")
    if field_name == "depends_on":
        return ", ".join(item.get("ref", "?") for item in value)
    if field_name in ("sdgs", "partners"):
        return ", ".join(str(v) for v in value)
    if field_name in ("phases", "budget_lines", "progress_reports"):
        return [_row_text(field_name, row) for row in value]
    return str(value)
