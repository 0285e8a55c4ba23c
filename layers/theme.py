"""The map's own CSS and SVG pattern, added once per map by build_base_map.

Legends, popups, area labels and the "geen gegevens" hatching all use these
classes (prefix `fk-`). The hatching is an SVG <pattern> referenced from CSS:
a CSS `fill` beats the `fill` attribute Leaflet writes, so areas without data
are hatched with the SVG renderer and plain grey with the canvas renderer.
"""
from __future__ import annotations

from branca.element import Figure, MacroElement
from folium.template import Template

from .rendered import RenderedText

HATCH_ID = "fk-hatch"

MAP_CSS = """
.leaflet-top.leaflet-right{max-height:calc(100% - 40px);overflow-y:auto;overflow-x:hidden;padding-left:8px;
  padding-bottom:4px;scrollbar-width:thin}
.leaflet-container:has(.leaflet-timeline-control:not(.fk-off)) .leaflet-top.leaflet-right{max-height:calc(100% - 125px)}
.fk-legend{background:rgba(255,255,255,.96);color:#1f1f1f;padding:6px 9px;border-radius:5px;
  box-shadow:0 1px 5px rgba(0,0,0,.35);font:13px/1.35 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
  max-width:min(17rem,calc(100vw - 6.5rem));max-height:45vh;overflow:auto;clear:both}
.fk-legend summary{font-weight:600;cursor:pointer;padding:4px 0;min-height:24px;box-sizing:border-box}
.fk-legend ul{list-style:none;margin:4px 0 0;padding:0}
.fk-legend li{display:flex;align-items:center;gap:6px;margin:3px 0}
.fk-legend p{margin:4px 0 0}
.fk-legend-note{font-size:12px;color:#444}
.fk-swatch{flex:none;display:inline-block;width:20px;height:13px;box-sizing:border-box;
  border:1.5px solid rgba(0,0,0,.45)}
.fk-swatch-line{height:0;border-width:3px 0 0 0;border-style:solid}
.fk-swatch-circle{width:13px;height:13px;border-radius:50%}
.fk-swatch-dashed{border-style:dashed}
.fk-swatch-dotted{border-style:dotted}
.fk-swatch-ring{width:14px;height:14px;border-radius:50%;border-width:3px;background:transparent!important}
.fk-swatch-none{background:repeating-linear-gradient(45deg,#8a8a8a 0 1.5px,#eeeeee 1.5px 5px);border-color:#8a8a8a}
.fk-legend svg{display:block;margin-top:4px}
.fk-illustratief{display:inline-block;margin-left:4px;padding:0 5px;border-radius:3px;background:#fff3cd;
  color:#5c4300;border:1px solid #d9b94f;font-size:11px;font-weight:700;white-space:nowrap}
.fk-amount{white-space:nowrap}
path.fk-geen-gegevens{fill:url(#fk-hatch)}
.fk-popup{font:13px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f1f1f;min-width:12rem}
.fk-popup p{margin:0 0 4px}
.fk-popup-ref{font-size:12px;color:#444}
.fk-popup-rows{display:grid;grid-template-columns:auto 1fr;gap:1px 8px;margin:4px 0}
.fk-popup-rows dt{font-weight:600}
.fk-popup-rows dd{margin:0}
.fk-popup-note{font-style:italic}
.fk-badge{display:inline-block;margin-left:4px;padding:0 4px;border-radius:3px;background:#e8f0fe;
  color:#1a3f7a;font-size:11px;font-weight:700}
.leaflet-tooltip.fk-label{background:transparent;border:0;box-shadow:none;padding:0;color:#222;
  font-weight:600;font-size:12px;text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 2px #fff}
.leaflet-tooltip.fk-label:before{display:none}
.leaflet-tooltip.fk-label{white-space:normal;width:max-content;max-width:8.5em;text-align:center;line-height:1.15}
.leaflet-tooltip.fk-label.fk-label-hidden{visibility:hidden}
.leaflet-container>.leaflet-pane.fk-popup-pane-top{z-index:1100}
.leaflet-popup-content:focus{outline:none}
.leaflet-popup-content:focus-visible{outline:2px solid #ffbf47;outline-offset:4px}
.fk-popup-count{margin:0 0 6px}
.fk-popup-sep{border:0;border-top:1px solid #ccc;margin:8px 0}
.leaflet-container .leaflet-control-layers-toggle{width:36px;height:36px}
.leaflet-container .leaflet-control.leaflet-timeline-control .button-container button{
  width:28px;height:28px;min-width:24px}
.leaflet-container .leaflet-control.leaflet-timeline-control.fk-off{display:none}
.leaflet-container .leaflet-control.leaflet-timeline-control .time-text{white-space:nowrap}
@media (max-width:600px){.leaflet-container .leaflet-control-attribution{
  font-size:10px;line-height:1.3;max-width:calc(100% - 90px)}
.leaflet-container .leaflet-control.leaflet-timeline-control .sldr-ctrl-container{width:38%}
.leaflet-container .leaflet-control.leaflet-timeline-control input[type=range]{width:58%;min-height:24px}
.leaflet-container .leaflet-control.leaflet-timeline-control{margin-bottom:44px}}
"""

HATCH_SVG = (
    '<svg aria-hidden="true" focusable="false" width="0" height="0" '
    'style="position:absolute;width:0;height:0;overflow:hidden">'
    f'<defs><pattern id="{HATCH_ID}" patternUnits="userSpaceOnUse" width="8" height="8" '
    'patternTransform="rotate(45)">'
    '<rect width="8" height="8" fill="#eeeeee"/><rect width="2.5" height="8" fill="#8a8a8a"/>'
    "</pattern></defs></svg>"
)


class MapTheme(MacroElement):
    """Adds MAP_CSS to the page header and the hatch pattern to its body."""

    _template = Template("")

    def __init__(self):
        super().__init__()
        self._name = "MapTheme"

    def render(self, **kwargs):
        figure = self.get_root()
        if isinstance(figure, Figure):
            # Fixed names: rendering twice (or two themed maps on one page)
            # keeps one copy.
            # RenderedText: fixed text, not compiled as a template on every map (~1 ms)
            figure.header.add_child(RenderedText(f"<style>{MAP_CSS}</style>"), name="fk_map_css")
            figure.html.add_child(RenderedText(HATCH_SVG), name="fk_hatch_svg")
        super().render(**kwargs)
