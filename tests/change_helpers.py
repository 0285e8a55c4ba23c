"""Helpers for the change-log, feed and alert tests: edit a published fiche
the way the staff workspace saves it (app.write.editing.service), and record
a working-version revision as the staff workspace issue introduces it."""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from app.models import Area, Fiche, FicheRevision, Municipality
from app.read.followed import Followed, covered_fiche_ids
from app.read.queries import PROJECT_KINDS
from app.write import history
from app.write.editing.service import save_fiche

HOSTILE = '<script>alert("x")</script> & <b>vet</b>'


def placed_fiche_in_wijk(session) -> tuple[int, str]:
    """(a published Herentals project with a place and a budget, a wijk code it touches)."""
    city = session.scalar(select(Municipality).where(Municipality.slug == "herentals"))
    fiches = session.scalars(select(Fiche).where(
        Fiche.municipality_id == city.id, Fiche.published.is_(True), Fiche.geom.is_not(None),
        Fiche.kind.in_(PROJECT_KINDS)).order_by(Fiche.id))
    codes = list(session.scalars(select(Area.code).where(Area.municipality_id == city.id, Area.level == "wijk")
                                 .order_by(Area.code)))
    for fiche in fiches:
        if not fiche.budget_lines:
            continue
        for code in codes:
            if fiche.id in covered_fiche_ids(session, Followed(city, "wijk", code)):
                return fiche.id, code
    raise AssertionError("no placed fiche with a budget")


def edit(session, fiche_id: int, **changes) -> None:
    """Save a change through the workspace's service (records the revision)."""
    fiche = session.get(Fiche, fiche_id)
    state = history.snapshot(fiche, with_ids=True)
    budget_factor = changes.pop("budget_factor", None)
    if budget_factor:
        for line in state["budget_lines"]:
            line["amount_eur"] = round(line["amount_eur"] * budget_factor, 2)
    state.update(changes)
    save_fiche(session, fiche.municipality, fiche, state, None, fiche.version)


def record_working_version(session, fiche_id: int, **changes) -> None:
    """A "werkversie" revision (issue 12 item 4): a published fiche edited in
    the workspace, not yet published; the live rows stay as they are."""
    fiche = session.get(Fiche, fiche_id)
    state = {**history.snapshot(fiche), **changes}
    session.add(FicheRevision(
        fiche_id=fiche.id, municipality_id=fiche.municipality_id, fiche_ref=fiche.ref, action="werkversie",
        version=fiche.version, changes=json.dumps(history.diff(history.snapshot(fiche), state)),
        snapshot=json.dumps(state), created_at=dt.datetime.now(dt.UTC)))
    session.commit()
