"""The order of the city page's list, and the URL that shares the whole view.

`sort` in the URL (Dutch values, so a shared link reads as what it does):
  relevantie  the order of the search (only offered with a search term)
  inhoud      projects with a place, years or a budget first (the default
              without a search: most fiches of a plan are still empty)
  startjaar   earliest start first, fiches without years last
  budget      largest total expenses first, fiches without a budget last
  titel       A-Z, ignoring case and accents
"""
from __future__ import annotations

import unicodedata

from ..read.queries import FicheFilters, budget_total, fiche_years

SORT_LABELS = {
    "relevantie": "Best passend bij de zoekterm",
    "inhoud": "Eerst projecten met plaats, jaren of budget",
    "startjaar": "Startjaar (vroegste eerst)",
    "budget": "Budget (hoogste eerst)",
    "titel": "Titel (A tot Z)",
}
BUDGET_ARGS = {"amount_eur": "totaal", "eur_per_inhabitant": "per_inwoner"}


def default_sort(searching: bool) -> str:
    return "relevantie" if searching else "inhoud"


def sort_choices(searching: bool) -> dict[str, str]:
    """The orders the form offers: relevance only when there is a search term."""
    return {k: v for k, v in SORT_LABELS.items() if searching or k != "relevantie"}


def parse_sort(args, searching: bool) -> tuple[str, list[str]]:
    """The asked order, or the default and a Dutch notice when it is unknown.
    'relevantie' without a search term is the default order, silently."""
    raw = (args.get("sort") or "").strip().lower()
    if raw in sort_choices(searching):
        return raw, []
    notices = [f"Onbekende sortering ‘{raw[:40]}’ genegeerd."] if raw and raw not in SORT_LABELS else []
    return default_sort(searching), notices


def _title_key(title: str) -> str:
    decomposed = unicodedata.normalize("NFKD", title or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def facts_known(fiche) -> int:
    """How many of place, years and budget the fiche has (0-3)."""
    start, _end = fiche_years(fiche)
    return (fiche.geom is not None) + (start is not None) + bool(fiche.budget_lines)


def sort_rows(rows: list, order: str, fiche_of=lambda row: row.fiche) -> list:
    """`rows` (in the order of the search) in the asked order; every order is
    total (ties by title, then id), so a shared link shows the same list."""
    def fiche(row):
        return fiche_of(row)

    if order == "relevantie":
        return list(rows)
    if order == "inhoud":
        return sorted(rows, key=lambda r: (-facts_known(fiche(r)), fiche(r).id))
    if order == "startjaar":
        def by_start(r):
            start = fiche_years(fiche(r))[0]
            return (start is None, start or 0, _title_key(fiche(r).title), fiche(r).id)
        return sorted(rows, key=by_start)
    if order == "budget":
        def by_budget(r):
            f = fiche(r)
            amount = budget_total(f) if f.budget_lines else None
            return (amount is None, -(amount or 0), _title_key(f.title), f.id)
        return sorted(rows, key=by_budget)
    if order == "titel":
        return sorted(rows, key=lambda r: (_title_key(fiche(r).title), fiche(r).id))
    raise ValueError(order)


def view_args(filters: FicheFilters, options, order: str) -> dict[str, str]:
    """The URL arguments of the view as it is shown: the filters, the list
    order (when not the default) and the map options (when not the default),
    so a shared link opens exactly this view."""
    args = filters.as_query_args()
    if args.get("year_from") is not None and args.get("year_from") == args.get("year_to"):
        args["year"] = args.pop("year_from")
        args.pop("year_to")
    if order != default_sort(bool(filters.q)):
        args["sort"] = order
    if options.colour_by != "sector":
        args["kleur"] = options.colour_by
    if options.show_indicator and options.indicator is not None:
        args["indicator"] = options.indicator.code
    if options.scheme != "quantiles":
        args["klassen"] = options.scheme
    if options.show_budget:
        args["budget"] = BUDGET_ARGS[options.budget_measure]
    return args
