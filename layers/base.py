"""The map shell: basemaps, controls in Dutch, layer control, rendering.

build_base_map gives a folium.Map in Web Mercator showing EPSG:4326 data
(bounds in lon/lat). render_map_parts / render_standalone turn any map into
HTML whose JS/CSS come from the app (layers.assets), never from a CDN.
"""
from __future__ import annotations

import re
import string
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import folium
import xyzservices
from branca.element import CssLink, Element, JavascriptLink, MacroElement
from folium.map import FitBounds, Layer
from folium.plugins import Fullscreen, GroupedLayerControl
from folium.template import Template

from .assets import VENDOR_PREFIX, localize_html
from .map_data import data_set_aside, put_back
from .popups import esc
from .rendered import render_fix_installed
from .theme import MapTheme

MAX_ZOOM = 18  # always set: MarkerCluster & co. fail on a map without maxZoom
OSM = {
    "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    "attribution": '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>-bijdragers',
    "name": "OpenStreetMap",
}
NO_BASEMAP_NAME = "Geen achtergrond"
# Flanders, for a map without bounds.
DEFAULT_CENTER = (51.04, 4.45)
DEFAULT_ZOOM = 9

# Only Leaflet itself: folium's other defaults (jQuery, Bootstrap, Font
# Awesome, awesome-markers) are unused by our layers, and Bootstrap's CSS would
# restyle the page the map is embedded in. Set per instance, so folium's
# class-level lists stay untouched.
_LEAN_JS = [("leaflet", "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js")]
_LEAN_CSS = [("leaflet_css", "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css")]


# How every map behaves (popups above the controls, focus, Dutch labels, hit
# area, label collisions, remembered background): see the file's header.
MAP_BEHAVIOUR_JS = (Path(__file__).with_name("map_behaviour.js")).read_text(encoding="utf-8")


class _MapBehaviour(MacroElement):
    """Runs map_behaviour.js on the map (its function is defined once per page)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.fichekaartMap = window.fichekaartMap || (function () {
        {{ this.js }}
        return fichekaartMap;
        })();
        window.fichekaartMap({{ this._parent.get_name() }}, {});
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "MapBehaviour"
        self.js = MAP_BEHAVIOUR_JS


class _DutchControls(MacroElement):
    """Zoom buttons and scale bar in Dutch/metric, attribution prefix, map label."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.zoom({position: "topleft", zoomInTitle: "Inzoomen", zoomOutTitle: "Uitzoomen"})
            .addTo({{ this._parent.get_name() }});
        L.control.scale({position: "bottomleft", imperial: false}).addTo({{ this._parent.get_name() }});
        // Plain text, not a link: one Tab stop less on every map.
        {{ this._parent.get_name() }}.attributionControl.setPrefix("Leaflet");
        {{ this._parent.get_name() }}.getContainer().setAttribute("aria-label", {{ this.label|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, label: str):
        super().__init__()
        self._name = "DutchControls"
        self.label = label


def build_base_map(
    bounds=None,
    basemap="osm",
    prefer_canvas: bool = False,
    *,
    height: str | int = "100%",
    width: str | int = "100%",
    label: str = "Kaart",
) -> folium.Map:
    """An empty map with basemap(s), Dutch zoom/fullscreen/scale, maxZoom 18.

    bounds: (min lon, min lat, max lon, max lat) in EPSG:4326, or Leaflet's
        [[south, west], [north, east]]; the map fits them. None: Flanders.
    basemap: "osm" (OpenStreetMap tiles with attribution), "none" (no tiles:
        offline and privacy-friendly), or a custom XYZ/WMTS template
        {"url": ".../{z}/{x}/{y}.png", "attribution": "HTML", "name": "GRB",
        optional "max_native_zoom", "subdomains"}, e.g. a GRB WMTS in the
        GoogleMapsVL matrix set (TILEMATRIX={z}&TILEROW={y}&TILECOL={x}).
        A list offers several; the first is shown. "Geen achtergrond" is
        always offered in the layer control. The attribution is trusted HTML
        from configuration.
    """
    center, fit = _center_and_fit(bounds)
    m = folium.Map(
        location=center,
        zoom_start=DEFAULT_ZOOM if fit is None else 13,
        tiles=None,
        prefer_canvas=prefer_canvas,
        zoom_control=False,
        width=width,
        height=height,
        maxZoom=MAX_ZOOM,
    )
    m.default_js = list(_LEAN_JS)
    m.default_css = list(_LEAN_CSS)
    MapTheme().add_to(m)
    _MapBehaviour().add_to(m)
    _DutchControls(label).add_to(m)
    Fullscreen(position="topleft", title="Volledig scherm", title_cancel="Volledig scherm sluiten",
               force_separate_button=True).add_to(m)
    _add_basemaps(m, basemap)
    if fit is not None:
        fit_bounds = FitBounds(fit, padding=(12, 12), max_zoom=17)
        # The first view is set, not animated: a layer added during a zoom animation (a
        # page that draws its map in parts, render_map_parts(first=...)) gets misplaced labels.
        fit_bounds.options["animate"] = False
        fit_bounds.add_to(m)
    return m


def _center_and_fit(bounds):
    if bounds is None:
        return DEFAULT_CENTER, None
    if len(bounds) == 4:
        minx, miny, maxx, maxy = (float(v) for v in bounds)
        fit = [[miny, minx], [maxy, maxx]]
    elif len(bounds) == 2:
        fit = [[float(v) for v in bounds[0]], [float(v) for v in bounds[1]]]
    else:
        raise ValueError("bounds: (min lon, min lat, max lon, max lat) or [[south, west], [north, east]]")
    (s, w), (n, e) = fit
    if not (-90 <= s <= n <= 90 and -180 <= w <= e <= 180):
        raise ValueError(f"bounds {bounds!r} are not EPSG:4326 lon/lat")
    return ((s + n) / 2, (w + e) / 2), fit


def _add_basemaps(m: folium.Map, basemap) -> None:
    specs = list(basemap) if isinstance(basemap, (list, tuple)) else [basemap]
    shown = False
    for spec in specs:
        if spec == "none":
            continue
        spec = OSM if spec == "osm" else spec
        if not isinstance(spec, dict) or not all(spec.get(k) for k in ("url", "attribution", "name")):
            raise ValueError('basemap: "osm", "none" or {"url": ..., "attribution": ..., "name": ...}')
        if not all(part in spec["url"] for part in ("{z}", "{x}", "{y}")):
            raise ValueError("basemap url must be a tile template with {z}, {x} and {y}")
        extra = {k: spec[k] for k in ("max_native_zoom", "subdomains") if spec.get(k) is not None}
        folium.TileLayer(
            tiles=_tile_source(spec["url"]), attr=spec["attribution"], name=f"Achtergrond: {spec['name']}",
            max_zoom=MAX_ZOOM, overlay=False, control=True, show=not shown, **extra,
        ).add_to(m)
        shown = True
    # An empty base layer: switching the tiles off is a choice in the control.
    folium.FeatureGroup(name=NO_BASEMAP_NAME, overlay=False, control=True, show=not shown).add_to(m)


# The placeholders folium's TileProvider path (xyzservices' build_url) keeps as they are.
_KEPT_PLACEHOLDERS = {"x", "y", "z", "s", "r"}


def _tile_source(url: str) -> str | xyzservices.TileProvider:
    """The tile template as folium.TileLayer takes it without a search.

    Given a string, folium first looks it up as the name of one of the ~200
    xyzservices providers (~2 ms a map: it flattens the whole list every
    time) and, finding none for a URL, keeps the string. A TileProvider of the
    URL gives folium the same template, the same options, without the
    search. A template with any other placeholder stays a string (build_url
    would try to fill it)."""
    fields = {name for _, name, _, _ in string.Formatter().parse(url) if name is not None}
    if not fields <= _KEPT_PLACEHOLDERS:
        return url
    return xyzservices.TileProvider(name="fichekaart", url=url, attribution="")


class LayerControl(GroupedLayerControl):
    """The grouped layer control with the map's base layers as radio buttons.

    Names are HTML-escaped (the plugin writes them with innerHTML); the
    control is moved to the top of its corner so legends stack below it;
    it is folded by default at every width behind a "Lagen" button (Enter or
    Space opens it, Escape or leaving it with Tab closes it).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control.groupedLayers(
            {
            {%- for label, layer in this.base_layers %}
                {{ label|tojson }}: {{ layer }},
            {%- endfor %}
            },
            {
            {%- for group_name, overlays in this.grouped_overlays.items() %}
                {{ group_name|tojson }}: {
                {%- for label, layer in overlays %}
                    {{ label|tojson }}: {{ layer }},
                {%- endfor %}
                },
            {%- endfor %}
            },
            {{ this.options|tojavascript }}
        ).addTo({{ this._parent.get_name() }});
        {%- for layer in this.layers_untoggle %}
        {{ layer }}.remove();
        {%- endfor %}
        (function (control) {
            var container = control.getContainer();
            var corner = container.parentNode;
            corner.insertBefore(container, corner.firstChild);
            // The plugin lets mousedown reach the map on touch-capable browsers: the
            // map then takes the focus and a click on a checkbox is lost.
            L.DomEvent.disableClickPropagation(container);
            L.DomEvent.disableScrollPropagation(container);
            container.querySelector("form").setAttribute("aria-label", "Lagen");
            var toggle = container.querySelector(".leaflet-control-layers-toggle");
            if (!toggle) { return; }
            // A button that opens and closes the list (the plugin opens it on
            // focus, which put every layer in the Tab order and left it open).
            L.DomEvent.off(toggle, "focus", control._expand, control);
            L.DomEvent.off(toggle, "click", control._expand, control);
            toggle.title = "Lagen";
            toggle.setAttribute("role", "button");
            toggle.setAttribute("aria-label", "Lagen");
            toggle.setAttribute("aria-expanded", "false");
            var isOpen = function () { return L.DomUtil.hasClass(container, "leaflet-control-layers-expanded"); };
            var setOpen = function (open) {
                if (open) { control._expand(); } else { control._collapse(); }
                toggle.setAttribute("aria-expanded", String(open));
            };
            L.DomEvent.on(toggle, "click", function (e) {
                L.DomEvent.stop(e);
                setOpen(!isOpen());
                var first = isOpen() && container.querySelector("form input");
                if (first) { first.focus(); }
            });
            L.DomEvent.on(toggle, "keydown", function (e) {
                if (e.key === " ") { L.DomEvent.stop(e); toggle.click(); }
            });
            L.DomEvent.on(container, "keydown", function (e) {
                if (e.key === "Escape" && isOpen()) { L.DomEvent.stop(e); setOpen(false); toggle.focus(); }
            });
            // Tab out of the list closes it (a mouse click elsewhere has no
            // relatedTarget: the plugin's mouseout and map click handle that).
            L.DomEvent.on(container, "focusout", function (e) {
                if (e.relatedTarget && !container.contains(e.relatedTarget)) { setOpen(false); }
            });
            L.DomEvent.on(container, "mouseout", function () {
                toggle.setAttribute("aria-expanded", String(isOpen()));
            });
        })({{ this.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, groups: dict[str, list], exclusive_groups: Sequence[str] = (), collapsed: bool | None = None):
        MacroElement.__init__(self)  # GroupedLayerControl.__init__ has no base layers
        self._name = "GroupedLayerControl"
        self.collapsed = collapsed
        self.grouped_overlays: dict[str, list[tuple[str, str]]] = {}
        self.layers_untoggle: list[str] = []
        self.exclusive = [esc(g) for g in exclusive_groups]
        for group_name, layers in groups.items():
            entries = []
            for i, layer in enumerate(layers):
                entries.append((esc(layer.layer_name), layer.get_name()))
                layer.control = False
                if group_name in exclusive_groups and i > 0 and layer.show:
                    self.layers_untoggle.append(layer.get_name())
                elif getattr(layer, "show", True) is False and getattr(layer, "always_added", False):
                    # e.g. the phases' Timeline, whose template always adds it
                    self.layers_untoggle.append(layer.get_name())
            self.grouped_overlays[esc(group_name)] = entries

    def render(self, **kwargs):
        parent = self._parent
        self.base_layers = [
            (esc(child.layer_name), child.get_name())
            for child in parent._children.values()
            if isinstance(child, Layer) and not child.overlay and child.control
        ]
        collapsed = True if self.collapsed is None else self.collapsed
        self.options = {"collapsed": collapsed, "position": "topright", "exclusiveGroups": self.exclusive}
        super().render(**kwargs)


def add_layer_control(m: folium.Map, groups: dict[str, list], *, exclusive_groups: Sequence[str] = (),
                      collapsed: bool | None = None) -> LayerControl:
    """A grouped layer control: {"Projecten": [layer, ...], "Cijfers per wijk": [...]}.

    Group and layer names are plain text. Layers of a group listed in
    `exclusive_groups` are radio buttons (one at a time: only the first stays
    on). collapsed=None (or True) folds the control at every width.
    Add it after the layers (and before or after the legends).
    """
    control = LayerControl(groups, exclusive_groups, collapsed)
    control.add_to(m)
    return control


# --- rendering ----------------------------------------------------------------
# folium's header assumes the map owns the whole page: a viewport that blocks
# zooming (bad for accessibility) and html/body/#map rules. Our pages set their
# own; the standalone page adds what it needs.
_FOLIUM_PAGE_RULES = (
    re.compile(r'<meta name="viewport"[^>]*>\s*', re.S),
    re.compile(r'<meta http-equiv="content-type"[^>]*>\s*', re.S),
    re.compile(r"<style>html, body \{[^}]*\}\s*</style>\s*", re.S),
    re.compile(r"<style>#map \{[^}]*\}\s*</style>\s*", re.S),
)


def render_map_parts(m: folium.Map, prefix: str = VENDOR_PREFIX, *,
                     first: Sequence[Element] = ()) -> dict[str, str]:
    """{'name', 'header', 'html', 'first_script', 'script'} to embed the map in a Jinja page.

    header: <link>/<script src>/<style> for <head>; html: the map <div>;
    script: what to place after it. All are localized (assets under
    `prefix`); raises assets.OffHostAssetError otherwise.
    Raises RuntimeError when layers.install_render_fix() was not called
    (folium would run the data as a template: see rendered.py).

    first: elements (children of `m`, with their own children) the visitor
    should see before anything else. Without it, first_script is "" and
    script is folium's one <script> with every element in order. With it,
    first_script (to place right after html, before the rest of the page is
    parsed) creates the map and runs only those elements' scripts, and the
    header keeps only the JS and CSS files they need (Leaflet itself, say);
    script then loads the other files (plugins) and runs every other element
    in folium's order. So the first shapes are drawn while the browser still
    parses the page, not after every layer, legend and plugin (docs/bench.md).

    The layers' GeoJSON is written after the code is checked (map_data.py).
    """
    if not render_fix_installed():
        raise RuntimeError("Call layers.install_render_fix() before rendering a map (see layers/rendered.py).")
    root: Any = m.get_root()  # a branca Figure (typed as Element)
    with data_set_aside() as data:
        root.render()
    scripts: dict[str, Element] = root.script._children
    late_links = ""
    if first:
        early = {m.get_name()} | {name for element in first for name in _subtree_names(element)}
        needed = {name for element in (m, *first)
                  for name, _url in _own_links(element, recursive=element is not m)}
        # the plugins' scripts and stylesheets: their controls are made by the late script
        late = [name for name, child in root.header._children.items()
                if isinstance(child, (JavascriptLink, CssLink)) and name not in needed]
        late_links = "\n".join(root.header._children.pop(name).render() for name in late)
        first_script = "\n".join(el.render() for name, el in scripts.items() if name in early)
        rest = "\n".join(el.render() for name, el in scripts.items() if name not in early)
    else:
        first_script, rest = "", root.script.render()
    header = root.header.render()
    for rule in _FOLIUM_PAGE_RULES:
        header = rule.sub("", header)
    return {
        "name": m.get_name(),
        "header": localize_html(header, prefix),
        "html": localize_html(root.html.render(), prefix),
        "first_script": put_back(localize_html(f"<script>\n{first_script}\n</script>", prefix), data)
        if first else "",
        "script": put_back(localize_html(f"{late_links}\n<script>\n{rest}\n</script>".lstrip("\n"), prefix), data),
    }


def _subtree_names(element: Element) -> Iterator[str]:
    yield element.get_name()
    for child in element._children.values():
        yield from _subtree_names(child)


def _own_links(element: Element, recursive: bool) -> Iterator[tuple[str, str]]:
    """(name, URL) of the JS and CSS files an element (and, if recursive, its children) links."""
    yield from getattr(element, "default_js", ())
    yield from getattr(element, "default_css", ())
    if recursive:
        for child in element._children.values():
            yield from _own_links(child, True)


def render_standalone(m: folium.Map, prefix: str = VENDOR_PREFIX, title: str = "Kaart") -> str:
    """A complete Dutch HTML page with only the map, assets under `prefix`."""
    parts = render_map_parts(m, prefix)
    return (
        '<!DOCTYPE html>\n<html lang="nl-BE">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<title>{esc(title)}</title>\n<link rel="icon" href="data:,">\n{parts["header"]}\n'
        "<style>html,body{height:100%;margin:0}</style>\n</head>\n<body>\n"
        f"{parts['html']}\n{parts['script']}\n</body>\n</html>\n"
    )
