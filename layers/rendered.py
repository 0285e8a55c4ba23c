"""Render folium elements without compiling their output as a new template.

branca and folium wrap rendered text in `Element(text)` in several places
(MacroElement.render, Div.render, Popup.render, Class.render for includes,
Vega/VegaLite, the GeoJsonTooltip/GeoJsonPopup table style) and IFrame wraps
the HTML it is given the same way. Element compiles its argument as a Jinja
template, which the page then renders once more. So:

- any `{{ ... }}`, `{% ... %}` or `{# ... #}` in the data is executed as
  Jinja on the server: a fiche title typed by an editor or a CSV cell becomes
  server-side template injection (branca's Jinja environment is not
  sandboxed, so this reaches Python objects), and a title such as
  "Plein {{ 2025 }}" shows altered;
- compiling the map's data as a template costs ~100 ms per MB of GeoJSON,
  about a third of the city page's server time.

`install_render_fix()` replaces each of those methods (`PATCHED`) by a copy
of the very same code in which the name `Element` means `RenderedText`: text
kept as it is. No folium code is copied, so an upgrade that changes those
methods keeps working; tests/test_layers_rendered.py scans the installed
folium and branca for any other function that turns a non-literal text into
an Element or a Template, and fails when an upgrade adds one.

Installed explicitly: by the app factory (app.create_app), by the test suite
(tests/conftest.py) and by scripts that render maps without the app.
layers.base.render_map_parts refuses to render while it is not installed.
Written against branca 0.8 and folium 0.20 (pinned in pyproject.toml). See
docs/upstream-branca-render.md for the note offered upstream.
"""
from __future__ import annotations

import types
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

from branca.element import Div, Element, IFrame, MacroElement
from folium.features import GeoJsonDetail, Vega, VegaLite
from folium.map import Class, Popup

# Every function in branca/folium that passes rendered (or caller-given) text
# to Element(...). The guard test derives "covered" from this tuple.
PATCHED: tuple[tuple[type, str], ...] = (
    (MacroElement, "render"),
    (Div, "render"),
    (IFrame, "__init__"),
    (Popup, "render"),
    (Class, "render"),
    (Vega, "render"),
    (VegaLite, "render"),
    (VegaLite, "_vega_embed"),
    (VegaLite, "_embed_vegalite_v1"),
    (GeoJsonDetail, "render"),
)
# branca's and folium's own functions (the tests and the bench compare against them).
ORIGINAL: dict[tuple[type, str], types.FunctionType] = {(cls, name): cls.__dict__[name] for cls, name in PATCHED}


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


def _with_literal_elements(fn: types.FunctionType) -> types.FunctionType:
    """The same function (same code, defaults, closure: `super()` still works)
    in which the global name `Element` is RenderedText."""
    namespace = dict(fn.__globals__)
    namespace["Element"] = RenderedText
    copy = types.FunctionType(fn.__code__, namespace, fn.__name__, fn.__defaults__, fn.__closure__)
    copy.__kwdefaults__ = fn.__kwdefaults__
    copy.__qualname__, copy.__doc__, copy.__module__ = fn.__qualname__, fn.__doc__, fn.__module__
    return copy


FIXED: dict[tuple[type, str], Callable] = {key: _with_literal_elements(fn) for key, fn in ORIGINAL.items()}


def _use(methods: Mapping[tuple[type, str], Callable]) -> None:
    for (cls, name), fn in methods.items():
        setattr(cls, name, fn)


def install_render_fix() -> None:
    """Make every folium/branca render path keep rendered text as text. Idempotent."""
    _use(FIXED)


def render_fix_installed() -> bool:
    return all(cls.__dict__[name] is FIXED[(cls, name)] for cls, name in PATCHED)


@contextmanager
def stock_rendering() -> Iterator[None]:
    """branca's and folium's own methods for the duration (tests and bench only:
    they compile every rendered element as a template)."""
    before = {key: key[0].__dict__[key[1]] for key in PATCHED}
    _use(ORIGINAL)
    try:
        yield
    finally:
        _use(before)
