"""The folium map of the city page, built only from layers/ (pure builders).

In: the city, the selected fiches (plain rows, app.read.rows) and the page's
map options. Out: the map's parts to embed in a page ({{ name, header, html,
script }}) plus the JS names of its layers (tests and scripts find the
layers by them).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import folium
from branca.element import Element
from flask import url_for
from folium.map import Layer
from sqlalchemy.orm import Session

from layers.areas import build_areas_layer
from layers.base import add_layer_control, build_base_map, render_map_parts
from layers.budgets import build_budget_symbols_layer, build_wijk_budget_layer
from layers.geojson import bounds_of, widened_bounds
from layers.indicators import build_indicator_layer
from layers.phases import build_phases_layer
from layers.projects import build_projects_layer

from ..basemap import basemap_setting
from ..models import Indicator, Municipality
from ..read.apportion import WijkIndex
from ..read.features import area_features, fiche_features, phase_features, with_properties
from ..read.queries import FicheFilters
from ..read.rows import AreaRow, FicheRow, load_city_areas
from ..read.wijk_budgets import apportion_budget_to_wijken
from .city_facts import kept_indicator_values


@dataclass(frozen=True)
class MapOptions:
    """How the map draws the selection (URL args kleur, indicator, klassen, budget)."""
    colour_by: str = "sector"             # sector | status
    indicator: Indicator | None = None    # the indicator of the classed map
    show_indicator: bool = False          # only when the URL asks for one
    scheme: str = "quantiles"             # mapclassify scheme of both classed maps
    budget_measure: str = "amount_eur"    # amount_eur | eur_per_inhabitant
    show_budget: bool = False             # only when the URL asks for it


def single_year(filters: FicheFilters) -> int | None:
    if filters.year_from is not None and filters.year_from == filters.year_to:
        return filters.year_from
    return None


# A narrowed selection is shown with at least this much around it (one fiche:
# the streets around it, not zoom 18).
MIN_EXTENT_M = 500


def _narrowed(filters: FicheFilters) -> bool:
    """Whether the page shows a chosen part of the city (the map then fits it)."""
    return any((filters.q, filters.sector, filters.status, filters.sdg, filters.obligation, filters.wijk))


def _view_bounds(filters: FicheFilters, gemeente: dict, chosen_wijk: dict, fiche_fc: dict):
    """What the map fits: the chosen wijk, else a narrowed selection's fiches,
    else the whole city (EPSG:4326 bounds)."""
    if chosen_wijk["features"]:
        return bounds_of(chosen_wijk)
    if _narrowed(filters) and fiche_fc["features"]:
        return widened_bounds(bounds_of(fiche_fc), MIN_EXTENT_M)
    return bounds_of(gemeente) or bounds_of(fiche_fc)


def build_city_map(session: Session, city: Municipality, fiches: list[FicheRow], filters: FicheFilters,
                   options: MapOptions, wijk_rows: list[AreaRow],
                   areas: dict[str, list[AreaRow]] | None = None,
                   area_fcs: dict[str, dict] | None = None,
                   wijk_index: WijkIndex | None = None) -> tuple[dict, dict]:
    """(map parts, {layer role: JS name}) for the selected fiches of `city`
    (`wijk_rows`: the city's wijken; `areas`: all its areas by level,
    app.read.rows.load_city_areas, loaded here when not given; `area_fcs`:
    their features by level when the caller keeps them, read only;
    `wijk_index`: the wijken's WijkIndex when the caller keeps it)."""
    if area_fcs is None:
        areas = areas if areas is not None else load_city_areas(session, city.id)
        area_fcs = {level: area_features(areas.get(level, []) if level != "wijk" else wijk_rows)
                    for level in ("gemeente", "deelgemeente", "wijk")}
    gemeente, deelgemeenten, wijken = area_fcs["gemeente"], area_fcs["deelgemeente"], area_fcs["wijk"]
    fiche_fc = fiche_features(fiches)
    year = single_year(filters)
    chosen_wijk = area_features([w for w in wijk_rows if filters.wijk and w.code == filters.wijk])
    for feature in chosen_wijk["features"]:  # drawn in the bold border style
        feature["properties"]["level"] = "gemeente"

    m = build_base_map(_view_bounds(filters, gemeente, chosen_wijk, fiche_fc), basemap_setting(),
                       label=f"Kaart van de projecten in {city.name}")
    # Drawn first, before the page's list is parsed: the map shell (without its plugins) and the projects.
    first: list[Element] = [e for e in m._children.values() if not getattr(e, "default_js", None)]
    names: dict[str, str | list[str]] = {"map": m.get_name()}
    legends = []
    groups: dict[str, list[Layer]] = {"Projecten": [], "Tijdlijn": [], "Cijfers per wijk": [], "Gebieden": []}

    if wijk_rows:
        # the selection itself unless it is narrowed to one wijk (the budget map shows every wijk)
        selection = None if filters.wijk else fiches
        budget_layer, budget_legend = _wijk_budget_layer(session, city, wijken, filters, year, options, selection,
                                                         wijk_rows, wijk_index)
        budget_layer.add_to(m)
        legends.append(budget_legend)
        groups["Cijfers per wijk"].append(budget_layer)
        names["wijk_budget"] = budget_layer.get_name()
        if options.indicator is not None:
            indicator_layer, indicator_legend = _indicator_layer(session, city, wijken, options)
            indicator_layer.add_to(m)
            legends.append(indicator_legend)
            groups["Cijfers per wijk"].append(indicator_layer)
            names["indicator"] = indicator_layer.get_name()

    for key, fc, level, kwargs in (
        ("gemeente", gemeente, "gemeente", {"name": f"Grondgebied {city.name}"}),
        ("deelgemeenten", deelgemeenten, "deelgemeente", {"show": False}),
        ("wijken", wijken, "wijk", {"labels": True}),
        ("chosen_wijk", chosen_wijk, "gemeente", {"name": "Gekozen wijk"}),
    ):
        if fc["features"]:
            layer = build_areas_layer(fc, level, **kwargs)
            layer.add_to(m)
            groups["Gebieden"].append(layer)
            names[key] = layer.get_name()

    projects, projects_legend = build_projects_layer(fiche_fc, style_by=options.colour_by)
    projects.add_to(m)
    legends.append(projects_legend)
    budgets, budgets_legend = build_budget_symbols_layer(fiche_fc, show=False)
    budgets.add_to(m)
    legends.append(budgets_legend)
    groups["Projecten"] += [projects, budgets]
    names["projects"] = [child.get_name() for child in projects._children.values()
                         if isinstance(child, folium.GeoJson)]
    names["budget_symbols"] = budgets.get_name()

    # The slider starts at the filtered year, else at this year (clamped to the phases).
    # The phases are on when the page asks for a year, else one click away in "Lagen";
    # their shapes are fetched then (city.phases: the same selection), not carried by the page.
    query: dict = filters.as_query_args()
    data_url = url_for("city.phases", slug=city.slug, **query)
    timeline, slider = build_phases_layer(phase_features(fiches, geometry=False), name="Fasen",
                                          year=year if year is not None else dt.date.today().year,
                                          show=filters.year_from is not None or filters.year_to is not None,
                                          data_url=data_url)
    timeline.add_to(m)
    groups["Tijdlijn"].append(timeline)
    names["timeline"], names["slider"], names["timeline_data"] = timeline.get_name(), slider.get_name(), data_url

    for legend in legends:
        legend.add_to(m)
    slider.add_to(m)
    add_layer_control(m, {group: layers for group, layers in groups.items() if layers})
    return render_map_parts(m, first=[*first, projects]), names


def _wijk_budget_layer(session, city, wijken, filters, year, options, fiches, wijk_rows, wijk_index):
    apportionment = apportion_budget_to_wijken(session, city, filters, year=year, fiches=fiches, wijken=wijk_rows,
                                               population=kept_indicator_values(session, city, "bevolking"),
                                               index=wijk_index)
    extra = {
        wb.code: {"amount_eur": wb.amount_eur, "eur_per_inhabitant": wb.eur_per_inhabitant,
                  "population": wb.population, "illustrative": wb.illustrative}
        for wb in apportionment.wijken
    }
    years = sorted({y for wb in apportionment.wijken for y in wb.by_year})
    if year is not None:
        period = str(year)
    elif years:
        period = f"{years[0]}–{years[-1]} (alle jaren samen)"
    else:
        period = "geen budget in deze selectie"
    return build_wijk_budget_layer(with_properties(wijken, extra), options.budget_measure, period,
                                   scheme=options.scheme, show=options.show_budget)


def _indicator_layer(session, city, wijken, options):
    indicator = options.indicator
    values = kept_indicator_values(session, city, indicator.code)
    extra = {code: {"value": v.value} for code, v in values.items()}
    periods = sorted({v.period for v in values.values()})
    sources = sorted({v.source for v in values.values() if v.source})
    return build_indicator_layer(
        with_properties(wijken, extra), name=indicator.name, unit=indicator.unit or "",
        period=", ".join(periods) or "onbekend", source="; ".join(sources) or "onbekend",
        illustrative=any(v.illustrative for v in values.values()), scheme=options.scheme,
        show=options.show_indicator,
    )
