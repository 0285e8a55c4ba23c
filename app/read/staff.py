"""What the staff pages read, by name (the views run no SQL of their own):
a city's fiches with drafts, counts, the newest revision per fiche, sectors,
refs, the users."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..models import Fiche, FicheRevision, FicheWorkingVersion, Municipality, User, UserRole


def staff_fiches(session: Session, city: Municipality, *, status: str | None = None,
                 published: bool | None = None, q: str | None = None) -> list[Fiche]:
    """The city's fiches, drafts included, by ref, with their parent loaded;
    `q` matches title or ref, case-insensitively."""
    stmt = select(Fiche).where(Fiche.municipality_id == city.id).options(selectinload(Fiche.parent)).order_by(Fiche.ref)
    if status:
        stmt = stmt.where(Fiche.status == status)
    if published is not None:
        stmt = stmt.where(Fiche.published.is_(published))
    if q:
        pattern = f"%{q.lower()}%"
        stmt = stmt.where(func.lower(Fiche.title).like(pattern) | func.lower(Fiche.ref).like(pattern))
    return list(session.scalars(stmt))


def publication_counts(session: Session, city: Municipality) -> dict[bool, int]:
    """{published: how many} of the city's fiches."""
    return dict(session.execute(
        select(Fiche.published, func.count()).where(Fiche.municipality_id == city.id).group_by(Fiche.published)
    ).all())


def newest_revisions(session: Session, fiche_ids: list[int]) -> dict[int, FicheRevision]:
    """{fiche id: its newest revision}."""
    if not fiche_ids:
        return {}
    newest = (
        select(func.max(FicheRevision.id)).where(FicheRevision.fiche_id.in_(fiche_ids))
        .group_by(FicheRevision.fiche_id).scalar_subquery()
    )
    return {r.fiche_id: r for r in session.scalars(select(FicheRevision).where(FicheRevision.id.in_(newest)))}


def with_working_version(session: Session, city: Municipality) -> set[int]:
    """Ids of the city's fiches that have a working version (werkversie)."""
    return set(session.scalars(
        select(FicheWorkingVersion.fiche_id).join(Fiche, Fiche.id == FicheWorkingVersion.fiche_id)
        .where(Fiche.municipality_id == city.id)))


def city_sectors(session: Session, city: Municipality) -> list[str]:
    """The sectors the city's fiches use, drafts included, sorted."""
    return sorted(s for s in session.scalars(
        select(Fiche.sector).where(Fiche.municipality_id == city.id, Fiche.sector.is_not(None)).distinct()))


def city_refs(session: Session, city: Municipality) -> set[str]:
    return set(session.scalars(select(Fiche.ref).where(Fiche.municipality_id == city.id)))


def users_with_roles(session: Session) -> list[User]:
    return list(session.scalars(
        select(User).options(selectinload(User.roles).selectinload(UserRole.municipality)).order_by(User.email)
    ))
