"""Blueprints: thin views (parse -> query -> convert -> render)."""
from __future__ import annotations

from flask import abort

from ..db import get_session
from ..models import Municipality
from ..read.queries import find_municipality


def city_or_404(slug: str) -> Municipality:
    """The city of a public URL, or the Dutch 404 page."""
    city = find_municipality(get_session(), slug)
    if city is None:
        abort(404)
    return city
