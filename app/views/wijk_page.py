"""The wijk page: what the city invests in my wijk."""
from __future__ import annotations

from flask import Blueprint, abort

bp = Blueprint("wijk", __name__)


@bp.get("/<slug>/wijken/<code>")
def page(slug: str, code: str):
    abort(404)  # placeholder until the wijk page lands (issue 3)
