"""The start page for citizens (no account needed), built for hundreds of
cities: a city search (name, deelgemeente, postcode), a light map of
Flanders with one point per city that publishes plans, and a short summary
per city.

GET /                        the page; ?gemeente=<text> shows the cities found (works without JS)
GET /gemeenten.json?q=...    the same search as JSON, for the suggestions of app/static/start.js
GET /gemeenten.geojson       the map's points with their summaries (kept per data version)
GET /vlaanderen.geojson      the outline of Flanders and Brussels under them (a bundled file, 8 kB)
"""
from __future__ import annotations

import functools
from pathlib import Path

from flask import Blueprint, Response, jsonify, render_template, request, url_for

from layers.styles import format_eur

from ..auth import current_user
from ..db import get_session
from ..http.page_cache import cached_page
from ..read.pages import city_summaries
from ..read.start import city_points, find_cities, listed_cities
from ..searchtext import MAX_QUERY_CHARS
from .glossary import fk_amount
from .start_map import start_map_parts

bp = Blueprint("public", __name__)
# Derived from geodata/areas/vlaanderen_wijken.gpkg by scripts/flanders_outline.py
FLANDERS_OUTLINE = Path(__file__).resolve().parents[2] / "geodata" / "areas" / "vlaanderen_omtrek.geojson"


def _staff() -> bool:
    """A member of staff is logged in: every city, also those not listed."""
    return current_user() is not None


def _search_arg(name: str) -> str:
    return (request.args.get(name) or "").replace("\x00", "").strip()


def _shown_summaries(session, cities) -> list[dict]:
    """The summaries of the cities with published projects, by name."""
    return [s for s in city_summaries(session, cities) if s["count"]]


def _summary_text(summary: dict) -> str:
    """One line per city, as the list on `/` says it (the map's popups)."""
    count = summary["count"]
    text = f"{count} {'project' if count == 1 else 'projecten'}"
    if summary["budget"]:
        text += f", samen {fk_amount(summary['budget'], summary['budget_illustrative'])}"
        if summary["budget_illustrative"]:
            text += " (illustratief)"
    return text


@bp.get("/")
@cached_page
def index():
    session = get_session()
    staff = _staff()
    cities = listed_cities(session, include_unlisted=staff)
    summaries = _shown_summaries(session, cities)
    raw = _search_arg("gemeente")
    matches, message = None, None
    if len(raw) > MAX_QUERY_CHARS:
        message = f"Je zoekterm is te lang: gebruik hoogstens {MAX_QUERY_CHARS} tekens."
    elif "gemeente" in request.args:
        listed_ids = {c.id for c in cities}
        found = find_cities(session, raw) if raw else []
        matches = [(m, m.city.id in listed_ids) for m in found]
        if not raw:
            message = "Typ de naam van een gemeente, een deelgemeente of een postcode."
        elif not found:
            message = f"Geen gemeente gevonden voor ‘{raw}’. Probeer een naam, een deelgemeente of een postcode."
    return render_template(
        "public/index.html", cities=summaries, format_eur=format_eur, q=raw[:MAX_QUERY_CHARS], matches=matches,
        message=message, map_parts=start_map_parts(), unlisted=len(cities) - len(summaries) if staff else 0,
        finder_cities=cities)


@bp.get("/gemeenten.json")
def city_suggestions():
    """{"suggesties": [{"naam", "via", "url"}]}: the listed cities the search
    finds (staff: every city), best first."""
    raw = _search_arg("q")[:MAX_QUERY_CHARS]
    session = get_session()
    listed_ids = {c.id for c in listed_cities(session, include_unlisted=_staff())}
    found = [m for m in find_cities(session, raw) if m.city.id in listed_ids] if raw else []
    response = jsonify({"suggesties": [
        {"naam": m.city.name, "via": m.via, "url": url_for("city.map", slug=m.city.slug)} for m in found]})
    response.headers["Cache-Control"] = "private, max-age=60"
    return response


@bp.get("/gemeenten.geojson")
@cached_page
def city_points_geojson():
    """The cities that publish plans as points (EPSG:4326) with the summary
    the list shows: what start.js draws on the map of Flanders."""
    session = get_session()
    summaries = _shown_summaries(session, listed_cities(session, include_unlisted=_staff()))
    points = city_points(session, [s["municipality"] for s in summaries])
    features = []
    for summary in summaries:
        city = summary["municipality"]
        if city.id not in points:
            continue
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": list(points[city.id])},
            "properties": {"naam": city.name, "url": url_for("city.map", slug=city.slug),
                           "samenvatting": _summary_text(summary), "projecten": summary["count"],
                           "illustratief": summary["budget_illustrative"]},
        })
    response = jsonify({"type": "FeatureCollection", "features": features})
    response.mimetype = "application/geo+json"
    return response


@functools.lru_cache(maxsize=1)
def _flanders_outline() -> bytes:
    return FLANDERS_OUTLINE.read_bytes()


@bp.get("/vlaanderen.geojson")
def flanders_outline():
    """The outline the start map draws under the points: with "Geen
    achtergrond" (no basemap) it is the only sign of where Flanders is."""
    response = Response(_flanders_outline(), mimetype="application/geo+json")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
