"""Tolerant search, the database-free half: one normalisation for the search
documents (written by app/write/search_index.py) and for the words people
type (read by app/read/search.py), so both databases compare the same words.

normalise("Sint-Janneke, Hérentals") == "sint janneke herentals": lower case,
accents stripped, every run of non-letters/digits one space. Word order does
not matter because every word of a query is matched on its own (AND).
The Dutch synonym list is data: geodata/search/synoniemen.csv.
"""
from __future__ import annotations

import csv
import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

SYNONYMS_FILE = Path(__file__).resolve().parent.parent / "geodata" / "search" / "synoniemen.csv"

MAX_QUERY_CHARS = 200   # what FicheFilters.from_args keeps too
MAX_TERMS = 8           # more words than this are ignored (each is one AND)
PREFIX_MIN_CHARS = 3    # shorter words match whole words only ("as" must not find "asbest")

# Words too common to narrow a search ("de riolering in mijn straat").
STOPWORDS = frozenset(
    "de het een en of in op te ten ter van voor naar met aan bij uit om tot door over mijn onze ons "
    "wat waar wie is er die dat deze dit".split()
)

_WORD = re.compile(r"[^\W_]+")


def normalise(text: str | None) -> str:
    """Lower case, accents stripped, words separated by one space."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(_WORD.findall(plain))


@functools.lru_cache(maxsize=1)
def synonym_groups() -> dict[str, tuple[str, ...]]:
    """{word: (word, its synonyms...)} from the data file; each word of a
    group finds the others."""
    groups: dict[str, tuple[str, ...]] = {}
    with SYNONYMS_FILE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            words = [normalise(w) for w in row["termen"].split("|") if normalise(w)]
            for word in words:
                groups[word] = (word, *[w for w in words if w != word])
    return groups


def matches_as_prefix(word: str) -> bool:
    """Whether `word` also finds longer words ("vorselaarse" finds
    "vorselaarsebaan"); short words match whole words only."""
    return len(word) >= PREFIX_MIN_CHARS


@dataclass(frozen=True)
class Term:
    """One word of a query and the words that count as the same (synonyms)."""
    alternatives: tuple[str, ...]


@dataclass(frozen=True)
class SearchQuery:
    text: str                 # the normalised query
    terms: tuple[Term, ...]   # every term must match (AND); within a term any alternative (OR)

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(t.alternatives[0] for t in self.terms)

    def __bool__(self) -> bool:
        return bool(self.terms)


def parse_query(raw: str | None) -> SearchQuery:
    """The words of a query, normalised, without stop words (unless nothing
    else is left), at most MAX_TERMS, each with its synonyms. An empty
    SearchQuery (falsy) when nothing searchable remains."""
    text = normalise((raw or "").replace("\x00", "")[:MAX_QUERY_CHARS])
    words = list(dict.fromkeys(text.split()))
    meaningful = [w for w in words if w not in STOPWORDS] or words
    groups = synonym_groups()
    terms = tuple(Term(groups.get(w, (w,))) for w in meaningful[:MAX_TERMS])
    return SearchQuery(text, terms)
