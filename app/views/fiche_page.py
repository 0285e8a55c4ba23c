"""The public page of one fiche (and the staff preview of a draft)."""
from __future__ import annotations

from flask import Blueprint, abort

bp = Blueprint("fiche", __name__)


@bp.get("/<slug>/fiches/<int:fiche_id>")
def page(slug: str, fiche_id: int):
    abort(404)  # placeholder until the fiche page lands (issue 3)
