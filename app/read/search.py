"""The search page's read side: one query -> matching wijken, streets and
addresses (with the wijken they lie in), and fiches, each ranked.

Everything is matched on normalised words (app.searchtext): case, accents,
hyphens and word order do not matter. A word that names a city ("zwembad
herentals") narrows the search to that city when searching all cities.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, load_only, selectinload

from ..models import Address, Area, Fiche, Municipality
from ..searchtext import SearchQuery, Term, matches_as_prefix, normalise, parse_query
from .queries import PROJECT_KINDS
from .textsearch import fiche_text_match

MAX_FICHES = 30
MAX_STREETS = 10
MAX_ADDRESSES = 10
# The lists need a wijk's code and name, never its boundary (the largest column).
_AREA_NAME_ONLY = load_only(Area.id, Area.code, Area.name, Area.municipality_id)


@dataclass
class WijkHit:
    area: Area
    city: Municipality


@dataclass
class StreetHit:
    city: Municipality
    street: str
    postcodes: list[str]
    address_count: int
    wijken: list[tuple[Area, int]]                   # the wijken its addresses lie in, with how many
    addresses: list[Address] = field(default_factory=list)   # when a house number was asked


@dataclass
class FicheHit:
    fiche: Fiche
    score: float


@dataclass
class SearchResults:
    query: SearchQuery
    city: Municipality | None                 # the city searched (asked, or named in the query)
    wijken: list[WijkHit]
    streets: list[StreetHit]
    fiches: list[FicheHit]
    suggestion: str | None = None             # "Bedoelde je ...?" when nothing was found

    @property
    def total(self) -> int:
        return len(self.wijken) + len(self.streets) + len(self.fiches)


def wijken_by_city(session: Session, city: Municipality | None = None,
                   cities: list[Municipality] | None = None) -> list[tuple[Municipality, list[Area]]]:
    """Every wijk by name, grouped per city by name (one city when given, or
    those of `cities`): the wijk chooser. Names and codes only."""
    stmt = (select(Area).join(Area.municipality).where(Area.level == "wijk")
            .options(_AREA_NAME_ONLY, selectinload(Area.municipality)).order_by(Municipality.name, Area.name))
    if city is not None:
        stmt = stmt.where(Area.municipality_id == city.id)
    if cities is not None:
        stmt = stmt.where(Area.municipality_id.in_([c.id for c in cities]))
    groups: dict[int, tuple[Municipality, list[Area]]] = {}
    for area in session.scalars(stmt):
        groups.setdefault(area.municipality_id, (area.municipality, []))[1].append(area)
    return list(groups.values())


def wijk_count(session: Session, cities: list[Municipality]) -> int:
    """How many wijken these cities have together."""
    return session.scalar(select(func.count(Area.id)).where(
        Area.level == "wijk", Area.municipality_id.in_([c.id for c in cities]))) or 0


def find_wijk(session: Session, code: str) -> Area | None:
    """The wijk with this code (any city), or None."""
    return session.scalar(select(Area).where(Area.code == code, Area.level == "wijk")
                          .options(_AREA_NAME_ONLY, selectinload(Area.municipality)))


def _word_matches(term: Term, words: list[str]) -> bool:
    return any(
        w == alt or (matches_as_prefix(alt) and w.startswith(alt)) for alt in term.alternatives for w in words
    )


def _city_named(query: SearchQuery, cities: list[Municipality]) -> tuple[Municipality | None, SearchQuery]:
    """A city whose one-word name is a word of the query, and the query
    without it (when other words remain)."""
    by_name = {normalise(c.name): c for c in cities}
    for term in query.terms:
        city = by_name.get(term.alternatives[0])
        rest = tuple(t for t in query.terms if t is not term)
        if city is not None and rest:
            return city, SearchQuery(query.text, rest)
    return None, query


def search_wijken(session: Session, query: SearchQuery, city: Municipality | None) -> list[WijkHit]:
    """Wijken whose name holds every word of the query; the exact name first."""
    stmt = (select(Area, Municipality).join(Area.municipality).where(Area.level == "wijk")
            .options(_AREA_NAME_ONLY))
    if city is not None:
        stmt = stmt.where(Area.municipality_id == city.id)
    hits = []
    for area, municipality in session.execute(stmt):
        words = normalise(area.name).split()
        if all(_word_matches(t, words) for t in query.terms):
            hits.append(WijkHit(area, municipality))
    hits.sort(key=lambda h: (normalise(h.area.name) != query.text, len(h.area.name), h.area.name))
    return hits


def _street_condition(term: Term):
    # street_key is normalised; the words are letters and digits only, so no
    # LIKE wildcard can come from the query.
    return or_(*[Address.street_key.like(f"%{alt}%") for alt in term.alternatives])


def search_streets(session: Session, query: SearchQuery, city: Municipality | None) -> list[StreetHit]:
    """Streets of the address list whose name holds every word of the query
    that is not a number; a number is a house number (or a postcode of four
    digits that the street has). Each street comes with the wijken its
    addresses lie in; with a house number, the matching addresses."""
    words = [t for t in query.terms if not t.alternatives[0][0].isdigit()]
    numbers = [t.alternatives[0] for t in query.terms if t.alternatives[0][0].isdigit()]
    if not words:
        return []
    conditions = [_street_condition(t) for t in words]
    if city is not None:
        conditions.append(Address.municipality_id == city.id)
    groups = session.execute(
        select(Address.municipality_id, Address.street, func.count(Address.id))
        .where(*conditions).group_by(Address.municipality_id, Address.street)
        .order_by(func.length(Address.street), Address.street).limit(MAX_STREETS)
    ).all()
    cities = {c.id: c for c in session.scalars(select(Municipality))}
    hits = []
    for municipality_id, street, count in groups:
        same_street = and_(Address.municipality_id == municipality_id, Address.street == street)
        postcodes = sorted(p for p in session.scalars(
            select(Address.postcode).where(same_street).distinct()) if p)
        wijken = session.execute(
            select(Area, func.count(Address.id))
            .join(Address, func.ST_Contains(Area.geom, Address.geom))
            .where(same_street, Area.level == "wijk", Area.municipality_id == municipality_id)
            .options(_AREA_NAME_ONLY)
            .group_by(Area.id).order_by(func.count(Address.id).desc(), Area.code)
        ).all()
        hit = StreetHit(cities[municipality_id], street, postcodes, count, [(a, n) for a, n in wijken])
        house = [n for n in numbers if n not in postcodes]
        if house:
            candidates = session.scalars(select(Address).where(same_street).order_by(Address.id)).all()
            hit.addresses = [a for a in candidates if normalise(a.house_number) in house][:MAX_ADDRESSES]
        hits.append(hit)
    return hits


def search_fiches(session: Session, query: SearchQuery, city: Municipality | None,
                  limit: int = MAX_FICHES) -> list[FicheHit]:
    """Published projects whose texts hold every word (or a synonym), best
    first: title words weigh more (bm25 on SQLite, ts_rank + trigram
    similarity on PostgreSQL)."""
    condition, score = fiche_text_match(session, query)
    if score is None:
        return []
    stmt = (
        select(Fiche, score.label("score"))
        .where(condition, Fiche.published.is_(True), Fiche.kind.in_(PROJECT_KINDS))
        .options(selectinload(Fiche.municipality), selectinload(Fiche.budget_lines), selectinload(Fiche.phases))
        .order_by(score.desc(), Fiche.id)
        .limit(limit)
    )
    if city is not None:
        stmt = stmt.where(Fiche.municipality_id == city.id)
    return [FicheHit(fiche, float(value or 0)) for fiche, value in session.execute(stmt)]


def known_words(session: Session, city: Municipality | None) -> set[str]:
    """The words a search can find: those of the published projects' texts,
    the streets and the wijk names (of one city, or all). Drafts are left
    out, so a suggestion never reveals an unpublished project."""
    fiches = select(Fiche.search_text).where(Fiche.published.is_(True), Fiche.kind.in_(PROJECT_KINDS))
    streets = select(Address.street_key).distinct()
    wijken = select(Area.name).where(Area.level == "wijk")
    if city is not None:
        fiches = fiches.where(Fiche.municipality_id == city.id)
        streets = streets.where(Address.municipality_id == city.id)
        wijken = wijken.where(Area.municipality_id == city.id)
    words: set[str] = set()
    for stmt in (fiches, streets, wijken):
        for text in session.scalars(stmt):
            words.update(normalise(text).split())
    return words


def suggest(session: Session, query: SearchQuery, city: Municipality | None) -> str | None:
    """The query with each unknown word of 5+ letters replaced by the closest
    known word (difflib ratio >= 0.8: one or two typos), or None when no
    word changes. Runs only when a search found nothing."""
    known = known_words(session, city)
    words, changed = [], False
    for word in query.words:
        if len(word) >= 5 and word not in known and not any(k.startswith(word) for k in known):
            close = difflib.get_close_matches(word, known, n=1, cutoff=0.8)
            if close:
                word, changed = close[0], True
        words.append(word)
    return " ".join(words) if changed else None


def search_everything(session: Session, raw: str, city: Municipality | None = None) -> SearchResults:
    """The search page: wijken, streets/addresses and fiches for one query,
    and a suggestion when none of them matched."""
    query = parse_query(raw)
    if not query:
        return SearchResults(query, city, [], [], [])
    if city is None:
        city, query = _city_named(query, list(session.scalars(select(Municipality))))
    results = SearchResults(
        query, city,
        search_wijken(session, query, city),
        search_streets(session, query, city),
        search_fiches(session, query, city),
    )
    if not results.total:
        results.suggestion = suggest(session, query, city)
    return results
