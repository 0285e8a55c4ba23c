"""Fiche phases on a year slider (folium Timeline + TimelineSlider).

Input: phase features in EPSG:4326 with `start` and `end` as ISO dates
("YYYY-MM-DD"). Output: (Timeline, TimelineSlider); the slider carries the
legend (per phase kind) and the Dutch labels of its buttons, so adding both
to the map is all a page does.

The slider works in whole years. A phase is active in year Y when
start <= 31 December Y and end >= 1 January Y, i.e. when
year(start) <= Y <= year(end): the Timeline gets exactly that interval, and
phases_active_in_year applies the same rule for the page's year filter.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from branca.element import MacroElement
from folium.plugins import Timeline, TimelineSlider
from folium.template import Template
from folium.utilities import JsCode

from . import styles
from .geojson import BIND_HTML, collection, family_parts, read_features
from .legend import Entry, Legend, entries_html, notes_html
from .popups import phase_popup, phase_tooltip

SECONDS_PER_YEAR_OF_PLAYBACK = 1.0


def year_span(props: dict) -> tuple[int, int] | None:
    """(first year, last year) a phase is active, or None without valid dates."""
    start, end = _date(props.get("start")), _date(props.get("end"))
    if start is None or end is None or end < start:
        return None
    return start.year, end.year


def phases_active_in_year(phases_fc, year: int) -> list[dict]:
    """The phase features active in `year`: start <= 31 Dec and end >= 1 Jan.

    The same rule as the slider. Geometry is not looked at (a phase without
    one is still active, it just is not on the map); features without valid
    dates never are.
    """
    out = []
    for feature in _all_features(phases_fc):
        span = year_span(feature.get("properties") or {})
        if span is not None and span[0] <= year <= span[1]:
            out.append(feature)
    return out


def phase_collection(phases_fc) -> dict:
    """The phases as the Timeline draws them: one feature per phase (and per
    geometry family), with its escaped tooltip and popup, its years ys-ye and
    its style. What the page embeds, or serves for data_url."""
    return collection(_items(phases_fc))


def _items(phases_fc) -> list[tuple[dict, dict[str, Any]]]:
    items: list[tuple[dict, dict[str, Any]]] = []
    for feature in read_features(phases_fc):
        props = feature["properties"]
        span = year_span(props)
        if span is None:
            continue
        kind = _kind(props)
        for family, geometry in family_parts(feature["geometry"]):
            items.append((geometry, {
                "tooltip": phase_tooltip(props),
                "popup": phase_popup(props),
                "ys": span[0],
                "ye": span[1],
                "style": _style(family, kind, bool(props.get("illustrative"))),
            }))
    return items


def _kind(props: dict) -> str:
    return props.get("phase_kind") if props.get("phase_kind") in styles.PHASE_KIND_LABELS else "andere"


def build_phases_layer(phases_fc, *, name: str = "Fasen", year: int | None = None,
                       show_legend: bool = True, show: bool = True,
                       data_url: str | None = None) -> tuple[Timeline, TimelineSlider]:
    """The phases as a Timeline and its year slider (starting at `year` if given).

    Phases are outlines without fill (dotted when illustrative) in colours of
    their own, drawn around the projects. show=False: switched off at first
    (the layer control turns it on); the slider is hidden while it is off.

    data_url: the page embeds no phase shapes; the Timeline fetches
    phase_collection of the same phases from this URL (same origin) the
    first time it is shown. `phases_fc` then only needs the properties
    (kind, start, end, illustrative: the slider's years and the legend);
    features without geometry count too."""
    features = read_features(phases_fc) if data_url is None else _all_features(phases_fc)
    dated = [(f["properties"], span) for f in features if (span := year_span(f.get("properties") or {}))]
    kinds = {_kind(props) for props, _ in dated}
    any_illustrative = any(bool(props.get("illustrative")) for props, _ in dated)
    years = [y for _, span in dated for y in span]
    first, last = (min(years), max(years)) if years else (dt.date.today().year,) * 2

    timeline = Timeline(
        phase_collection(phases_fc) if data_url is None else collection([]),
        get_interval=JsCode("function (f) { return {start: f.properties.ys, end: f.properties.ye}; }"),
        style=JsCode("function (f) { return f.properties.style; }"),
        point_to_layer=JsCode("function (f, latlng) { return L.circleMarker(latlng, f.properties.style); }"),
        on_each_feature=BIND_HTML,
    )
    timeline.layer_name = name
    timeline.show = show
    timeline.always_added = True  # type: ignore[attr-defined]  # its template adds it to the map: the layer control removes it
    slider: Any = TimelineSlider(
        auto_play=False,
        start=first,
        end=last,
        show_ticks=True,
        enable_keyboard_controls=False,
        steps=max(1, last - first),
        playback_duration=int(1000 * SECONDS_PER_YEAR_OF_PLAYBACK * max(1, last - first)),
    )
    # folium formats the slider value with moment() as a date; ours is a year,
    # so moment.js (51 kB, only there for that formatter) is not loaded at all.
    slider.options["format_output"] = JsCode('function (t) { return "Jaar " + Math.round(t); }')
    for element in (timeline, slider):
        element.default_js = [(name, url) for name, url in element.default_js if name != "moment"]
    slider.add_timelines(timeline)
    start_year = min(max(year, first), last) if year is not None else None
    _SliderInDutch(start_year).add_to(slider)
    if data_url is not None:
        _LoadedWhenShown(timeline, data_url).add_to(slider)
    if show_legend:
        slider.legend = _legend(name, kinds, any_illustrative, timeline)
        slider.legend.add_to(slider)
    return timeline, slider


def _style(family: str, kind: str, illustrative: bool) -> dict:
    color = styles.phase_kind_color(kind)
    style = {"color": color, "weight": 3, "fill": False, "opacity": 0.95,
             "className": f"fk-phase fk-phase-{kind}"}
    if family == "lines":
        style.update(weight=3)
    elif family == "points":
        style.update(radius=11, weight=3)  # a ring around the project's dot (radius 7)
    if illustrative:
        style.update(dashArray="1 6", lineCap="round")
    return style


def _legend(name: str, kinds: set, any_illustrative: bool, timeline: Timeline) -> Legend:
    entries = [Entry(styles.PHASE_KIND_LABELS[k], styles.PHASE_KIND_COLORS[k], "ring")
               for k in styles.PHASE_KIND_LABELS if k in kinds]
    if any_illustrative:
        entries.append(Entry("Illustratieve planning", "#333333", "line", dotted=True))
    notes = ["Een fase is een gekleurde rand rond het project.",
             "Met de schuifbalk kies je een jaar: je ziet de fasen die dat jaar lopen."]
    return Legend(f"{name} per soort", entries_html(entries) + notes_html(notes), layer=timeline,
                  illustrative=any_illustrative)


class _SliderInDutch(MacroElement):
    """Dutch labels on the slider's buttons and range, and its start year."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (slider) {
            var labels = {{ this.labels|tojson }};
            Object.keys(labels).forEach(function (cls) {
                var button = slider.container.querySelector("button." + cls);
                if (button) { button.setAttribute("aria-label", labels[cls]); button.title = labels[cls]; }
            });
            var range = slider.container.querySelector("input.time-slider");
            range.setAttribute("aria-label", "Jaar");
            range.step = 1;
            // The year in words for screen readers, announced when it changes.
            var output = slider.container.querySelector("output");
            if (output) { output.setAttribute("aria-live", "polite"); output.setAttribute("role", "status"); }
            var setTime = slider._setTime;
            slider._setTime = function (t, type) {
                setTime.call(this, t, type);
                range.setAttribute("aria-valuetext", "Jaar " + Math.round(t));
            };
            range.setAttribute("aria-valuetext", "Jaar " + Math.round(parseFloat(range.value)));
            // Hidden while its phases are switched off.
            var map = slider.map;
            var sync = function () {
                var on = slider.timelines.some(function (t) { return map.hasLayer(t); });
                L.DomUtil[on ? "removeClass" : "addClass"](slider.container, "fk-off");
            };
            map.on("layeradd layerremove", sync);
            sync();
            var list = slider.container.querySelector("datalist select");
            if (list) { list.setAttribute("aria-label", "Jaren met een begin of einde van een fase"); }
            {%- if this.year is not none %}
            slider.setTime({{ this.year|tojson }});
            {%- endif %}
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, year: int | None):
        super().__init__()
        self._name = "SliderInDutch"
        self.year = year
        self.labels = {"prev": "Vorige stap", "play": "Afspelen", "pause": "Pauzeren", "next": "Volgende stap"}


class _LoadedWhenShown(MacroElement):
    """Fetches the Timeline's phases the first time it is on the map (at
    once when the page shows it from the start). Until then the page carries
    no phase shapes. Uses leaflet.timeline 1.6.0's (pinned) _process, the
    step its constructor takes for the data it is given, and the slider's
    _rebuildDataList for the ticks. The map box gets data-phases="geladen"
    when they are drawn (tests wait for it)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (slider, timeline, url) {
            var map = slider.map, state = "wachtend";
            var load = function () {
                if (state !== "wachtend") { return; }
                state = "laden";
                fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
                    .then(function (answer) {
                        if (!answer.ok) { throw new Error("HTTP " + answer.status); }
                        return answer.json();
                    })
                    .then(function (data) {
                        timeline._process(data);
                        timeline.setTime(slider.time);
                        if (slider.options.showTicks) { slider._rebuildDataList(); }
                        state = "geladen";
                        map.getContainer().setAttribute("data-phases", state);
                    })
                    .catch(function () { state = "wachtend"; });  // tried again the next time it is shown
            };
            timeline.on("add", load);
            // The Timeline is on the map until the layer control (later in this script) takes it off.
            window.setTimeout(function () { if (map.hasLayer(timeline)) { load(); } }, 0);
        })({{ this._parent.get_name() }}, {{ this.timeline }}, {{ this.url|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, timeline: Timeline, url: str):
        super().__init__()
        self._name = "LoadedWhenShown"
        self.timeline = timeline.get_name()
        self.url = url


def _date(value) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value if not isinstance(value, dt.datetime) else value.date()
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _all_features(data) -> list[dict]:
    """All features, geometry or not (read_features drops those without)."""
    if hasattr(data, "to_json") and hasattr(data, "geometry"):
        data = json.loads(data.to_json(na="null"))
    if isinstance(data, dict):
        return list(data.get("features", []))
    return list(data or [])
