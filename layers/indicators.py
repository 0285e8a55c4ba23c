"""One wijk indicator as a classed map.

Input: wijk features in EPSG:4326 with `code`, `name`, `value` (float, None =
no data). Output: (folium.GeoJson, Legend). The legend names the unit, the
period, the source and the classification; areas without data are hatched
and listed as "geen gegevens"; illustrative figures are marked on the map.
"""
from __future__ import annotations

import folium

from . import styles
from .choropleth import build_choropleth
from .legend import Legend


def build_indicator_layer(
    wijken_fc,
    *,
    name: str,
    unit: str,
    period: str,
    source: str,
    illustrative: bool,
    scheme: str = "quantiles",
    k: int = 5,
    show: bool = True,
) -> tuple[folium.GeoJson, Legend]:
    """Choropleth of `value` per wijk, classes from mapclassify `scheme`
    (quantiles | natural_breaks | equal_interval) with at most k classes."""
    def fmt(value: float, decimals: int) -> str:
        return styles.format_value(value, unit, decimals)

    title = f"{name} ({unit})" if unit else name
    layer, legend, _ = build_choropleth(
        wijken_fc,
        lambda props: _number(props.get("value")),
        name=name,
        title=title,
        palette="blues",
        format_value=fmt,
        notes=[f"Periode: {period}", f"Bron: {source}"],
        illustrative=illustrative,
        scheme=scheme,
        k=k,
        attribution=f"Cijfers: {source}",
        tooltip_extra=(lambda props: "(illustratief)") if illustrative else None,
        show=show,
    )
    return layer, legend


def _number(value):
    return None if value is None else float(value)
