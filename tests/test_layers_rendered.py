"""layers/rendered.py: folium output is kept as text, never compiled as a
template (no server-side template injection), and otherwise unchanged."""
from __future__ import annotations

import ast
import base64
import re
from pathlib import Path

import branca
import folium
import pytest
from branca.element import Div, Figure, Html, IFrame
from folium.map import Popup

from layers.areas import build_areas_layer
from layers.base import add_layer_control, build_base_map, render_map_parts
from layers.phases import build_phases_layer
from layers.popups import esc
from layers.projects import build_projects_layer
from layers.rendered import FIXED, PATCHED, render_fix_installed, stock_rendering
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


def render_with_branca_methods(m: folium.Map, monkeypatch) -> dict:
    with stock_rendering(), monkeypatch.context() as patch:
        patch.setattr("layers.base.render_fix_installed", lambda: True)
        return render_map_parts(m)


def test_installed_by_the_app_factory_not_by_importing_layers(tmp_path):
    from app import create_app

    with stock_rendering():
        import layers  # noqa: F401  (importing layers changes nothing in folium)

        assert not render_fix_installed()
        create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}"})
        assert render_fix_installed()
    assert render_fix_installed()


def test_render_map_parts_refuses_without_the_fix():
    with stock_rendering(), pytest.raises(RuntimeError, match="install_render_fix"):
        render_map_parts(full_map())


def test_output_is_byte_for_byte_what_branca_renders_for_data_without_braces(monkeypatch):
    ours = render_map_parts(full_map())  # a map renders once: rendering adds elements
    assert same_ids(ours) == same_ids(render_with_branca_methods(full_map(), monkeypatch))
    assert len(ours["script"]) > 10_000  # a real map: layers, timeline, controls


def test_template_syntax_in_the_data_stays_literal(monkeypatch):
    m = full_map(HOSTILE_TITLE)
    parts = render_map_parts(m)
    data = embedded_collections(parts["script"])
    popups = [f["properties"].get("popup") or "" for fc in data for f in fc["features"]]
    assert any(f"<strong>{esc(HOSTILE_TITLE)}</strong>" in p for p in popups)
    assert "<b>" + esc(HOSTILE_TITLE) + "</b>" in parts["script"]  # the marker's folium Popup
    # What branca alone makes of it (its own render, data in the template): the template ran on the server.
    with stock_rendering():
        branca = full_map(HOSTILE_TITLE).get_root().render()
    assert "{{ 7*7 }}" not in branca and " 49 " in branca


def test_standalone_page_keeps_braces():
    fiches = fiches_fc()
    fiches["features"][0]["properties"]["title"] = "Plein {{ 2025 }} {% raw %}"
    projects, _ = build_projects_layer(fiches)
    html = render(projects)  # an unbalanced {% raw %} would even make Jinja raise
    assert "Plein {{ 2025 }} {% raw %}" in html


# --- every path of folium/branca that compiles text, one by one ------------------
PROBE = "{{ 7*7 }}"


class _IncludeProbe(folium.FeatureGroup):
    """A throwaway class: Class.include state is per class."""


def _div() -> Figure:
    figure = Figure()
    div = Div()
    figure.add_child(div)
    div.html.add_child(Html(f"Plein {PROBE}"))
    return figure


def _iframe() -> Figure:
    m = folium.Map(tiles=None)
    folium.Marker((Y, X), popup=Popup(IFrame(f"<b>{PROBE}</b>"))).add_to(m)
    return m.get_root()


def _vega() -> Figure:
    figure = Figure()
    figure.add_child(folium.Vega({"description": PROBE, "width": 100, "height": 100}))
    return figure


def _vegalite(schema: str) -> Figure:
    figure = Figure()
    figure.add_child(folium.VegaLite({"$schema": schema, "description": PROBE}))
    return figure


def _popup() -> Figure:
    m = folium.Map(tiles=None)
    folium.Marker((Y, X), popup=Popup(f"<b>{PROBE}</b>")).add_to(m)
    return m.get_root()


def _include() -> Figure:
    m = folium.Map(tiles=None)
    _IncludeProbe.include(probe=PROBE)
    _IncludeProbe().add_to(m)
    return m.get_root()


def _table_style(detail) -> Figure:
    m = folium.Map(tiles=None)
    layer = folium.GeoJson({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"titel": "x"}, "geometry": {"type": "Point", "coordinates": [X, Y]}}]})
    layer.add_child(detail(fields=["titel"], style=f"color: red; /* {PROBE} */"))
    layer.add_to(m)
    return m.get_root()


def _decoded(html: str) -> str:
    """IFrame content travels base64-encoded in a data: URL."""
    found = re.findall(r"data:text/html;charset=utf-8;base64,([A-Za-z0-9+/=]+)", html)
    return html + "".join(base64.b64decode(b).decode() for b in found)


@pytest.mark.parametrize("build", [
    _div, _iframe, _vega, lambda: _vegalite("https://vega.github.io/schema/vega-lite/v5.json"),
    lambda: _vegalite("https://vega.github.io/schema/vega-lite/v1.json"), _popup, _include,
    lambda: _table_style(folium.GeoJsonTooltip), lambda: _table_style(folium.GeoJsonPopup),
], ids=["Div", "IFrame", "Vega", "VegaLite-v5", "VegaLite-v1", "Popup", "Class-include", "GeoJsonTooltip",
        "GeoJsonPopup"])
def test_each_path_keeps_template_syntax_literal(build):
    assert PROBE in _decoded(build().render())
    with stock_rendering():  # the path is live: branca alone runs the probe
        stock = _decoded(build().render())
    assert PROBE not in stock and "49" in stock


# --- the guard: an upgrade that adds a path around the fix fails here -----------
COMPILING_CALLS = {"Element", "Template", "from_string"}
# Functions that compile text on purpose: the constructor compiles the template
# its caller chose (folium's own constant templates; never our data, which goes
# through PATCHED paths), and unpickling restores that template.
COMPILES_BY_DESIGN = {"branca.element.Element.__init__", "branca.element.Element.__setstate__"}


def _compiling_functions(package) -> set[str]:
    """`module.Class.function` of every function that calls Element(...),
    Template(...) or from_string(...) with a non-literal first argument."""
    root = Path(package.__file__).parent
    found: set[str] = set()
    for path in sorted(root.rglob("*.py")):
        module = ".".join(path.relative_to(root.parent).with_suffix("").parts)
        scope: list[str] = []

        class Visitor(ast.NodeVisitor):
            def visit_ClassDef(self, node):
                scope.append(node.name)
                self.generic_visit(node)
                scope.pop()

            def visit_FunctionDef(self, node):
                scope.append(node.name)
                for call in (n for n in ast.walk(node) if isinstance(n, ast.Call)):
                    func = call.func
                    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                    argument = call.args[0] if call.args else next((k.value for k in call.keywords), None)
                    if name in COMPILING_CALLS and argument is not None and not isinstance(argument, ast.Constant):
                        found.add(".".join([module, *scope]))
                scope.pop()

            visit_AsyncFunctionDef = visit_FunctionDef

        Visitor().visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def test_every_path_that_compiles_text_is_covered_by_the_fix():
    covered = {f"{fn.__module__}.{fn.__qualname__}" for fn in FIXED.values()}
    found = _compiling_functions(branca) | _compiling_functions(folium)
    assert found - COMPILES_BY_DESIGN == covered, (
        "folium/branca changed: add the new path(s) to layers.rendered.PATCHED "
        f"(uncovered: {sorted(found - COMPILES_BY_DESIGN - covered)}, gone: {sorted(covered - found)})")


def test_the_fix_replaces_element_in_every_patched_function():
    for cls, name in PATCHED:
        fn = getattr(cls, name)
        assert "Element" in fn.__code__.co_names, f"{cls.__name__}.{name} no longer builds an Element"
        assert fn.__globals__["Element"].__name__ == "RenderedText"
