"""The city map page: every layer, filters in the URL, and a list view of the same selection."""
from __future__ import annotations

from flask import Blueprint, abort, render_template

from ..db import get_session
from ..queries import find_municipality

bp = Blueprint("city", __name__)


@bp.get("/<slug>")
def map(slug: str):
    city = find_municipality(get_session(), slug)
    if city is None:
        abort(404)
    return render_template("public/index.html", cities=[])
