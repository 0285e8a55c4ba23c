"""Public pages for citizens (no account needed)."""
from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import case, func, select

from layers.styles import format_eur

from ..db import get_session
from ..http.page_cache import cached_page
from ..models import BudgetLine, Fiche, Municipality, Plan
from ..read.queries import PROJECT_KINDS

bp = Blueprint("public", __name__)


@bp.get("/")
@cached_page
def index():
    session = get_session()
    counts = dict(session.execute(
        select(Fiche.municipality_id, func.count())
        .where(Fiche.published.is_(True), Fiche.kind.in_(PROJECT_KINDS))
        .group_by(Fiche.municipality_id)
    ).all())
    # Expenses of the published projects per city, and whether any line is illustrative.
    budgets = {row[0]: row[1:] for row in session.execute(
        select(Fiche.municipality_id, func.sum(BudgetLine.amount_eur),
               func.max(case((BudgetLine.basis == "illustratief", 1), else_=0)))
        .join(Fiche, BudgetLine.fiche_id == Fiche.id)
        .where(Fiche.published.is_(True), Fiche.kind.in_(PROJECT_KINDS), BudgetLine.direction == "uitgave")
        .group_by(Fiche.municipality_id)
    )}
    plans: dict[int, Plan] = {}
    for plan in session.scalars(select(Plan).order_by(Plan.id)):  # one query, not one per city
        plans.setdefault(plan.municipality_id, plan)
    cities = []
    for municipality in session.scalars(select(Municipality).order_by(Municipality.name)):
        plan = plans.get(municipality.id)
        budget, illustrative = budgets.get(municipality.id, (None, 0))
        cities.append({"municipality": municipality, "plan": plan, "count": counts.get(municipality.id, 0),
                       "budget": budget, "budget_illustrative": bool(illustrative)})
    return render_template("public/index.html", cities=cities, format_eur=format_eur)
