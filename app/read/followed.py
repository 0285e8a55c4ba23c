"""What can be followed (a city, a wijk, a sector, a fiche) and which
published fiches each covers: the one answer for the Atom feeds, the e-mail
digests and the staff counts.

A wijk covers the fiches whose place intersects it: the wijk filter of
app.read.queries.fiche_conditions, the rule the wijk page applies
(app.views.wijk_page.touching).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Area, Fiche, Municipality
from ..numbers import whole_number
from .changes import ChangeEvent, events_of_fiches, load_public_revisions
from .queries import FicheFilters, fiche_conditions

KINDS = ("stad", "wijk", "sector", "fiche")


@dataclass(frozen=True)
class Followed:
    """A thing to follow: kind "stad" (key None), "wijk" (area code), "sector"
    (its name) or "fiche" (its id as text)."""
    city: Municipality
    kind: str
    key: str | None = None


class NotFollowable(LookupError):
    pass


def resolve(session: Session, city: Municipality, kind: str, key: str | None) -> tuple[Followed, str]:
    """(the thing, its Dutch name) or NotFollowable (unknown wijk, draft fiche ...)."""
    if kind == "stad":
        return Followed(city, "stad"), city.name
    if kind == "wijk" and key:
        name = session.scalar(select(Area.name).where(
            Area.municipality_id == city.id, Area.level == "wijk", Area.code == key))
        if name:
            return Followed(city, "wijk", key), f"wijk {name}"
    if kind == "sector" and key:
        found = session.scalar(select(Fiche.id).where(
            Fiche.municipality_id == city.id, Fiche.sector == key, Fiche.published.is_(True)).limit(1))
        if found:
            return Followed(city, "sector", key), f"sector {key}"
    fiche_id = whole_number(key, minimum=1) if kind == "fiche" and key else None
    if fiche_id is not None:
        title = session.scalar(select(Fiche.title).where(
            Fiche.municipality_id == city.id, Fiche.id == fiche_id, Fiche.published.is_(True)))
        if title:
            return Followed(city, "fiche", key), f"fiche ‘{title}’"
    raise NotFollowable(kind)


def covered_fiche_ids(session: Session, followed: Followed) -> list[int]:
    """The published fiches `followed` covers."""
    if followed.kind == "fiche":
        return list(session.scalars(select(Fiche.id).where(
            Fiche.id == int(followed.key or 0), Fiche.municipality_id == followed.city.id,
            Fiche.published.is_(True))))
    filters = FicheFilters(municipality=followed.city.nis_code,
                           wijk=followed.key if followed.kind == "wijk" else None,
                           sector=followed.key if followed.kind == "sector" else None)
    return list(session.scalars(select(Fiche.id).where(*fiche_conditions(session, filters))))


def events_for(session: Session, followed: Followed) -> list[ChangeEvent]:
    """The public change events of everything `followed` covers, newest first."""
    return events_of_fiches(load_public_revisions(session, covered_fiche_ids(session, followed)))
