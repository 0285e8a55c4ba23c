"""The Dutch glossary (geodata/woordenlijst.csv) and the marking of a term's
first use on a page.

The glossary is data: one row per term with the forms it takes in a text, a
short explanation in plain Dutch and where that explanation comes from. Pages
pass their texts through `mark_first_use` (template filter `glossary`): the
first time a term appears on a page it becomes a small link to its entry on
/woordenlijst, later uses stay plain text.
"""
from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass

from flask import g, has_request_context, url_for
from markupsafe import Markup, escape

from . import ROOT

GLOSSARY_CSV = ROOT / "geodata" / "woordenlijst.csv"


@dataclass(frozen=True)
class Term:
    id: str               # anchor on /woordenlijst
    term: str             # as the glossary shows it
    forms: tuple[str, ...]
    explanation: str
    source: str


@functools.cache
def load_terms() -> tuple[Term, ...]:
    with GLOSSARY_CSV.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    terms = tuple(
        Term(row["id"], row["term"], tuple(f.strip() for f in row["vormen"].split(";") if f.strip()),
             row["uitleg"].strip(), row["bron"].strip())
        for row in rows
    )
    return tuple(sorted(terms, key=lambda t: t.term.lower()))


@functools.cache
def _pattern() -> tuple[re.Pattern, dict[str, Term]]:
    """One regex over every form (longest first, so "verplicht of keuze" wins
    over "verplicht"), matched on the escaped text as whole words."""
    by_form = {}
    for term in load_terms():
        for form in term.forms:
            by_form[str(escape(form)).lower()] = term
    alternatives = "|".join(re.escape(f) for f in sorted(by_form, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])({alternatives})(?![\w-])", re.IGNORECASE), by_form


def _seen() -> set[str]:
    """The terms already marked on the page being rendered (one set per request)."""
    if not has_request_context():
        return set()
    if "glossary_seen" not in g:
        g.glossary_seen = set()
    return g.glossary_seen


def mark_first_use(text) -> Markup:
    """Plain text -> escaped HTML in which the first use on this page of each
    glossary term links to its explanation. Markup passes through unchanged
    (it may hold tags whose attributes must not be touched); None -> ''."""
    if text is None:
        return Markup("")
    if isinstance(text, Markup):
        return text
    pattern, by_form = _pattern()
    seen = _seen()

    def link(match: re.Match) -> str:
        term = by_form[match.group(1).lower()]
        if term.id in seen:
            return match.group(0)
        seen.add(term.id)
        href = url_for("glossary.page", _anchor=f"term-{term.id}")
        return (f'<a class="term" href="{escape(href)}" data-term="{term.id}" '
                f'title="{escape(term.explanation)}">{match.group(1)}</a>')

    return Markup(pattern.sub(link, str(escape(text))))
