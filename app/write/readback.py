"""Read-back after writing geometries: a geometry that was given must be in
the database, on either backend. SpatiaLite's WKT parser answers a very
large geometry with NULL ("Parser stack overflow" on stderr) instead of an
error; app/geometry.py caps the vertices before that, and this check makes
sure no other path ever loses a place silently. The caller rolls back.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..geometry import GeometryError
from ..models import Fiche

_CHUNK = 500  # ids per IN (...): far below SQLite's variable limit


class GeometryNotStored(GeometryError):
    def __init__(self, refs: list[str]):
        shown = ", ".join(refs[:10]) + (" ..." if len(refs) > 10 else "")
        super().__init__(
            f"De geometrie van {shown} kon niet bewaard worden (te complex voor de databank). "
            "Er werd niets gewijzigd: vereenvoudig de geometrie en probeer opnieuw."
        )
        self.refs = refs


def refuse_lost_geometries(session: Session, fiches: Iterable[Fiche]) -> None:
    """After a flush: raise GeometryNotStored when a fiche that was given a
    geometry (in memory) has NULL in the database."""
    session.flush()
    given = {f.id: f.ref for f in fiches if f.id is not None and f.geom is not None}
    ids = list(given)
    lost: list[str] = []
    for start in range(0, len(ids), _CHUNK):
        lost += session.scalars(
            select(Fiche.ref).where(Fiche.id.in_(ids[start:start + _CHUNK]), Fiche.geom.is_(None))
        ).all()
    if lost:
        raise GeometryNotStored(sorted(lost))
