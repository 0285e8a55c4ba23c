"""layers.areas and layers.styles: outlines with names, nl-BE formatting."""
from __future__ import annotations

import pytest

from layers import styles
from layers.areas import build_areas_layer
from layers_fixtures import areas_fc, embedded_collections, render, visible


def test_only_the_asked_level_with_names_and_source():
    html = visible(render(build_areas_layer(areas_fc(), "wijk")))
    (fc,) = embedded_collections(html)
    assert [f["properties"]["tooltip"] for f in fc["features"]] == [f"Wijk {i}" for i in range(1, 6)]
    assert '"attribution": "Bron: Statbel, Provincies in Cijfers"' in html
    assert "fk-area fk-area-wijk" in html and "sticky: true" in html and "permanent: true" not in html
    (deel,) = embedded_collections(visible(render(build_areas_layer(areas_fc(), "deelgemeente"))))
    assert len(deel["features"]) == 2


def test_permanent_labels_for_wijken_and_own_pane_under_the_projects():
    html = visible(render(build_areas_layer(areas_fc(), "wijk", labels=True)))
    assert 'permanent: true, direction: "center", className: "fk-label"' in html
    assert 'createPane("fk-gebieden").style.zIndex = 390' in html
    assert '"pane": "fk-gebieden"' in html


def test_names_are_escaped_and_levels_checked():
    fc = areas_fc()
    fc["features"][0]["properties"]["name"] = "<b onmouseover=alert(1)>Herentals</b>"
    html = visible(render(build_areas_layer(fc, "gemeente", source="Bron: <Statbel>")))
    assert "<b onmouseover" not in html and "&lt;b onmouseover=alert(1)&gt;Herentals" in html
    assert "Bron: &lt;Statbel&gt;" in html
    with pytest.raises(ValueError):
        build_areas_layer(fc, "provincie")


@pytest.mark.parametrize("value,decimals,text", [
    (1234567, 0, "1.234.567"), (1234.5, 1, "1.234,5"), (-9876543.21, 2, "-9.876.543,21"), (0.5, 0, "0"),
    (None, 0, "–"),
])
def test_numbers_in_nl_be(value, decimals, text):
    assert styles.format_number(value, decimals) == text


def test_euro_values_units_and_years():
    assert styles.format_eur(1234567) == "1.234.567 €"
    assert styles.format_eur(12.5, 2) == "12,50 €"
    assert styles.format_value(12.345, "%", 1) == "12,3%"
    assert styles.format_value(31.4, "per 100", 1) == "31,4 per 100"
    assert styles.format_value(None, "%") == "geen gegevens"
    assert styles.format_years(2025, 2030) == "2025–2030"
    assert styles.format_years(2026, 2026) == "2026"
    assert styles.format_years(None, None) == "niet gekend"


def test_colours_and_labels():
    sector_colours = list(styles.SECTOR_COLORS.values())
    assert len(set(sector_colours)) == len(sector_colours) == 6
    assert styles.FALLBACK_COLOR not in sector_colours
    assert styles.sector_color("Onbekend") == styles.FALLBACK_COLOR
    assert set(styles.STATUS_COLORS) == set(styles.STATUS_LABELS) == {
        "voorstel", "gepland", "lopend", "gerealiseerd", "uitgesteld", "geschrapt"}
    assert set(styles.PHASE_KIND_LABELS) == {"studie", "ontwerp", "vergunning", "aanbesteding", "uitvoering",
                                             "oplevering", "andere"}
    assert styles.level_label("kernwinkelgebied") == "Kernwinkelgebied"
    assert styles.palette("blues", 3) == [styles.PALETTES["blues"][i] for i in (1, 4, 6)]
    assert styles.palette("greens", 1) and styles.palette("greens", 0) == []
