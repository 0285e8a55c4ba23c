"""Budgets on the map: a circle per fiche, or a classed map per wijk.

build_budget_symbols_layer: fiche features in EPSG:4326 -> circles at each
fiche's representative point, area proportional to budget_total_eur, and a
legend with reference circles in euro.
build_wijk_budget_layer: wijk features in EPSG:4326 with amount_eur,
eur_per_inhabitant, population, illustrative -> classed map in euro or euro
per inhabitant, marked "Illustratieve cijfers" when any figure behind it is.
"""
from __future__ import annotations

import math

import folium

from . import styles
from .choropleth import build_choropleth
from .geojson import BIND_HTML, collection, read_features, representative_point, style_lookup
from .legend import Entry, Legend, circles_svg, entries_html, notes_html
from .popups import budget_tooltip, fiche_popup

MAX_RADIUS_PX = 28
MIN_RADIUS_PX = 3
SYMBOL_COLOR = "#1F6FB2"
MEASURES = {
    "amount_eur": ("Budget per wijk", "Bedragen in euro, opgeteld over de periode."),
    "eur_per_inhabitant": ("Budget per inwoner", "Euro per inwoner van de wijk."),
}


def radius_for(amount: float, max_amount: float, max_radius: float = MAX_RADIUS_PX) -> float:
    """Pixel radius whose circle area is proportional to amount (radius ∝ √amount)."""
    if max_amount <= 0 or amount <= 0:
        return 0.0
    return max(MIN_RADIUS_PX, max_radius * math.sqrt(amount / max_amount))


def reference_amounts(max_amount: float) -> list[float]:
    """2-3 round amounts (1-2-5 series) for the legend: about max, /5, /25."""
    refs = []
    for target in (max_amount, max_amount / 5, max_amount / 25):
        nice = _nice_floor(target)
        if nice > 0 and nice not in refs and radius_for(nice, max_amount) >= MIN_RADIUS_PX + 1:
            refs.append(nice)
    return refs


def _nice_floor(value: float) -> float:
    if value <= 0:
        return 0.0
    power = 10 ** math.floor(math.log10(value))
    for step in (5, 2, 1):
        if step * power <= value:
            return float(step * power)
    return float(power)


def build_budget_symbols_layer(fiches_fc, name: str = "Budget per project", *,
                               show: bool = True) -> tuple[folium.GeoJson, Legend]:
    """Proportional circles; fiches without a (positive) budget are left out."""
    rows = []
    for feature in read_features(fiches_fc):
        props = feature["properties"]
        amount = props.get("budget_total_eur")
        if amount is None or amount <= 0:
            continue
        rows.append((float(amount), feature, props))
    rows.sort(key=lambda row: row[0], reverse=True)  # small circles on top
    max_amount = rows[0][0] if rows else 0.0
    items, feature_styles = [], []
    for amount, feature, props in rows:
        lon, lat = representative_point(feature["geometry"])
        items.append(({"type": "Point", "coordinates": [lon, lat]},
                      {"tooltip": budget_tooltip(props), "popup": fiche_popup(props)}))
        illustrative = bool(props.get("budget_illustrative"))
        style = {"radius": round(radius_for(amount, max_amount), 1), "color": SYMBOL_COLOR, "weight": 1.5,
                 "fill": True, "fillColor": SYMBOL_COLOR, "fillOpacity": 0.3, "className": "fk-budget"}
        if illustrative:
            style["dashArray"] = "4 3"
        feature_styles.append(style)
    layer = folium.GeoJson(
        collection(items),
        name=name,
        style_function=style_lookup(feature_styles),
        marker=folium.CircleMarker(),
        on_each_feature=BIND_HTML,
        show=show,
    )
    any_illustrative = any(bool(props.get("budget_illustrative")) for _, _, props in rows)
    refs = [(radius_for(a, max_amount), styles.format_eur(a)) for a in reference_amounts(max_amount)]
    notes = ["De oppervlakte van een cirkel is evenredig met het totale budget van de fiche."]
    body = circles_svg(refs, SYMBOL_COLOR) + notes_html(notes)
    if any_illustrative:
        body += entries_html([Entry("Illustratief budget", SYMBOL_COLOR, "circle", dashed=True, fill_opacity=0.3)])
    legend = Legend(name, body, layer=layer, illustrative=any_illustrative)
    return layer, legend


def build_wijk_budget_layer(wijk_budget_fc, measure: str = "amount_eur", period_label: str = "", *,
                            name: str | None = None, scheme: str = "quantiles", k: int = 5,
                            show: bool = True) -> tuple[folium.GeoJson, Legend]:
    """Classed map of amount_eur (€) or eur_per_inhabitant (€/inwoner) per wijk."""
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {sorted(MEASURES)}")
    title, unit_note = MEASURES[measure]
    features = read_features(wijk_budget_fc)
    illustrative = any(bool(f["properties"].get("illustrative")) for f in features)

    def fmt(value: float, decimals: int) -> str:
        if measure == "amount_eur":
            return styles.format_eur(value)
        return styles.format_eur(value, 2 if decimals == 2 else 0) + "/inwoner"

    def extra(props: dict) -> str:
        parts = []
        if measure == "eur_per_inhabitant" and props.get("amount_eur") is not None:
            parts.append(f"Totaal: {styles.format_eur(props['amount_eur'])}")
        if props.get("illustrative"):
            parts.append("(illustratief)")
        return " ".join(parts)

    def value_of(props: dict):
        value = props.get(measure)
        return None if value is None else float(value)

    notes = [f"Periode: {period_label}" if period_label else "", unit_note,
             "Het budget van een fiche is over de wijken verdeeld volgens haar ligging "
             "(punt, lengte of oppervlakte)."]
    layer, legend, _ = build_choropleth(
        features, value_of, name=name or title, title=title, palette="greens", format_value=fmt,
        notes=notes, illustrative=illustrative, scheme=scheme, k=k, tooltip_extra=extra, show=show,
    )
    return layer, legend
