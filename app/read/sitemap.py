"""What the sitemaps list (app/views/crawlers.py): the public pages of the
cities the start page lists (app.read.start.listed_cities), with the day
each last changed. Only published fiches, as their public page shows them:
a draft is never named, and neither is a city kept off the public lists."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Area, Fiche, Municipality
from ..spatial import in_ids
from .start import listed_cities


@dataclass(frozen=True)
class ListedCity:
    slug: str
    last_change: dt.datetime | None   # its published fiches' latest change


@dataclass(frozen=True)
class CityPages:
    fiches: list[tuple[int, dt.datetime | None]]   # (id, last change) of each published fiche, by id
    wijk_codes: list[str]


def listed_city_changes(session: Session) -> list[ListedCity]:
    """The listed cities by name, each with its published fiches' latest change."""
    cities = listed_cities(session, include_unlisted=False)
    if not cities:
        return []
    changed = dict(session.execute(
        select(Fiche.municipality_id, func.max(Fiche.updated_at))
        .where(Fiche.published.is_(True), in_ids(session, Fiche.municipality_id, [c.id for c in cities]))
        .group_by(Fiche.municipality_id)).all())
    return [ListedCity(c.slug, changed.get(c.id)) for c in cities]


def is_listed(session: Session, city: Municipality) -> bool:
    return any(c.id == city.id for c in listed_cities(session, include_unlisted=False))


def city_pages(session: Session, city: Municipality) -> CityPages:
    """The published fiches and the wijken of `city`: each has a public page."""
    fiches = session.execute(select(Fiche.id, Fiche.updated_at)
                             .where(Fiche.municipality_id == city.id, Fiche.published.is_(True))
                             .order_by(Fiche.id)).all()
    codes = session.scalars(select(Area.code).where(Area.municipality_id == city.id, Area.level == "wijk")
                            .order_by(Area.code)).all()
    return CityPages(list(fiches), list(codes))
