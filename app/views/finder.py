""""Wat gebeurt er in mijn buurt?": the entry point on `/` and the city pages
(templates/_finder.html) and the pages it leads to.

GET /wijk?wijk=<code>                   the wijk chooser: straight to /<slug>/wijken/<code>
GET /zoeken?q=...[&stad=<slug>]         wijken, streets/addresses and fiches for one query
GET /buurt?lat=..&lon=..[&afstand=500]  the wijk at the browser's position and the projects near it
GET /buurt?adres=<id> | ?stad=<slug>&straat=<name>   the same for an address or a street
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, jsonify, redirect, render_template, request, url_for

from layers import styles

from ..auth import current_user
from ..db import get_session
from ..models import Area, Municipality
from ..read import nearby
from ..read.queries import budget_is_illustrative, budget_total, fiche_years, find_municipality
from ..read.search import find_wijk, search_everything, search_fiches, wijk_count, wijken_by_city
from ..read.start import listed_cities
from ..searchtext import MAX_QUERY_CHARS, parse_query
from ..spatial import from_db

bp = Blueprint("finder", __name__)


# Above this many wijken (of the cities listed) `/` sends no wijk list: the
# chooser asks for the city first (/wijk?stad=<slug> then lists its wijken).
# 319 municipalities have 2,730 wijken: a 150 kB select.
MAX_CHOOSER_WIJKEN = 150


@dataclass
class WijkChooser:
    groups: list[tuple[Municipality, list[Area]]] | None   # None: too many wijken, choose a city first
    cities: list[Municipality]                             # the cities to choose from in that case


@bp.app_template_global()
def wijk_chooser(city: Municipality | None = None, listed: list[Municipality] | None = None) -> WijkChooser:
    """The chooser's content: one city's wijken, or those of every listed city
    (`listed`, when the page has them already) when they are few, else the
    listed cities to choose from first."""
    session = get_session()
    if city is not None:
        return WijkChooser(wijken_by_city(session, city), [city])
    cities = listed if listed is not None else listed_cities(session, include_unlisted=current_user() is not None)
    if wijk_count(session, cities) > MAX_CHOOSER_WIJKEN:
        return WijkChooser(None, cities)
    return WijkChooser(wijken_by_city(session, cities=cities), cities)


def _page(template: str, status: int = 200, **context):
    context.setdefault("styles", styles)
    context.setdefault("budget_total", budget_total)
    context.setdefault("budget_is_illustrative", budget_is_illustrative)
    context.setdefault("fiche_years", fiche_years)
    return render_template(template, **context), status


@bp.get("/wijk")
def choose_wijk():
    code = (request.args.get("wijk") or "").replace("\x00", "").strip()[:40]
    area = find_wijk(get_session(), code) if code else None
    stad = (request.args.get("stad") or "").replace("\x00", "").strip()[:120]
    if area is None and stad and not code:   # the city first: now its wijken
        city = find_municipality(get_session(), stad)
        if city is None:
            return _page("finder/choose.html", 404,
                         message="Deze gemeente kennen we niet. Kies een gemeente uit de lijst.")
        return _page("finder/choose.html", message=f"Kies je wijk in {city.name}.", finder_city=city)
    if area is None and "stad" in request.args and not code:
        return _page("finder/choose.html", message="Kies eerst een gemeente uit de lijst.")
    if area is None:
        message = ("Kies eerst een wijk uit de lijst." if not code
                   else "Deze wijk kennen we niet. Kies een wijk uit de lijst.")
        return _page("finder/choose.html", 200 if not code else 404, message=message)
    return redirect(url_for("wijk.page", slug=area.municipality.slug, code=area.code), 303)


@bp.get("/wijken.json")
def city_wijken():
    """{"gemeente", "wijken": [{"code", "naam"}]}: one city's wijken by name,
    for the city-first chooser on `/` (finder.js fills its second list)."""
    stad = (request.args.get("stad") or "").replace("\x00", "").strip()[:120]
    city = find_municipality(get_session(), stad) if stad else None
    if city is None:
        return jsonify({"fout": "Deze gemeente kennen we niet."}), 404
    groups = wijken_by_city(get_session(), city)
    wijken = groups[0][1] if groups else []
    return jsonify({"gemeente": city.name, "wijken": [{"code": w.code, "naam": w.name} for w in wijken]})


@bp.get("/zoeken")
def search():
    raw = (request.args.get("q") or "").replace("\x00", "")
    city = None
    stad = (request.args.get("stad") or "").strip()[:120]
    if stad:
        city = find_municipality(get_session(), stad)
    notices = []
    if stad and city is None:
        notices.append("Die stad kennen we niet: we zochten in alle steden.")
    if len(raw) > MAX_QUERY_CHARS:
        return _page("finder/results.html", 400, q=raw[:MAX_QUERY_CHARS], results=None, city=city, notices=notices,
                     message=f"Je zoekterm is te lang: gebruik hoogstens {MAX_QUERY_CHARS} tekens.")
    if not parse_query(raw):
        return _page("finder/results.html", q=raw, results=None, city=city, notices=notices,
                     message="Typ een straat, een plaats, een wijk of een project om te zoeken.")
    results = search_everything(get_session(), raw, city)
    return _page("finder/results.html", q=raw, results=results, city=results.city, notices=notices, message=None,
                 distance=nearby.DEFAULT_DISTANCE)


def _distance() -> tuple[int, list[str]]:
    value = (request.args.get("afstand") or "").strip()
    if not value:
        return nearby.DEFAULT_DISTANCE, []
    if value.isascii() and value.isdigit() and int(value) in nearby.DISTANCES:
        return int(value), []
    return nearby.DEFAULT_DISTANCE, [
        f"Afstand '{value[:20]}' kennen we niet; we tonen {nearby.DEFAULT_DISTANCE} m."]


@bp.get("/buurt")
def nearby_page():
    session = get_session()
    metres, notices = _distance()
    keep: dict[str, str] = {}          # the arguments that name the place, for the distance form
    city, street, address = None, None, None
    if "adres" in request.args:
        address = nearby.find_address(session, request.args.get("adres", ""))
        if address is None:
            return _page("finder/nearby.html", 404, message="Dit adres kennen we niet.", wijk=None, hits=[])
        city, street, place = address.municipality, address.street, from_db(address.geom)
        keep = {"adres": str(address.id)}
    elif "straat" in request.args:
        city = find_municipality(session, (request.args.get("stad") or "").strip()[:120])
        street = (request.args.get("straat") or "").replace("\x00", "").strip()[:200]
        place = nearby.street_place(session, city, street) if city is not None and street else None
        if place is None:
            return _page("finder/nearby.html", 404, message="Deze straat staat niet in de adressenlijst.",
                         wijk=None, hits=[])
        keep = {"stad": city.slug, "straat": street}
    else:
        try:
            place = nearby.point_from_wgs84(request.args.get("lat"), request.args.get("lon"))
        except nearby.PlaceError as exc:
            return _page("finder/nearby.html", 400, message=str(exc), wijk=None, hits=[])
        keep = {"lat": request.args["lat"][:20], "lon": request.args["lon"][:20]}
    wijk = nearby.wijk_containing(session, place)
    if wijk is not None and city is None:
        city = wijk.municipality
    hits = nearby.fiches_near(session, place, metres, city) if city is not None else []
    named = []
    if street:  # fiches whose text names the street, wherever they are drawn
        near_ids = {h.fiche.id for h in hits}
        named = [h.fiche for h in search_fiches(session, parse_query(street), city) if h.fiche.id not in near_ids]
    message = None
    if wijk is None:
        message = ("Deze plek ligt in geen enkele wijk van een stad op Fichekaart. "
                   "Kies je wijk uit de lijst of zoek je straat.")
    return _page("finder/nearby.html", wijk=wijk, city=city, hits=hits, named=named, street=street,
                 address=address, metres=metres, distances=nearby.DISTANCES, keep=keep, notices=notices,
                 message=message)
