"""Blueprints: thin views (parse -> query -> convert -> render)."""
from __future__ import annotations

from flask import abort, g

from ..db import get_session
from ..models import Municipality
from ..read.city_settings import city_profile
from ..read.queries import find_municipality


def city_or_404(slug: str) -> Municipality:
    """The city of a public URL, or the Dutch 404 page. Its settings go on
    g.city_profile: the page's name, accent colour, logo, contact, licence
    and basemap (templates/base.html, app/basemap.py)."""
    session = get_session()
    city = find_municipality(session, slug)
    if city is None:
        abort(404)
    g.city_profile = city_profile(session, city)
    return city
