"""The fiches' tolerant text search as SQL: a condition and a score for a
query, on either database (the dialect-specific part is app.spatial.text_search).

Used by FicheFilters.q (the city map, lists, downloads, /api) and by the
search page (app.read.search). What "tolerant" means is app.searchtext's job.
"""
from __future__ import annotations

from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import Session

from ..models import Fiche
from ..searchtext import SearchQuery, parse_query
from ..spatial import text_search


def fiche_text_match(session: Session, query: SearchQuery):
    """(condition, score) on Fiche for a parsed query; (false(), None) when the
    query has no searchable word."""
    if not query:
        return false(), None
    return text_search(session, query, id_column=Fiche.id, title_column=Fiche.search_title,
                       text_column=Fiche.search_text)


def fiche_text_condition(session: Session, raw: str):
    """The `q` filter: the tolerant text search, or the fiche's own number or
    code typed exactly ("14", "V2.6")."""
    exact = raw.strip().lower()
    condition, _ = fiche_text_match(session, parse_query(raw))
    return or_(
        condition,
        func.lower(func.coalesce(Fiche.number, "")) == exact,
        func.lower(func.coalesce(Fiche.code, "")) == exact,
    )


def rank_fiche_ids(session: Session, raw: str, ids: list[int]) -> list[int]:
    """`ids` (fiches the `q` filter matched) best first, as the search page
    ranks them: a fiche whose own number or code was typed first, then by score."""
    if not ids:
        return []
    condition, score = fiche_text_match(session, parse_query(raw))
    if score is None:
        return list(ids)
    ranked = list(session.scalars(select(Fiche.id).where(condition, Fiche.id.in_(ids))
                                  .order_by(score.desc(), Fiche.id)))
    found = set(ranked)
    return [i for i in ids if i not in found] + ranked
