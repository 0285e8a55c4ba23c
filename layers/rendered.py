"""Render folium elements without compiling their output as a new template.

branca's MacroElement.render (and folium's Popup.render) wrap each rendered
part (header, html, script) in `Element(text)`, and Element compiles its
argument as a Jinja template, which the page then renders once more. So:

- any `{{ ... }}`, `{% ... %}` or `{# ... #}` in the data is executed as
  Jinja on the server: a fiche title typed by an editor or a CSV cell becomes
  server-side template injection (branca's Jinja environment is not
  sandboxed, so this reaches Python objects), and a title such as
  "Plein {{ 2025 }}" shows altered;
- compiling the map's data as a template costs ~100 ms per MB of GeoJSON,
  about a third of the city page's server time.

`install()` (called once by layers/__init__.py) replaces those two methods by
ones that keep the rendered text as it is. Written against branca 0.8 and
folium 0.20 (pinned in pyproject.toml); tests/test_layers_rendered.py checks
that a page renders byte for byte as before for data without braces, and that
braces stay literal.
"""
from __future__ import annotations

from branca.element import Element, Figure, MacroElement
from folium.map import Popup

_PARTS = ("header", "html", "script")
# branca's and folium's own methods (the tests compare against them).
BRANCA_RENDER = {MacroElement: MacroElement.render, Popup: Popup.render}


class RenderedText(Element):
    """Text that is already rendered: returned as is by render()."""

    def __init__(self, text: str):
        super().__init__()
        self._name = "RenderedText"
        # Jinja drops one trailing newline of a template; keep the output
        # identical to what branca produced.
        self.text = text[:-1] if text.endswith("\n") else text

    def render(self, **kwargs) -> str:
        return self.text


def _figure_of(element: Element) -> Figure:
    figure = element.get_root()
    assert isinstance(figure, Figure), "You cannot render this Element if it is not in a Figure."
    return figure


def _render_macro_element(self: MacroElement, **kwargs) -> None:
    """MacroElement.render, with the macros' output kept as text."""
    figure = _figure_of(self)
    macros = self._template.module.__dict__
    for part in _PARTS:
        macro = macros.get(part)
        if macro is not None:
            getattr(figure, part).add_child(RenderedText(macro(self, kwargs)), name=self.get_name())
    for element in self._children.values():
        element.render(**kwargs)


def _render_popup(self: Popup, **kwargs) -> None:
    """folium's Popup.render, with the popup's script kept as text."""
    for child in self._children.values():
        child.render(**kwargs)
    _figure_of(self).script.add_child(RenderedText(self._template.render(this=self, kwargs=kwargs)),
                                      name=self.get_name())


def install() -> None:
    MacroElement.render = _render_macro_element
    Popup.render = _render_popup
