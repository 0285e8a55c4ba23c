"""Helpers for the change-log, feed and alert tests: edit a published fiche
the way the staff workspace does (app.write.editing.working): into its
working version, then published, or left in the working version."""
from __future__ import annotations

from sqlalchemy import select

from app.auth import create_user, find_user
from app.models import Area, Fiche, Municipality, User
from app.read.followed import Followed, covered_fiche_ids
from app.read.queries import PROJECT_KINDS
from app.write.editing.working import editing_state, publish_working, save_working, working_version_of

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


EDITOR = "redacteur.wijzigingen@fichekaart.test"


def editor(session) -> User:
    """A redacteur of Herentals who makes the changes (created on first use)."""
    user = find_user(session, EDITOR)
    if user is None:
        city = session.scalar(select(Municipality).where(Municipality.slug == "herentals"))
        user = create_user(session, EDITOR, "wijzigingen-" + "x" * 12, roles=[("redacteur", city)])
    return user


def _changed_state(session, fiche: Fiche, changes: dict) -> dict:
    state = editing_state(session, fiche)
    budget_factor = changes.pop("budget_factor", None)
    if budget_factor:
        for line in state["budget_lines"]:
            line["amount_eur"] = round(line["amount_eur"] * budget_factor, 2)
    state.update(changes)
    return state


def record_working_version(session, fiche_id: int, **changes) -> None:
    """Edit a published fiche as the workspace does: the change goes into its
    working version (a "werkversie" revision); the live rows stay as they are."""
    fiche = session.get(Fiche, fiche_id)
    working = working_version_of(session, fiche)
    save_working(session, fiche.municipality, fiche, _changed_state(session, fiche, changes), editor(session),
                 fiche.version, working.version if working else 0)
    session.commit()


def edit(session, fiche_id: int, **changes) -> None:
    """A published change: the edit goes into the working version, then
    "Publiceren" applies it (records "publicatie")."""
    record_working_version(session, fiche_id, **changes)
    fiche = session.get(Fiche, fiche_id)
    working = working_version_of(session, fiche)
    publish_working(session, fiche, editor(session), fiche.version, working.version)
    session.commit()
