"""Public pages for citizens (no account needed)."""
from __future__ import annotations

from flask import Blueprint, render_template

from layers.styles import format_eur

from ..db import get_session
from ..http.page_cache import cached_page
from ..read.pages import city_summaries

bp = Blueprint("public", __name__)


@bp.get("/")
@cached_page
def index():
    cities = city_summaries(get_session())
    return render_template("public/index.html", cities=cities, format_eur=format_eur)
