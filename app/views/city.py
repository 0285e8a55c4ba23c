"""The city map page: every layer, filters in the URL, and a list view of the same selection.

GET /<slug>?sector=&status=&sdg=&obligation=&year=&wijk=&q=   (FicheFilters.from_args)
            &sort=relevantie|inhoud|startjaar|budget|titel   (city_list)
            &kleur=sector|status &indicator=<code> &klassen=<scheme> &budget=totaal|per_inwoner
A value that does not parse or is unknown is ignored and named in a Dutch notice.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, Response, render_template, request, url_for

from layers import styles
from layers.phases import phase_collection

from ..db import get_session
from ..http.page_cache import cached_page
from ..read.apportion import WijkIndex
from ..read.features import dumps, phase_features
from ..read.queries import FicheFilters, budget_is_illustrative, budget_total, fiche_years
from ..read.rows import AreaRow, FicheRow, load_fiche_rows
from ..read.textsearch import rank_fiche_ids
from ..read.wijk_budgets import wijk_index_of
from . import city_list
from .city_facts import city_facts_or_404, kept_wijk_chooser
from .city_figures import as_given
from .city_map import MapOptions, build_city_map, single_year

bp = Blueprint("city", __name__)

# Above this many fiches in the selection the page embeds the list only: a map
# of thousands of features in the HTML is megabytes a phone must parse. A
# region-scale map fetches features by bbox from the feature endpoints instead.
MAX_EMBEDDED_FICHES = 2000

COLOUR_BY = {"sector": "sector", "status": "status"}
SCHEMES = {"quantiles": "quantiles", "kwantielen": "quantiles",
           "natural_breaks": "natural_breaks", "natuurlijke_breuken": "natural_breaks", "jenks": "natural_breaks",
           "equal_interval": "equal_interval", "gelijke_intervallen": "equal_interval"}
BUDGET_MEASURES = {"totaal": "amount_eur", "per_inwoner": "eur_per_inhabitant"}
NUMBER_ARGS = {"year": "jaar", "year_from": "vanaf jaar", "year_to": "tot jaar", "sdg": "SDG"}


@dataclass
class ListRow:
    """One line of the list view: what the map's popup says, plus the wijken."""
    fiche: FicheRow
    years: str
    budget: float | None
    budget_illustrative: bool
    wijken: list = field(default_factory=list)          # the wijken (AreaRow) the fiche's place touches
    active_phases: list = field(default_factory=list)   # phases (PhaseRow) running in the filtered year


def parse_map_options(args, indicators) -> tuple[MapOptions, list[str]]:
    """MapOptions from the URL, and a Dutch notice per value that was ignored."""
    notices = []

    def choose(name, table, default, what):
        raw = (args.get(name) or "").strip()
        if raw and raw.lower() not in table:
            notices.append(f"Onbekende {what} ‘{raw[:60]}’ genegeerd.")
        return table.get(raw.lower(), default)

    colour_by = choose("kleur", COLOUR_BY, "sector", "kleuring")
    scheme = choose("klassen", SCHEMES, "quantiles", "klassenindeling")
    measure = choose("budget", BUDGET_MEASURES, "amount_eur", "budgetweergave")
    by_code = {i.code: i for i in indicators}
    asked = (args.get("indicator") or "").strip()
    if asked and asked not in by_code:
        notices.append(f"Onbekende indicator ‘{asked[:60]}’ genegeerd.")
    indicator = by_code.get(asked) or (indicators[0] if indicators else None)
    show_budget = (args.get("budget") or "").strip().lower() in BUDGET_MEASURES
    return MapOptions(colour_by=colour_by, indicator=indicator, show_indicator=asked in by_code, scheme=scheme,
                      budget_measure=measure, show_budget=show_budget), notices


def number_notices(args, filters: FicheFilters) -> list[str]:
    parsed = {"year": filters.year_from, "year_from": filters.year_from, "year_to": filters.year_to,
              "sdg": filters.sdg}
    return [f"‘{args.get(name)[:20]}’ is geen geldig {label} en werd genegeerd."
            for name, label in NUMBER_ARGS.items() if (args.get(name) or "").strip() and parsed[name] is None]


def fiche_rows(fiches: list[FicheRow], wijken: list[AreaRow], filters: FicheFilters,
               index: WijkIndex | None = None) -> list[ListRow]:
    """The list view's rows; the year's phases use the slider's rule (PhaseRow.runs_in).
    `index`: wijk_index_of(wijken) when the caller keeps it."""
    index = index if index is not None else wijk_index_of(wijken)
    by_code = {a.code: a for a in wijken}
    year = single_year(filters)
    # Every wijk a place intersects, as the wijk filter does (not only those with a budget share).
    placed = [i for i, f in enumerate(fiches) if f.geom is not None]
    touched: dict[int, set] = {i: set() for i in placed}
    if placed and wijken:
        which, wijk = index.tree.query([fiches[i].geom for i in placed], predicate="intersects")
        for w, k in zip(which, wijk):
            touched[placed[w]].add(index.codes[k])
    rows = []
    for i, fiche in enumerate(fiches):
        rows.append(ListRow(
            fiche=fiche, years=styles.format_years(*fiche_years(fiche)),
            budget=budget_total(fiche) if fiche.budget_lines else None,
            budget_illustrative=budget_is_illustrative(fiche),
            wijken=[by_code[c] for c in sorted(touched.get(i, ()))],
            active_phases=[p for p in fiche.phases if p.runs_in(year)] if year is not None else [],
        ))
    return rows


@bp.get("/<slug>")
@cached_page
def map(slug: str):
    session = get_session()
    facts = city_facts_or_404(session, slug)  # kept per data version: the selection is what is read
    city = facts.city
    filters = FicheFilters.from_args(request.args, municipality=city.nis_code)
    indicators = facts.indicators
    options, notices = parse_map_options(request.args, indicators)
    notices += number_notices(request.args, filters)
    order, sort_notices = city_list.parse_sort(request.args, searching=bool(filters.q))
    notices += sort_notices
    areas = facts.areas
    wijken = areas.get("wijk", [])
    if filters.wijk and filters.wijk not in {a.code for a in wijken}:
        notices.append(f"Onbekende wijk ‘{filters.wijk[:60]}’: geen projecten.")
    fiches = load_fiche_rows(session, filters)
    if filters.q and order == "relevantie":  # the search's own ranking, as on the search page
        position = {fid: i for i, fid in enumerate(rank_fiche_ids(session, filters.q, [f.id for f in fiches]))}
        fiches.sort(key=lambda f: position.get(f.id, len(position)))
    rows = city_list.sort_rows(fiche_rows(fiches, wijken, filters, facts.wijk_index), order)
    too_many = len(fiches) > MAX_EMBEDDED_FICHES
    map_parts: dict | None = None
    layer_names: dict = {}
    if not too_many:
        map_parts, layer_names = build_city_map(session, city, fiches, filters, options, wijken, areas,
                                                facts.area_features, facts.wijk_index)
    return render_template(
        "city/map.html", city=city, plan=facts.plan, filters=filters,
        filter_args=filters.as_query_args(), year=single_year(filters), options=options, indicators=indicators,
        notices=notices, rows=rows, wijken=wijken, choices=facts.choices, map_parts=map_parts,
        layer_names=layer_names, too_many=too_many, max_embedded=MAX_EMBEDDED_FICHES, styles=styles,
        order=order, sort_choices=city_list.sort_choices(bool(filters.q)),
        view_args=city_list.view_args(filters, options, order),
        key_figures=facts.key_figures, as_given=as_given,   # the "<Stad> in cijfers" block
        # the list's links, built once rather than by url_for per fiche and wijk
        fiche_base=url_for("fiche.page", slug=city.slug, fiche_id=0).removesuffix("0"),
        wijk_urls={w.code: url_for("wijk.page", slug=city.slug, code=w.code) for w in wijken},
        wijk_chooser=kept_wijk_chooser(session),  # the finder's wijken of this city, kept with its facts
        any_illustrative=any(r.budget_illustrative for r in rows)
        or any(p.illustrative for f in fiches for p in f.phases),
    )


@bp.get("/<slug>/fasen.json")
@cached_page
def phases(slug: str):
    """The phases of the map's selection (the same URL arguments) as its
    Timeline draws them: fetched the first time "Fasen" is on (layers/phases.py)."""
    session = get_session()
    city = city_facts_or_404(session, slug).city
    filters = FicheFilters.from_args(request.args, municipality=city.nis_code)
    collection = phase_collection(phase_features(load_fiche_rows(session, filters)))
    return Response(dumps(collection), mimetype="application/json")
