"""Keeps the fiches' search columns (`search_title`, `search_text`) in step
with their texts on every ORM write: staff edits, imports, the demo loader.

Design (the simplest that holds): the write side stores normalised copies of
the texts on the fiche row itself (app/searchtext.normalise, the same code for
both databases); the database indexes those columns by itself, PostgreSQL with
a GIN expression index, SQLite with an FTS5 table that triggers keep in step
(app/spatial.create_search_indexes). A write that bypasses the ORM must set
the two columns with `fiche_search_columns`.
"""
from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import event

from ..models import Fiche
from ..searchtext import normalise

# The texts a citizen may search for: the place first (streets, sites), then
# what the project is.
SEARCHED_FIELDS = (
    "title", "plain_language", "location_description", "summary", "goal_why", "goal_what", "goal_gain", "state_of_play",
    "sector", "responsible_service",
)


def fiche_search_columns(values: Mapping) -> dict[str, str]:
    """{'search_title', 'search_text'} for a fiche's texts (a mapping of the
    model's attribute names; missing or empty fields are skipped)."""
    text = " ".join(normalise(values.get(name)) for name in SEARCHED_FIELDS if values.get(name))
    return {"search_title": normalise(values.get("title")), "search_text": text}


@event.listens_for(Fiche, "before_insert")
@event.listens_for(Fiche, "before_update")
def _refresh_search_columns(_mapper, _connection, fiche: Fiche) -> None:
    columns = fiche_search_columns({name: getattr(fiche, name) for name in SEARCHED_FIELDS})
    for name, value in columns.items():
        if getattr(fiche, name) != value:  # no spurious UPDATE of the index
            setattr(fiche, name, value)
