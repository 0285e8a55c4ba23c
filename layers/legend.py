"""Legends: Leaflet controls with real Dutch text, shown while their layer is.

Input: a title (raw text), entries built with the helpers below (labels raw,
escaped here), optional notes (period, source, classification) and the layer
the legend explains. Output: a branca MacroElement to add to the map *after*
that layer.

Layout: every legend sits in the top-right corner, under the layer control
(add_layer_control moves the control to the top of that corner), so on a
360 px wide phone a legend can never cover the control: they stack. Each
legend is a <details> element, folded on maps narrower than 600 px, so the
map stays usable; the "Illustratieve cijfers" mark is part of the always
visible <summary>.
"""
from __future__ import annotations

from dataclasses import dataclass

import folium
from branca.element import MacroElement
from folium.template import Template
from folium.utilities import get_obj_in_upper_tree

from . import styles
from .popups import esc

NARROW_MAP_PX = 600


@dataclass(frozen=True)
class Entry:
    """One legend line: a swatch (kind: fill|line|circle|ring|none) and a label.
    A ring is an outline without fill (the phases, drawn around the projects)."""

    label: str
    color: str = styles.FALLBACK_COLOR
    kind: str = "fill"
    dashed: bool = False
    fill_opacity: float = 0.6
    dotted: bool = False

    def html(self) -> str:
        classes = ["fk-swatch"]
        style = ""
        if self.kind == "line":
            classes.append("fk-swatch-line")
            style = f"border-top-color:{self.color}"
        elif self.kind == "none":
            classes.append("fk-swatch-none")
        elif self.kind == "ring":
            classes.append("fk-swatch-ring")
            style = f"border-color:{self.color}"
        else:
            if self.kind == "circle":
                classes.append("fk-swatch-circle")
            style = f"border-color:{self.color};background:{_rgba(self.color, self.fill_opacity)}"
        if self.dashed:
            classes.append("fk-swatch-dashed")
        if self.dotted:
            classes.append("fk-swatch-dotted")
        return (
            f'<li><span class="{" ".join(classes)}" style="{style}" data-color="{esc(self.color)}"'
            ' aria-hidden="true"></span>'
            f"<span>{esc(self.label)}</span></li>"
        )


def no_data_entry() -> Entry:
    return Entry(styles.NO_DATA_LABEL, kind="none")


def entries_html(entries: list[Entry]) -> str:
    return '<ul class="fk-legend-items">' + "".join(e.html() for e in entries) + "</ul>"


def notes_html(notes: list[str]) -> str:
    return "".join(f'<p class="fk-legend-note">{esc(n)}</p>' for n in notes if n)


def circles_svg(references: list[tuple[float, str]], color: str) -> str:
    """Nested reference circles (radius px, label) for proportional symbols."""
    if not references:
        return ""
    refs = sorted(references, reverse=True)
    r_max = refs[0][0]
    height = 2 * r_max + 4
    width = 2 * r_max + 8 + 110
    base = height - 2
    cx = r_max + 2
    parts = []
    for radius, label in refs:
        cy = base - radius
        parts.append(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius:.1f}" fill="{_rgba(color, 0.25)}" '
            f'stroke="{color}" stroke-width="1.2"/>'
            f'<line x1="{cx:.1f}" y1="{base - 2 * radius:.1f}" x2="{2 * r_max + 8:.1f}" '
            f'y2="{base - 2 * radius:.1f}" stroke="#555" stroke-width="0.6"/>'
            f'<text x="{2 * r_max + 10:.1f}" y="{base - 2 * radius + 4:.1f}" font-size="11" '
            f'fill="#1f1f1f">{esc(label)}</text>'
        )
    labels = ", ".join(label for _, label in refs)
    return (
        f'<svg width="{width:.0f}" height="{height:.0f}" role="img" '
        f'aria-label="{esc("Referentiecirkels: " + labels)}">{"".join(parts)}</svg>'
    )


def _rgba(color: str, alpha: float) -> str:
    color = color.lstrip("#")
    r, g, b = (int(color[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha:g})"


class Legend(MacroElement):
    """A foldable legend control bound to one layer.

    title, notes: raw text (escaped here). body_html: HTML built with
    entries_html/notes_html/circles_svg (already escaped).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this.map_name }};
            var control = L.control({position: {{ this.position|tojson }}});
            control.onAdd = function () {
                var div = L.DomUtil.create("div", "fk-legend leaflet-control");
                div.innerHTML = {{ this.legend_html|tojson }};
                if (map.getSize().x < {{ this.narrow_px }}) {
                    div.querySelector("details").open = false;
                }
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            {%- if this.layer_name %}
            var shown = false;
            function show(on) {
                if (on && !shown) { control.addTo(map); }
                if (!on && shown) { control.remove(); }
                shown = on;
            }
            map.on("layeradd layerremove", function (e) {
                if (typeof {{ this.layer_name }} !== "undefined" && e.layer === {{ this.layer_name }}) {
                    show(e.type === "layeradd");
                }
            });
            show(typeof {{ this.layer_name }} !== "undefined" && map.hasLayer({{ this.layer_name }}));
            {%- else %}
            control.addTo(map);
            {%- endif %}
        })();
        {% endmacro %}
        """
    )

    def __init__(self, title: str, body_html: str, *, layer=None, illustrative: bool = False,
                 position: str = "topright"):
        super().__init__()
        self._name = "Legend"
        self.title = title
        self.illustrative = illustrative
        self.layer = layer
        self.position = position
        self.narrow_px = NARROW_MAP_PX
        mark = f' <span class="fk-illustratief">{styles.ILLUSTRATIVE_MARK}</span>' if illustrative else ""
        self.legend_html = (
            f'<details open><summary>{esc(title)}{mark}</summary>'
            f'<div class="fk-legend-body">{body_html}</div></details>'
        )

    def render(self, **kwargs):
        self.map_name = get_obj_in_upper_tree(self, folium.Map).get_name()
        self.layer_name = self.layer.get_name() if self.layer is not None else None
        super().render(**kwargs)
