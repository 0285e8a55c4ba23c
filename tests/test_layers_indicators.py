"""layers.indicators (and the shared choropleth): mapclassify classes, legend, no data."""
from __future__ import annotations

import json
import re

import mapclassify
import numpy as np
import pytest

from layers import styles
from layers.choropleth import classify
from layers.indicators import build_indicator_layer
from layers_fixtures import embedded_collections, render, visible, wijken_fc

VALUES = [3.0, 4.5, 5.0, 11.0, 12.5, 13.0, 30.0, 31.0, 33.5, 60.0]


def indicator_page(values=(10.5, 20.25, None, 31.0, 12.0), **kwargs) -> str:
    options = {"name": "Aandeel 65-plussers", "unit": "%", "period": "2024", "source": "Statbel",
               "illustrative": False, **kwargs}
    return visible(render(*build_indicator_layer(wijken_fc(values), **options)))


def feature_styles(html: str) -> list[dict]:
    """Style per feature id, read back from folium's rendered switch."""
    (fc,) = embedded_collections(html)
    body = re.search(r"_styler\(feature\) \{\s*switch\(feature\.id\) \{(.*?)\n\s*\}\s*\}", html, re.S).group(1)
    by_id, pending = {}, []
    for line in body.splitlines():
        line = line.strip()
        pending += [int(v) for v in re.findall(r"case (\d+):", line)]
        if "return" in line:
            style = json.loads(line.split("return ", 1)[1].rstrip(";"))
            targets = pending or [f["id"] for f in fc["features"] if f["id"] not in by_id]
            by_id.update({i: style for i in targets})
            pending = []
    return [by_id[f["id"]] for f in fc["features"]]


@pytest.mark.parametrize("scheme,cls", [("quantiles", mapclassify.Quantiles),
                                        ("equal_interval", mapclassify.EqualInterval),
                                        ("natural_breaks", mapclassify.NaturalBreaks)])
def test_breaks_equal_mapclassify(scheme, cls):
    # Four well separated groups: k-means (natural breaks) has one clear optimum.
    ours = classify(VALUES, scheme, k=4)
    theirs = cls(np.array(VALUES), k=4)
    assert ours.bins == pytest.approx(list(theirs.bins))
    assert ours.lower == min(VALUES)
    # Same class per value as mapclassify's yb (limits are upper-inclusive).
    assert [ours.index(v) for v in VALUES] == list(theirs.yb)


def test_fewer_distinct_values_than_classes():
    two = classify([1.0, 1.0, 2.0, 2.0], "quantiles", k=5)
    assert two.k == 2 and two.bins == list(mapclassify.Quantiles(np.array([1.0, 1.0, 2.0, 2.0]), k=2).bins)
    assert classify([1.0, 1.0, 2.0, 2.0], "natural_breaks", k=5).k == 2
    assert classify([1.0, 1.0, 2.0, 2.0], "equal_interval", k=5).k == 2
    single = classify([7.0, 7.0, None], "quantiles", k=5)
    assert single.bins == [7.0] and single.labels(str) == ["7.0"]
    empty = classify([None, None], "quantiles", k=5)
    assert empty.k == 0 and empty.index(3.0) is None
    with pytest.raises(ValueError):
        classify(VALUES, "jenks_caspall")


def test_natural_breaks_are_reproducible_and_leave_numpy_alone():
    np.random.seed(123)
    expected_next = np.random.random()
    np.random.seed(123)
    first = classify(VALUES * 3 + [17.0, 45.0], "natural_breaks", k=4).bins
    assert np.random.random() == expected_next  # the global state was restored
    for _ in range(5):
        assert classify(VALUES * 3 + [17.0, 45.0], "natural_breaks", k=4).bins == first


def test_legend_names_unit_period_source_and_scheme():
    html = indicator_page(scheme="equal_interval", k=3)
    for text in ("Aandeel 65-plussers (%)", "Periode: 2024", "Bron: Statbel", "Indeling: gelijke intervallen (3 klassen)"):
        assert text in html
    labels = classify([10.5, 20.25, 31.0, 12.0], "equal_interval", 3)
    expected = labels.labels(lambda v: styles.format_value(v, "%", 1))
    for label in expected:
        assert f"<span>{label}</span>" in html
    assert "10,5% – 17,3%" in html  # nl-BE decimal comma, unit, en dash
    assert "Cijfers: Statbel" in html  # the source is in the attribution too


def test_no_data_is_hatched_grey_and_in_the_legend():
    html = indicator_page()
    per_feature = feature_styles(html)
    no_data = [s for s in per_feature if "fk-geen-gegevens" in s["className"]]
    assert len(no_data) == 1 and no_data[0]["fillColor"] == styles.NO_DATA_COLOR and no_data[0]["dashArray"]
    assert "<span>geen gegevens</span>" in html and "fk-swatch-none" in html
    assert 'id="fk-hatch"' in html and "path.fk-geen-gegevens{fill:url(#fk-hatch)}" in html
    assert "geen gegevens" not in indicator_page(values=(1.0, 2.0, 3.0, 4.0, 5.0))


def test_colours_follow_the_classes():
    values = (10.5, 20.25, None, 31.0, 12.0)
    html = indicator_page(values, k=4)
    classes = classify(values, "quantiles", 4)
    colors = styles.palette("blues", classes.k)
    for value, style in zip(values, feature_styles(html)):
        if value is not None:
            assert style["fillColor"] == colors[classes.index(value)]
    assert len(set(colors)) == classes.k


def test_illustrative_mark_only_when_illustrative():
    assert "Illustratieve cijfers" in indicator_page(illustrative=True)
    assert "(illustratief)" in indicator_page(illustrative=True)
    assert "Illustratieve cijfers" not in indicator_page(illustrative=False)


def test_tooltip_has_the_wijk_name_and_value_with_unit_escaped():
    fc = wijken_fc((10.5, 20.25, None, 31.0, 12.0))
    fc["features"][0]["properties"]["name"] = "<script>alert(1)</script>Centrum"
    html = visible(render(*build_indicator_layer(fc, name="Groene druk", unit="per 100", period="2023",
                                                 source="Provincies in Cijfers", illustrative=False)))
    tooltips = [f["properties"]["tooltip"] for f in embedded_collections(html)[0]["features"]]
    assert tooltips[0] == "<strong>&lt;script&gt;alert(1)&lt;/script&gt;Centrum</strong><br>10,5 per 100"
    assert tooltips[2] == "<strong>Wijk 3</strong><br>geen gegevens"
    assert "<script>alert(1)</script>" not in html
