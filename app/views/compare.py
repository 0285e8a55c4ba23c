"""The comparison page: budget per wijk against a wijk indicator.

/<slug>/vergelijken       two synced maps (budget per wijk | indicator), a
                          scatter chart and the table behind them
/<slug>/vergelijken.csv   that table as CSV (the dialect of app.exports.tabular)

Choices come from the query string (shareable): indicator, measure, year,
scheme. A choice that does not exist falls back to the default with a Dutch
notice on the page, never an error. Budgets are the published fiches'
expenses, shared over the wijken by app.read.wijk_budgets.apportion_budget_to_wijken.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import pandas as pd
from flask import Blueprint, Response, abort, render_template, request
from sqlalchemy.orm import Session

from layers import styles

from ..basemap import basemap_setting
from ..db import get_session
from ..exports.tabular import csv_bytes
from ..http.page_cache import cached_page
from ..models import Area, Indicator, Municipality
from ..numbers import whole_number
from ..read.features import area_features, with_properties
from ..read.pages import budget_years
from ..read.queries import FicheFilters, latest_indicator_values, wijk_indicators
from ..read.rows import AreaRow, load_area_rows
from ..read.wijk_budgets import apportion_budget_to_wijken
from . import city_or_404

bp = Blueprint("compare", __name__)

BRUSSELS = ZoneInfo("Europe/Brussels")
MEASURES = {"eur_per_inhabitant": "Euro per inwoner", "amount_eur": "Euro (totaal)"}
SCHEMES = {"quantiles": "Kwantielen (even veel wijken per klasse)",
           "natural_breaks": "Natuurlijke breuken (Jenks)",
           "equal_interval": "Gelijke intervallen"}
# A social indicator first: the page exists to ask whether money goes where the need is.
PREFERRED_INDICATORS = ("kinderarmoede", "aandeel_65plus", "bevolking")
WHOLE_TERM = ""
_UNSAFE_NAME = re.compile(r"[^a-z0-9_-]+")  # file names safe in a Content-Disposition header
# The table's columns (also the CSV header): key -> Dutch header.
COLUMNS = {
    "wijk": "wijk", "code": "wijkcode", "population": "inwoners", "amount_eur": "budget_eur",
    "eur_per_inhabitant": "eur_per_inwoner", "value": "indicatorwaarde", "indicator": "indicator",
    "unit": "eenheid", "budget_period": "periode_budget", "indicator_period": "periode_indicator",
    "source": "bron_indicator", "illustrative": "illustratief",
}


@dataclass
class Choices:
    """What the visitor asked for, after checking; `notices` says what was replaced."""
    indicator: Indicator
    measure: str
    year: int | None
    scheme: str
    indicators: list[Indicator]
    years: list[int]
    notices: list[str] = field(default_factory=list)

    @property
    def period_span(self) -> str:
        """'2027', or the years of the whole term: '2025-2031'."""
        if self.year is not None:
            return str(self.year)
        return f"{self.years[0]}-{self.years[-1]}" if self.years else "alle jaren"

    @property
    def period_label(self) -> str:
        return self.period_span if self.year is not None else f"hele periode {self.period_span}"

    def as_query_args(self) -> dict[str, str]:
        return {"indicator": self.indicator.code, "measure": self.measure,
                "year": "" if self.year is None else str(self.year), "scheme": self.scheme}


def parse_choices(session: Session, city: Municipality, args) -> Choices:
    indicators = wijk_indicators(session, city)
    if not indicators:
        abort(404, f"Er zijn geen cijfers per wijk voor {city.name}.")
    years = budget_years(session, city)
    notices = []
    by_code = {i.code: i for i in indicators}
    default = next((by_code[c] for c in PREFERRED_INDICATORS if c in by_code), indicators[0])
    asked = (args.get("indicator") or "").strip()
    indicator = by_code.get(asked, default)
    if asked and asked not in by_code:
        notices.append(f"De indicator '{asked[:80]}' bestaat niet voor de wijken van {city.name}; "
                       f"we tonen {default.name}.")
    measure = args.get("measure") or "eur_per_inhabitant"
    if measure not in MEASURES:
        notices.append(f"Onbekende budgetmaat '{measure[:80]}'; we tonen euro per inwoner.")
        measure = "eur_per_inhabitant"
    raw_year = (args.get("year") or WHOLE_TERM).strip()
    year = whole_number(raw_year, 1000, 9999)
    year = year if year in years else None
    if raw_year and year is None:
        notices.append(f"Voor '{raw_year[:80]}' is er geen budget ({years[0]}-{years[-1]} kan); "
                       "we tonen de hele periode." if years else "Er is geen budget per jaar; we tonen alles.")
    scheme = args.get("scheme") or "quantiles"
    if scheme not in SCHEMES:
        notices.append(f"Onbekende klassenindeling '{scheme[:80]}'; we tonen kwantielen.")
        scheme = "quantiles"
    return Choices(indicator, measure, year, scheme, indicators, years, notices)


def city_wijken(session: Session, city: Municipality) -> list[AreaRow]:
    return load_area_rows(session, Area.municipality_id == city.id, Area.level == "wijk")


def comparison_rows(session: Session, city: Municipality, choices: Choices,
                    wijken: list[AreaRow] | None = None) -> tuple[list[dict], float]:
    """One row per wijk (keys of COLUMNS) and the city-wide amount not shared
    over the wijken. Published fiches only (the FicheFilters default)."""
    apportionment = apportion_budget_to_wijken(session, city, FicheFilters(), year=choices.year, wijken=wijken)
    values = latest_indicator_values(session, city, choices.indicator.code)
    rows = []
    for wb in apportionment.wijken:
        value = values.get(wb.code)
        rows.append({
            "wijk": wb.name, "code": wb.code, "population": wb.population, "amount_eur": wb.amount_eur,
            "eur_per_inhabitant": wb.eur_per_inhabitant,
            "value": value.value if value else None, "indicator": choices.indicator.name,
            "unit": choices.indicator.unit or "", "budget_period": choices.period_span,
            "indicator_period": value.period if value else "", "source": (value.source or "") if value else "",
            "illustrative": wb.illustrative or bool(value and value.illustrative),
        })
    return rows, apportionment.citywide_eur


# --- maps ---------------------------------------------------------------------
# Each map's header repeats the shared <script src>/<link>/<style> tags;
# loading Leaflet twice would drop the plugins bound to the first copy.
_HEAD_TAG = re.compile(r"<script\b[^>]*>.*?</script>|<link\b[^>]*>|<style\b[^>]*>.*?</style>", re.S)
_HATCH_SVG = re.compile(r"<svg\b[^>]*>.*?</svg>", re.S)


def merge_map_parts(parts: list[dict]) -> dict:
    """{'header', 'maps': [{'name', 'html', 'script'}, ...]}: one header with
    each shared tag once, and the second copy of the shared SVG pattern dropped."""
    seen, header = set(), []
    for p in parts:
        for tag in _HEAD_TAG.findall(p["header"]):
            if tag not in seen:
                seen.add(tag)
                header.append(tag)
    maps, svgs = [], set()
    for p in parts:
        html = p["html"]
        for svg in _HATCH_SVG.findall(html):
            html = html.replace(svg, "") if svg in svgs else html
            svgs.add(svg)
        maps.append({"name": p["name"], "html": html, "script": p["script"]})
    return {"header": "\n".join(header), "maps": maps}


def comparison_maps(areas: list[AreaRow], city: Municipality, choices: Choices, rows: list[dict]) -> dict:
    """The budget map and the indicator map (layers/) of the city's wijken, fitted to them."""
    from layers.base import add_layer_control, build_base_map, render_map_parts
    from layers.budgets import build_wijk_budget_layer
    from layers.geojson import bounds_of
    from layers.indicators import build_indicator_layer

    by_code = {r["code"]: r for r in rows}
    wijken = area_features(areas)
    budget_fc = with_properties(wijken, {c: {"amount_eur": r["amount_eur"], "population": r["population"],
                                             "eur_per_inhabitant": r["eur_per_inhabitant"],
                                             "illustrative": r["illustrative"]} for c, r in by_code.items()})
    indicator_fc = with_properties(wijken, {c: {"value": r["value"]} for c, r in by_code.items()})
    bounds = bounds_of(wijken)
    illustrative_values = any(r["illustrative"] and r["value"] is not None for r in rows)
    sources = sorted({r["source"] for r in rows if r["source"]})
    periods = sorted({r["indicator_period"] for r in rows if r["indicator_period"]})

    budget_map = build_base_map(bounds, basemap_setting(), label=f"Kaart: budget per wijk in {city.name}")
    layer, legend = build_wijk_budget_layer(budget_fc, choices.measure, choices.period_label,
                                            scheme=choices.scheme)
    layer.add_to(budget_map)
    legend.add_to(budget_map)
    add_layer_control(budget_map, {"Cijfers per wijk": [layer]}, collapsed=True)
    # folium's own Leaflet.Sync URL: layers.assets serves it from node_modules.
    budget_map.default_js = [*budget_map.default_js,
                             ("leaflet_sync", "https://cdn.jsdelivr.net/gh/jieter/Leaflet.Sync/L.Map.Sync.min.js")]

    indicator_map = build_base_map(bounds, basemap_setting(),
                                   label=f"Kaart: {choices.indicator.name} per wijk in {city.name}")
    layer, legend = build_indicator_layer(
        indicator_fc, name=choices.indicator.name, unit=choices.indicator.unit or "",
        period=", ".join(periods) or "onbekend", source="; ".join(sources) or "onbekend",
        illustrative=illustrative_values, scheme=choices.scheme,
    )
    layer.add_to(indicator_map)
    legend.add_to(indicator_map)
    add_layer_control(indicator_map, {"Cijfers per wijk": [layer]}, collapsed=True)
    merged = merge_map_parts([render_map_parts(budget_map), render_map_parts(indicator_map)])
    # [[south, west], [north, east]]: compare.js refits both maps clear of their legends.
    merged["bounds"] = [[bounds[1], bounds[0]], [bounds[3], bounds[2]]] if bounds else None
    return merged


# --- views --------------------------------------------------------------------
@bp.get("/<slug>/vergelijken")
@cached_page
def page(slug: str):
    session = get_session()
    city = city_or_404(slug)
    if not wijk_indicators(session, city):  # a city just added: its wijken, no figures yet (not an error)
        return render_template("compare/empty.html", city=city)
    choices = parse_choices(session, city, request.args)
    wijken = city_wijken(session, city)
    rows, citywide_eur = comparison_rows(session, city, choices, wijken)
    points = [{"label": r["wijk"], "x": r[choices.measure], "y": r["value"]}
              for r in rows if r[choices.measure] is not None and r["value"] is not None]
    return render_template(
        "compare/page.html", city=city, choices=choices, rows=rows, citywide_eur=citywide_eur,
        maps=comparison_maps(wijken, city, choices, rows), points=points,
        measures=MEASURES, schemes=SCHEMES, any_illustrative=any(r["illustrative"] for r in rows),
        indicator_illustrative=any(r["illustrative"] and r["value"] is not None for r in rows),
        fmt_eur=styles.format_eur, fmt_number=styles.format_number,
        fmt_value=format_indicator_value,
    )


def format_indicator_value(value: float | None, unit: str) -> str:
    """'19,8%', '9.500 inwoners': whole numbers without decimals, else one."""
    return styles.format_value(value, unit, 0 if value is None or float(value).is_integer() else 1)


EURO_KEYS = ("amount_eur", "eur_per_inhabitant")


def _cents(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


@bp.get("/<slug>/vergelijken.csv")
def table_csv(slug: str):
    session = get_session()
    city = city_or_404(slug)
    choices = parse_choices(session, city, request.args)
    rows, _ = comparison_rows(session, city, choices)
    frame = pd.DataFrame([{COLUMNS[k]: _cents(r[k]) if k in EURO_KEYS else r[k] for k in COLUMNS} for r in rows],
                         columns=list(COLUMNS.values()))
    today = dt.datetime.now(BRUSSELS).date()
    year = choices.year if choices.year is not None else "alle-jaren"
    code = _UNSAFE_NAME.sub("-", choices.indicator.code.lower()).strip("-") or "indicator"
    name = f"fichekaart_{city.slug}_vergelijking_{code}_{year}_{today.isoformat()}.csv"
    return Response(csv_bytes(frame), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
