"""The layers' GeoJSON, set aside while a map renders and written by orjson at the end.

folium writes each layer's data into the map script with Jinja's `tojson`
(the standard library's json, then four replaces), and render_map_parts then
scans the whole script for off-host assets. On the city page that data is
three quarters of the script (features with coordinates and pre-escaped
popup HTML), so most of the map's server time went to encoding and scanning
numbers and escaped text.

A FeatureCollection the layers build (layers.geojson.collection) is a
MapData. While `data_set_aside()` is active, `tojson` of a MapData writes a
placeholder instead; the rendered code is checked and localized as before,
and `put_back` replaces each placeholder with the data, encoded by orjson and
made safe for a <script> element as folium's own encoding does (<, >, & and '
as \\u escapes). Outside that context `tojson` is what it always was.

Why the data need no off-host check: it is geometry, numbers, style values
and the popup/tooltip HTML of layers/popups.py, in which every value from the
database is escaped; nothing in it is ever a tag or a script Leaflet would
load (a link in a popup is an <a href>, which the check allows anyway). A
fiche whose title is just an URL ending in ".js" no longer trips the check
(its tooltip, the title alone, looked like a script URL: the page answered 500).
"""
from __future__ import annotations

import contextvars
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager

import orjson
from folium.template import Template

_SET_ASIDE: contextvars.ContextVar[list | None] = contextvars.ContextVar("fk_map_data", default=None)
_PLACEHOLDER = re.compile(r"__fk_map_data_(\d+)__")
# folium's and our templates share one Jinja environment (folium.template.Template).
_ENVIRONMENT = Template("").environment


class MapData(dict):
    """A FeatureCollection a layer embeds in the map (see the module docstring)."""

    __slots__ = ()


def _tojson_dumps(obj, **kwargs) -> str:
    set_aside = _SET_ASIDE.get()
    if set_aside is None or not isinstance(obj, MapData):
        return json.dumps(obj, **kwargs)  # Jinja's default
    set_aside.append(obj)
    return f"__fk_map_data_{len(set_aside) - 1}__"


def _encode(obj) -> str:
    text = orjson.dumps(obj, option=orjson.OPT_SERIALIZE_NUMPY, default=_plain).decode()
    # as jinja's htmlsafe_json_dumps and folium's _to_escaped_json: nothing can close the <script>
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("'", "\\u0027")


def _plain(value):
    """numpy scalars and other number-likes orjson does not know."""
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "__float__"):
        return float(value)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


@contextmanager
def data_set_aside() -> Iterator[list]:
    """Within: every MapData rendered through `tojson` becomes a placeholder
    (the yielded list holds the data in placeholder order)."""
    if _ENVIRONMENT.policies.get("json.dumps_function") is not _tojson_dumps:
        _ENVIRONMENT.policies["json.dumps_function"] = _tojson_dumps
    set_aside: list = []
    token = _SET_ASIDE.set(set_aside)
    try:
        yield set_aside
    finally:
        _SET_ASIDE.reset(token)


def put_back(text: str, set_aside: list) -> str:
    """`text` with each placeholder replaced by its data (orjson, script-safe)."""
    if not set_aside:
        return text
    return _PLACEHOLDER.sub(lambda m: _encode(set_aside[int(m.group(1))]), text)
