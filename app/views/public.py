"""Public pages for citizens (no account needed)."""
from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import func, select

from ..db import get_session
from ..models import Fiche, Municipality, Plan
from ..queries import PROJECT_KINDS

bp = Blueprint("public", __name__)


@bp.get("/")
def index():
    session = get_session()
    counts = dict(session.execute(
        select(Fiche.municipality_id, func.count())
        .where(Fiche.published.is_(True), Fiche.kind.in_(PROJECT_KINDS))
        .group_by(Fiche.municipality_id)
    ).all())
    cities = []
    for municipality in session.scalars(select(Municipality).order_by(Municipality.name)):
        plan = session.scalar(select(Plan).where(Plan.municipality_id == municipality.id).limit(1))
        cities.append({"municipality": municipality, "plan": plan, "count": counts.get(municipality.id, 0)})
    return render_template("public/index.html", cities=cities)
