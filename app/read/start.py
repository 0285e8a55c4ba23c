"""What the start page reads: which cities it shows, a point per city for the
map of Flanders, and the city search (municipality name, deelgemeente name or
postcode).

`listed_cities` is the ONE place that decides which cities the public sees;
the per-city "listed publicly" setting (issue 17 item 2) plugs in there.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..crs import STORAGE_EPSG, transform_many
from ..models import Area, Fiche, Municipality
from ..postcodes import is_postcode, municipalities_for_postcode
from ..searchtext import SearchQuery, Term, matches_as_prefix, normalise, parse_query
from ..spatial import as_wkb, geometries_from_wkb
from .pages import unlisted_ids
from .queries import FicheFilters, fiche_conditions
from .version import read_data_version

MAX_MATCHES = 12


def publishing_city_ids(session: Session) -> set[int]:
    """Ids of the cities with at least one published project."""
    return set(session.scalars(select(Fiche.municipality_id).where(*fiche_conditions(session, FicheFilters()))
                               .distinct()))


def listed_cities(session: Session, *, include_unlisted: bool) -> list[Municipality]:
    """The cities the public pages list, by name: those with a published
    project whose settings say "listed publicly" (app.read.pages.unlisted_ids);
    `include_unlisted` (a member of staff is logged in): every city."""
    cities = list(session.scalars(select(Municipality).order_by(Municipality.name)))
    if include_unlisted:
        return cities
    publishing, hidden = publishing_city_ids(session), unlisted_ids(session)
    return [c for c in cities if c.id in publishing and c.id not in hidden]


def city_points(session: Session, cities: list[Municipality]) -> dict[int, tuple[float, float]]:
    """{municipality id: (lon, lat)} a point inside each city's own boundary
    (level gemeente; the extent's middle of its areas when it has none), in
    EPSG:4326 rounded to 4 decimals (about 10 m): one light point per city."""
    ids = [c.id for c in cities]
    if not ids:
        return {}
    rows = session.execute(
        select(Area.municipality_id, as_wkb(func.ST_PointOnSurface(Area.geom)))
        .where(Area.level == "gemeente", Area.municipality_id.in_(ids)).order_by(Area.id)
    ).all()
    firsts: dict[int, object] = {}
    for municipality_id, wkb in rows:
        firsts.setdefault(municipality_id, wkb)
    missing = [i for i in ids if i not in firsts]
    if missing:  # a city loaded without its own boundary: the middle of its wijken
        for municipality_id, wkb in session.execute(
            select(Area.municipality_id, as_wkb(func.ST_PointOnSurface(func.ST_Envelope(Area.geom))))
            .where(Area.municipality_id.in_(missing)).order_by(Area.id)
        ):
            firsts.setdefault(municipality_id, wkb)
    keys = list(firsts)
    points = transform_many(geometries_from_wkb([firsts[k] for k in keys]), STORAGE_EPSG, 4326)
    return {k: (round(p.x, 4), round(p.y, 4)) for k, p in zip(keys, points) if p is not None}


@dataclass(frozen=True)
class CityMatch:
    city: Municipality
    via: str | None = None     # why it matched when not by its own name: "deelgemeente Morkhoven", "postcode 2200"


@dataclass(frozen=True)
class _Name:
    text: str                  # normalised
    words: tuple[str, ...]
    municipality_id: int
    via: str | None            # None: the city's own name


@dataclass(frozen=True)
class _PlaceIndex:
    names: list[_Name]
    by_nis: dict[str, int]     # NIS code -> municipality id
    by_name: dict[str, int]    # normalised city name -> municipality id


# One index per database and state: 1,470 names of 321 cities take 60 ms to
# normalise, the key below 1 ms. Adding or removing a city or an area
# (fichekaart cities) changes the key even where it does not bump the data version.
_INDEXES: dict[tuple, _PlaceIndex] = {}


def _place_index(session: Session) -> _PlaceIndex:
    counts = session.execute(select(func.count(Municipality.id), func.max(Municipality.id))).one()
    areas = session.execute(select(func.count(Area.id), func.max(Area.id))
                            .where(Area.level == "deelgemeente")).one()
    key = (str(session.get_bind().engine.url), read_data_version(session)[0], tuple(counts), tuple(areas))
    if key not in _INDEXES:
        if len(_INDEXES) > 8:
            _INDEXES.clear()
        _INDEXES[key] = _build_place_index(session)
    return _INDEXES[key]


def _build_place_index(session: Session) -> _PlaceIndex:
    """Every city name and deelgemeente name, normalised. The bundled
    Flanders data names a deelgemeente with its city ("Morkhoven
    (Herentals)"): the city part is left out of the name shown."""
    cities: dict[int, str] = {city_id: name for city_id, name in session.execute(
        select(Municipality.id, Municipality.name))}
    names = [_Name(normalise(name), tuple(normalise(name).split()), city_id, None) for city_id, name in cities.items()]
    for municipality_id, name in session.execute(
            select(Area.municipality_id, Area.name).where(Area.level == "deelgemeente")):
        city_name = cities[municipality_id]
        name = name.removesuffix(f" ({city_name})")
        # the city's name counts as a word of its deelgemeenten: "lembeek halle" finds Lembeek
        words = tuple(dict.fromkeys(normalise(name).split() + normalise(city_name).split()))
        names.append(_Name(normalise(name), words, municipality_id, f"deelgemeente {name}"))
    by_nis: dict[str, int] = {nis: city_id for nis, city_id in session.execute(
        select(Municipality.nis_code, Municipality.id))}
    return _PlaceIndex(names, by_nis, {normalise(name): city_id for city_id, name in cities.items()})


def _term_matches(term: Term, words: tuple[str, ...]) -> bool:
    # the rule of app.read.search: a whole word, or the start of one from 3 letters on
    return any(w == alt or (matches_as_prefix(alt) and w.startswith(alt)) for alt in term.alternatives for w in words)


def _by_postcode(index: _PlaceIndex, query: SearchQuery) -> list[tuple[int, str]]:
    """(municipality id, "postcode NNNN") for every word of the query that is
    a postcode. A postcode of a municipality merged on 1 January 2025 names
    the new municipality; the 2024 boundaries know the old ones, found by
    the parts of the new name ("Merelbeke-Melle" -> Merelbeke, Melle)."""
    found: list[tuple[int, str]] = []
    for word in query.words:
        if not is_postcode(word):
            continue
        for municipality in municipalities_for_postcode(word):
            city = index.by_nis.get(municipality.nis_code) or index.by_name.get(normalise(municipality.name))
            parts = [city] if city else [index.by_name.get(normalise(p)) for p in municipality.name.split("-")]
            found.extend((c, f"postcode {word}") for c in parts if c is not None)
    return found


def find_cities(session: Session, raw: str) -> list[CityMatch]:
    """Cities (every city; the caller keeps those it may show) whose name or a
    deelgemeente's name holds every word of the query (case, accents,
    hyphens and word order do not matter; 3+ letters also match the start
    of a word), or that a postcode in the query belongs to. Best first: a
    postcode, an exact name, then the city's own name, then shorter names;
    one match per city."""
    query = parse_query(raw)
    if not query:
        return []
    index = _place_index(session)
    ranked: list[tuple[tuple, int, str | None]] = []
    for city_id, via in _by_postcode(index, query):
        ranked.append(((False, False, 0, ""), city_id, via))
    for name in index.names:
        if all(_term_matches(t, name.words) for t in query.terms):
            ranked.append(((name.text != query.text, name.via is not None, len(name.text), name.text),
                           name.municipality_id, name.via))
    ranked.sort(key=lambda item: item[0])
    best: dict[int, str | None] = {}
    for _key, city_id, via in ranked:
        if city_id not in best and len(best) < MAX_MATCHES:
            best[city_id] = via
    cities = {c.id: c for c in session.scalars(select(Municipality).where(Municipality.id.in_(list(best))))}
    return [CityMatch(cities[city_id], via) for city_id, via in best.items()]
