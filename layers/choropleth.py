"""Classed (choropleth) area maps: mapclassify classes, colours, legend.

Shared by indicators.py (a wijk indicator) and budgets.py (budget per wijk).
Input: area features in EPSG:4326 and a function that reads the value of one
feature's properties (None = no data). Output: a folium.GeoJson in its own
pane under the project layers, and its Legend.
"""
from __future__ import annotations

import threading
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import folium
import mapclassify
import numpy as np

from . import styles
from .geojson import BIND_HTML, CHOROPLETH_PANE, EnsurePane, collection, read_features, style_lookup
from .legend import Entry, Legend, entries_html, no_data_entry, notes_html
from .popups import esc, value_tooltip

SCHEMES: dict[str, type] = {
    "quantiles": mapclassify.Quantiles,
    "natural_breaks": mapclassify.NaturalBreaks,
    "equal_interval": mapclassify.EqualInterval,
}
_RNG_LOCK = threading.Lock()


@dataclass
class Classes:
    """Upper-inclusive class limits, as mapclassify defines them.

    A value v is in class i when bins[i-1] < v <= bins[i]; class 0 starts at
    the smallest value (`lower`).
    """

    scheme: str
    bins: list[float] = field(default_factory=list)
    lower: float | None = None

    @property
    def k(self) -> int:
        return len(self.bins)

    def index(self, value: float | None) -> int | None:
        if value is None or not self.bins:
            return None
        i = int(np.searchsorted(self.bins, value, side="left"))
        return min(i, self.k - 1)  # guard against float noise above the top bin

    def labels(self, fmt: Callable[[float], str]) -> list[str]:
        out = []
        for i, upper in enumerate(self.bins):
            low = self.lower if i == 0 else self.bins[i - 1]
            out.append(fmt(upper) if low == upper else f"{fmt(low)} – {fmt(upper)}")
        return out


def classify(values: Sequence[float | None], scheme: str = "quantiles", k: int = 5) -> Classes:
    """Classes for the non-missing values with mapclassify's `scheme`.

    Fewer distinct values than k gives one class per distinct value at most
    (mapclassify would warn and, for quantiles, merge duplicate limits).
    NaturalBreaks runs k-means with numpy's global random state; it is seeded
    here (and restored) so the same data always gets the same legend.
    """
    if scheme not in SCHEMES:
        raise ValueError(f"unknown classification scheme {scheme!r}; use one of {sorted(SCHEMES)}")
    data = np.array([float(v) for v in values if v is not None and np.isfinite(v)])
    if data.size == 0:
        return Classes(scheme)
    distinct = np.unique(data)
    k = max(1, min(int(k), distinct.size))
    if k == 1:
        return Classes(scheme, [float(distinct.max())], float(distinct.min()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        if scheme == "natural_breaks":
            with _RNG_LOCK:
                state = np.random.get_state()
                np.random.seed(0)
                try:
                    classifier = SCHEMES[scheme](data, k=k)
                finally:
                    np.random.set_state(state)
        else:
            classifier = SCHEMES[scheme](data, k=k)
    return Classes(scheme, [float(b) for b in classifier.bins], float(data.min()))


def build_choropleth(
    areas: object,
    value_of: Callable[[dict], float | None],
    *,
    name: str,
    title: str,
    palette: str,
    format_value: Callable[[float, int], str],
    notes: list[str],
    illustrative: bool,
    scheme: str = "quantiles",
    k: int = 5,
    attribution: str | None = None,
    tooltip_extra: Callable[[dict], str] | None = None,
    show: bool = True,
) -> tuple[folium.GeoJson, Legend, Classes]:
    """The classed GeoJson layer, its legend and the classes used.

    `format_value(value, decimals)` formats a number for legend and tooltip
    (unit included; decimals chosen here from the class limits);
    `notes` (period, source ...) are raw text shown under the classes.
    """
    features = read_features(areas)
    values = [value_of(f["properties"]) for f in features]
    classes = classify(values, scheme, k)
    colors = styles.palette(palette, classes.k)
    decimals = styles.decimals_for([*classes.bins, *(v for v in values if v is not None)])

    def fmt(value: float) -> str:
        return format_value(value, decimals)

    items, feature_styles = [], []
    for feature, value in zip(features, values):
        props = feature["properties"]
        index = classes.index(value)
        text = fmt(value) if index is not None else styles.NO_DATA_LABEL
        extra = tooltip_extra(props) if tooltip_extra else ""
        tooltip = value_tooltip(props.get("name") or props.get("code"), text, extra)
        items.append((feature["geometry"], {"tooltip": tooltip}))
        feature_styles.append(_style(colors[index] if index is not None else None))
    layer = folium.GeoJson(
        collection(items),
        name=name,
        style_function=style_lookup(feature_styles),
        highlight_function=lambda f: {"weight": 3, "color": "#000000"},
        on_each_feature=BIND_HTML,
        pane=CHOROPLETH_PANE[0],
        attribution=esc(attribution) if attribution else None,
        show=show,
    )
    EnsurePane(*CHOROPLETH_PANE).add_to(layer)
    entries = [Entry(label, color, fill_opacity=0.75) for label, color in zip(classes.labels(fmt), colors)]
    if any(v is None for v in values) or not classes.bins:
        entries.append(no_data_entry())
    scheme_note = f"Indeling: {styles.SCHEME_LABELS[scheme]} ({classes.k} {'klasse' if classes.k == 1 else 'klassen'})"
    body = entries_html(entries) + notes_html([*notes, scheme_note])
    legend = Legend(title, body, layer=layer, illustrative=illustrative)
    return layer, legend, classes


def _style(color: str | None) -> dict:
    if color is None:
        return {"fillColor": styles.NO_DATA_COLOR, "color": "#8A8A8A", "weight": 1, "dashArray": "3 3",
                "fillOpacity": 0.7, "className": "fk-choropleth fk-geen-gegevens"}
    return {"fillColor": color, "color": "#555555", "weight": 1, "fillOpacity": 0.75, "className": "fk-choropleth"}
