"""The comparison page: budget per wijk against a wijk indicator."""
from __future__ import annotations

from flask import Blueprint, abort

bp = Blueprint("compare", __name__)


@bp.get("/<slug>/vergelijken")
def page(slug: str):
    abort(404)  # placeholder until the comparison page lands (issue 3)


@bp.get("/<slug>/vergelijken.csv")
def table_csv(slug: str):
    abort(404)
