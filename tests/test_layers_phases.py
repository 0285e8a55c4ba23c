"""layers.phases: year rule shared by the slider and the page's year filter."""
from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
from folium.plugins import TimelineSlider

from layers.phases import build_phases_layer, phase_collection, phases_active_in_year, year_span
from layers_fixtures import X, Y, embedded_collections, feature, phases_fc, render, visible


def phase(start, end, **props):
    return feature({"type": "Point", "coordinates": [X, Y]}, start=start, end=end, phase_kind="studie", **props)


def ids(features):
    return [f["properties"]["id"] for f in features]


@pytest.mark.parametrize("start,end,year,active", [
    ("2025-01-01", "2025-12-31", 2025, True),
    ("2025-01-01", "2025-12-31", 2024, False),
    ("2025-01-01", "2025-12-31", 2026, False),
    ("2024-12-31", "2025-01-01", 2024, True),   # one day in each year
    ("2024-12-31", "2025-01-01", 2025, True),
    ("2024-12-31", "2024-12-31", 2025, False),  # ends the day before 1 January
    ("2026-01-01", "2026-01-01", 2025, False),  # starts the day after 31 December
    ("2026-01-01", "2026-01-01", 2026, True),
    ("2023-06-01", "2027-06-01", 2025, True),   # spans the whole year
    (None, "2025-06-01", 2025, False),
    ("2025-06-01", None, 2025, False),
    ("2025-06-01", "2025-05-01", 2025, False),  # end before start: invalid, never active
    ("niet gekend", "2025-05-01", 2025, False),
])
def test_active_in_year_on_edge_dates(start, end, year, active):
    fc = {"type": "FeatureCollection", "features": [phase(start, end, id=1)]}
    assert ids(phases_active_in_year(fc, year)) == ([1] if active else [])


def test_rule_equals_the_date_comparison_for_every_edge_combination():
    edges = ["2024-01-01", "2024-12-31", "2025-01-01", "2025-06-15", "2025-12-31", "2026-01-01", "2026-12-31"]
    pairs = [(s, e) for s, e in itertools.product(edges, edges) if s <= e]
    fc = {"type": "FeatureCollection", "features": [phase(s, e, id=i) for i, (s, e) in enumerate(pairs)]}
    for year in range(2023, 2028):
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        expected = [i for i, (s, e) in enumerate(pairs)
                    if dt.date.fromisoformat(s) <= last and dt.date.fromisoformat(e) >= first]
        assert ids(phases_active_in_year(fc, year)) == expected, year


def test_phases_without_geometry_count_for_the_filter_but_are_not_drawn():
    assert ids(phases_active_in_year(phases_fc(), 2027)) == [2, 5]
    timeline, _ = build_phases_layer(phases_fc())
    drawn = {f["properties"]["ys"] for f in timeline.data["features"]}
    assert len(timeline.data["features"]) == 3 and drawn == {2025, 2026}


def test_timeline_carries_the_same_years_as_the_rule():
    html = render(*build_phases_layer(phases_fc()))
    (data,) = embedded_collections(html)
    spans = sorted((f["properties"]["ys"], f["properties"]["ye"]) for f in data["features"])
    assert spans == [(2025, 2025), (2025, 2026), (2026, 2028)]
    for f in phases_fc()["features"]:
        if f["geometry"] and year_span(f["properties"]):
            for year in range(2024, 2030):
                in_timeline = year_span(f["properties"])[0] <= year <= year_span(f["properties"])[1]
                assert in_timeline == (f in phases_active_in_year(phases_fc(), year))
    assert "start: f.properties.ys, end: f.properties.ye" in html
    assert re.search(r'"start": 2025,\s*"end": 2028', html)
    assert 'return "Jaar " + Math.round(t)' in html
    assert '"steps": 3' in html and '"autoPlay": false' in html
    assert "leaflet.timeline/dist/leaflet.timeline.js" in html
    assert not re.search(r"moment(\.min)?\.js|/moment/", html)  # folium's slider would load moment 2.18
    assert any(name == "moment" for name, _ in TimelineSlider.default_js)  # folium's class left alone


def test_styles_per_phase_kind_legend_and_dutch_controls():
    html = visible(render(*build_phases_layer(phases_fc(), year=2030)))
    (data,) = embedded_collections(html)
    kinds = {f["properties"]["style"]["className"] for f in data["features"]}
    assert kinds == {"fk-phase fk-phase-studie", "fk-phase fk-phase-ontwerp", "fk-phase fk-phase-uitvoering"}
    illustrative = [f["properties"]["style"] for f in data["features"] if "studie" in f["properties"]["style"]["className"]]
    assert illustrative[0]["dashArray"]
    for text in ("Fasen per soort", "<span>Studie</span>", "<span>Ontwerp</span>", "<span>Uitvoering</span>",
                 "Illustratieve planning", "Illustratieve cijfers"):
        assert text in html
    assert "<span>Vergunning</span>" not in html  # phase 4 has no start date: not on the map
    assert '"play": "Afspelen"' in html and 'range.setAttribute("aria-label", "Jaar")' in html
    assert "slider.setTime(2028);" in html  # the asked year, clamped to the timeline's range


def test_phase_popup_is_escaped_and_dutch():
    fc = {"type": "FeatureCollection", "features": [
        phase("2025-03-01", "2025-09-30", id=1, fiche_title="<img src=x onerror=alert(1)>", title="Studie <i>x</i>",
              status="lopend", url="javascript:alert(1)")]}
    html = visible(render(*build_phases_layer(fc)))
    assert "<img src=x" not in html and "<i>x</i>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "1 maart 2025" in html and "30 september 2025" in html and "Lopend" in html
    assert "javascript:" not in html


def test_phase_popup_shows_no_internal_reference_and_phases_are_outlines():
    from layers.phases import _style
    from layers.popups import phase_popup

    popup = phase_popup({"fiche_ref": "HER-VT-14", "fiche_title": "Zwembad", "title": "Ontwerp",
                         "phase_kind": "ontwerp", "start": "2026-01-01", "end": "2026-12-31"})
    assert "HER-VT-14" not in popup and "Zwembad" in popup
    assert '<p class="fk-popup-ref">Fiche 14</p>' in phase_popup({"fiche_number": 14, "fiche_title": "Zwembad"})
    # Outlines without fill, around the project (a ring for a point), dotted when illustrative.
    for family in ("polygons", "lines", "points"):
        style = _style(family, "ontwerp", True)
        assert style["fill"] is False and style["dashArray"] == "1 6"
    assert _style("points", "ontwerp", False)["radius"] > 7 and "dashArray" not in _style("lines", "studie", False)


def test_phase_colours_are_used_by_no_sector_or_status():
    from layers import styles

    phases = set(styles.PHASE_KIND_COLORS.values())
    others = set(styles.SECTOR_COLORS.values()) | set(styles.STATUS_COLORS.values()) | {styles.FALLBACK_COLOR}
    assert len(phases) == len(styles.PHASE_KIND_COLORS) and not phases & {c.upper() for c in others}


def test_with_a_data_url_the_page_carries_no_shapes_and_the_same_slider_and_legend():
    placed = {"type": "FeatureCollection", "features": [f for f in phases_fc()["features"] if f["geometry"]]}
    without_shapes = {"type": "FeatureCollection", "features": [{**f, "geometry": None} for f in placed["features"]]}
    timeline, slider = build_phases_layer(placed, year=2030)
    embedded_html = visible(render(timeline, slider))
    lazy, lazy_slider = build_phases_layer(without_shapes, year=2030, data_url="/stad/fasen.json?jaar=2027")
    lazy_html = visible(render(lazy, lazy_slider))
    (data,) = embedded_collections(lazy_html)
    assert data["features"] == [] and '"/stad/fasen.json?jaar=2027"' in lazy_html
    assert 'timeline.on("add", load)' in lazy_html and "timeline._process(data)" in lazy_html
    for text in ("Fasen per soort", "<span>Studie</span>", "<span>Ontwerp</span>", "<span>Uitvoering</span>",
                 "Illustratieve planning", "slider.setTime(2028);", '"steps": 3', '"start": 2025'):
        assert text in embedded_html and text in lazy_html, text
    # what the data URL serves is what the page would have embedded
    assert phase_collection(placed) == timeline.data
