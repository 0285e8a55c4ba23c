"""layers/rendered.py: folium output is kept as text, never compiled as a
template (no server-side template injection), and otherwise unchanged."""
from __future__ import annotations

import re

import folium
from branca.element import MacroElement
from folium.map import Popup

from layers.areas import build_areas_layer
from layers.base import add_layer_control, build_base_map, render_map_parts
from layers.phases import build_phases_layer
from layers.popups import esc
from layers.projects import build_projects_layer
from layers.rendered import BRANCA_RENDER, _render_macro_element, _render_popup
from layers_fixtures import HOSTILE_TITLE, X, Y, areas_fc, embedded_collections, fiches_fc, phases_fc, render


def full_map(title: str = "Fietspad Belgiëlaan") -> folium.Map:
    m = build_base_map(basemap="none")
    fiches = fiches_fc()
    fiches["features"][0]["properties"]["title"] = title
    projects, legend = build_projects_layer(fiches)
    projects.add_to(m)
    legend.add_to(m)
    timeline, slider = build_phases_layer(phases_fc(), year=2026)
    timeline.add_to(m)
    slider.add_to(m)
    areas = build_areas_layer(areas_fc(), "wijk", labels=True)
    areas.add_to(m)
    folium.Marker((Y, X), popup=Popup(f"<b>{esc(title)}</b>")).add_to(m)
    add_layer_control(m, {"Projecten": [projects], "Tijdlijn": [timeline], "Gebieden": [areas]})
    return m


def same_ids(parts: dict) -> dict:
    """Element ids are random: number them in order of appearance."""
    ids: dict[str, str] = {}
    return {k: re.sub(r"_[0-9a-f]{32}(?![0-9a-f])", lambda m: ids.setdefault(m.group(0), f"_id{len(ids)}"), v)
            for k, v in parts.items()}


def render_with_branca_methods(m: folium.Map) -> dict:
    MacroElement.render, Popup.render = BRANCA_RENDER[MacroElement], BRANCA_RENDER[Popup]
    try:
        return render_map_parts(m)
    finally:
        MacroElement.render, Popup.render = _render_macro_element, _render_popup


def test_installed_when_layers_is_imported():
    assert MacroElement.render is _render_macro_element and Popup.render is _render_popup


def test_output_is_byte_for_byte_what_branca_renders_for_data_without_braces():
    ours = render_map_parts(full_map())  # a map renders once: rendering adds elements
    assert same_ids(ours) == same_ids(render_with_branca_methods(full_map()))
    assert len(ours["script"]) > 10_000  # a real map: layers, timeline, controls


def test_template_syntax_in_the_data_stays_literal():
    m = full_map(HOSTILE_TITLE)
    parts = render_map_parts(m)
    data = embedded_collections(parts["script"])
    popups = [f["properties"].get("popup") or "" for fc in data for f in fc["features"]]
    assert any(f"<strong>{esc(HOSTILE_TITLE)}</strong>" in p for p in popups)
    assert "<b>" + esc(HOSTILE_TITLE) + "</b>" in parts["script"]  # the marker's folium Popup
    # What branca alone makes of it: the template ran on the server.
    branca = render_with_branca_methods(full_map(HOSTILE_TITLE))["script"]
    assert "{{ 7*7 }}" not in branca and " 49 " in branca


def test_standalone_page_keeps_braces():
    fiches = fiches_fc()
    fiches["features"][0]["properties"]["title"] = "Plein {{ 2025 }} {% raw %}"
    projects, _ = build_projects_layer(fiches)
    html = render(projects)  # an unbalanced {% raw %} would even make Jinja raise
    assert "Plein {{ 2025 }} {% raw %}" in html
