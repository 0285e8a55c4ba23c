"""layers.base: basemaps, Dutch controls, layer control, rendering parts."""
from __future__ import annotations

import re

import folium
import pytest

from layers.assets import CDN_HOSTS
from layers.base import MAX_ZOOM, add_layer_control, build_base_map, render_map_parts, render_standalone
from layers.geojson import bounds_of
from layers.phases import build_phases_layer
from layers.projects import build_projects_layer
from layers_fixtures import X, Y, fiches_fc, phases_fc, render, visible

GRB = {
    "url": "https://geo.api.vlaanderen.be/GRB/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=grb_bsk"
           "&STYLE=&FORMAT=image/png&TILEMATRIXSET=GoogleMapsVL&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}",
    "attribution": "GRB: Digitaal Vlaanderen",
    "name": "GRB",
}


def page_with_control(basemap) -> str:
    m = build_base_map(basemap=basemap)
    add_layer_control(m, {})
    return visible(render_standalone(m))


def test_default_map_has_osm_with_attribution_dutch_controls_and_max_zoom():
    html = page_with_control("osm")
    assert '"https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in html
    assert "OpenStreetMap</a>-bijdragers" in html
    assert f'"maxZoom": {MAX_ZOOM}' in html
    assert 'zoomInTitle: "Inzoomen"' in html and 'zoomOutTitle: "Uitzoomen"' in html
    assert '"title": "Volledig scherm"' in html and '"titleCancel": "Volledig scherm sluiten"' in html
    assert "imperial: false" in html
    assert "Geen achtergrond" in html
    assert '<html lang="nl-BE">' in html


def test_no_basemap_means_no_tiles_at_all():
    html = page_with_control("none")
    assert "L.tileLayer" not in html and "tile.openstreetmap.org" not in html
    assert '"Geen achtergrond": feature_group_' in html
    assert f'"maxZoom": {MAX_ZOOM}' in html  # still set without a tile layer


def test_custom_tile_layer_and_a_choice_of_several():
    html = page_with_control([GRB, "osm"])
    assert "TILEMATRIX={z}&TILEROW={y}&TILECOL={x}" in html
    assert "Achtergrond: GRB" in html and "Achtergrond: OpenStreetMap" in html
    m = build_base_map(basemap=[GRB, "osm"])
    tiles = [c for c in m._children.values() if isinstance(c, folium.TileLayer)]
    assert [t.show for t in tiles] == [True, False]  # the first is shown


@pytest.mark.parametrize("bad", [{"url": "https://x/{z}/{x}/{y}.png"}, {"url": "https://x/tile.png", "attribution": "a", "name": "b"}, "stamen"])
def test_bad_basemap_is_refused(bad):
    with pytest.raises(ValueError):
        build_base_map(basemap=bad)


def test_bounds_in_lon_lat_fit_the_map():
    bounds = bounds_of(fiches_fc())
    assert bounds[0] < X < bounds[2] and bounds[1] < Y < bounds[3]
    html = render(bounds=bounds)
    fit = re.search(r"fitBounds\(\s*(\[\[.*?\]\])", html, re.S).group(1)
    (south, west), (north, east) = eval(fit)  # noqa: S307 - our own rendered numbers
    assert (south, west, north, east) == pytest.approx((bounds[1], bounds[0], bounds[3], bounds[2]))
    with pytest.raises(ValueError):
        build_base_map(bounds=(200.0, 0.0, 201.0, 1.0))


def test_render_map_parts_for_a_jinja_page():
    m = build_base_map(basemap="osm")
    parts = render_map_parts(m)
    assert set(parts) == {"name", "header", "html", "first_script", "script"}
    assert parts["first_script"] == ""  # nothing drawn early unless asked
    assert parts["name"] == m.get_name()
    assert f'id="{m.get_name()}"' in parts["html"]
    assert parts["script"].startswith("<script>") and parts["script"].rstrip().endswith("</script>")
    assert f"var {m.get_name()} = L.map(" in parts["script"]
    # folium's whole-page rules stay out of our pages (zoom blocking viewport, html/body sizes).
    assert 'name="viewport"' not in parts["header"] and "user-scalable=no" not in parts["header"]
    assert "html, body" not in parts["header"]
    assert '<script src="/static/vendor/leaflet/dist/leaflet.js"></script>' in parts["header"]
    everything = "".join(parts.values())
    assert not any(host in everything for host in CDN_HOSTS)
    assert render_map_parts(m, prefix="/vendor")["header"].count('src="/vendor/leaflet/dist/leaflet.js"') == 1


def test_first_elements_run_early_and_the_rest_after_its_plugins():
    """render_map_parts(first=...): the map and the given layers in first_script
    with only the JS they need in the header; plugins and other layers after."""
    m = build_base_map(bounds_of(fiches_fc()), basemap="osm")
    shell = [e for e in m._children.values() if not getattr(e, "default_js", None)]
    projects, legend = build_projects_layer(fiches_fc())
    timeline, slider = build_phases_layer(phases_fc(), name="Fasen", year=2027)
    for element in (timeline, projects, legend, slider):
        element.add_to(m)
    add_layer_control(m, {"Projecten": [projects], "Tijdlijn": [timeline]})
    parts = render_map_parts(m, first=[*shell, projects])

    early, late = parts["first_script"], parts["script"]
    assert early.startswith("<script>") and early.rstrip().endswith("</script>")
    assert f"var {m.get_name()} = L.map(" in early and "L.map(" not in late
    assert f"var {projects.get_name()} = L.featureGroup(" in early
    assert "tile.openstreetmap.org" in early and "fitBounds" in early  # the shell comes first
    # Everything else stays, once, in folium's order, after the page's list.
    assert "L.timeline(" in late and "L.timeline(" not in early
    assert late.index("L.timeline(") < late.index("L.control.groupedLayers(")
    assert legend.get_name() not in early and "L.control.fullscreen" not in early
    # Only Leaflet blocks the page in <head>; the plugins load right before the script that uses them.
    assert re.findall(r'<script src="([^"]+)"', parts["header"]) == ["/static/vendor/leaflet/dist/leaflet.js"]
    plugins = re.findall(r'<script src="([^"]+)"></script>', late)
    assert "/static/vendor/leaflet.timeline/dist/leaflet.timeline.js" in plugins
    assert "/static/vendor/leaflet.fullscreen/Control.FullScreen.js" in plugins
    assert late.index("leaflet.timeline.js") < late.index("<script>\n")
    # and so do their stylesheets: only Leaflet's blocks the first paint
    assert re.findall(r'<link rel="stylesheet" href="([^"]+)"', parts["header"]) == [
        "/static/vendor/leaflet/dist/leaflet.css"]
    styles_late = re.findall(r'<link rel="stylesheet" href="([^"]+)"', late)
    assert "/static/vendor/leaflet.fullscreen/Control.FullScreen.css" in styles_late
    assert late.index("Control.FullScreen.css") < late.index("<script>\n")
    everything = "".join(parts.values())
    assert not any(host in everything for host in CDN_HOSTS)
    assert everything.count("L.timeline(") == 1 and everything.count("L.map(") == 1


def test_standalone_page_is_dutch_and_complete():
    html = render_standalone(build_base_map(basemap="none"), title="Kaart <Herentals>")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="nl-BE">' in html
    assert "<title>Kaart &lt;Herentals&gt;</title>" in html
    assert "initial-scale=1" in html and "user-scalable=no" not in html


def test_layer_control_groups_escapes_names_and_keeps_radio_groups_exclusive():
    m = build_base_map(basemap="osm")
    a = folium.FeatureGroup(name="Wijken <b>vet</b>").add_to(m)
    b = folium.FeatureGroup(name="Indicator 1").add_to(m)
    c = folium.FeatureGroup(name="Indicator 2").add_to(m)
    add_layer_control(m, {"Gebieden": [a], "Cijfers & wijken": [b, c]}, exclusive_groups=["Cijfers & wijken"])
    html = visible(render_standalone(m))
    assert "Wijken &lt;b&gt;vet&lt;/b&gt;" in html and "<b>vet</b>" not in html
    assert '"Cijfers &amp; wijken": {' in html
    assert f"{c.get_name()}.remove();" in html and f"{b.get_name()}.remove();" not in html
    assert '"exclusiveGroups": [\n"Cijfers &amp; wijken",\n]' in html
    # Base layers are offered too (folium's own GroupedLayerControl passes none).
    assert re.search(r'"Achtergrond: OpenStreetMap": tile_layer_\w+', html)
    assert '"Geen achtergrond": feature_group_' in html
    assert 'toggle.title = "Lagen"' in html
    assert '"collapsed": true' in html  # folded at every width


def test_canvas_renderer_on_request():
    assert '"preferCanvas": true' in render(prefer_canvas=True)
    assert '"preferCanvas": false' in render()


def test_every_map_runs_the_shared_behaviour_once_per_page():
    from layers.base import MAP_BEHAVIOUR_JS

    m = build_base_map(basemap="none")
    html = render_standalone(m)
    # Defined once per page (a page may hold two maps), then run on this map.
    assert html.count("function fichekaartMap(map, options)") == 1
    assert f"window.fichekaartMap({m.get_name()}, {{}});" in html
    # The JS travels as written (no HTML escaping of quotes or ampersands).
    assert MAP_BEHAVIOUR_JS.strip().splitlines()[-1] in html and "&amp;&amp;" not in html
    for duty in ('setAttribute("tabindex", "-1")', '"Close popup": "Sluit"', "fichekaart.achtergrond",
                 "fk-popup-pane-top", "fk-label-hidden"):
        assert duty in html


def test_widened_bounds_keep_a_point_in_its_streets():
    from layers.geojson import widened_bounds

    minx, miny, maxx, maxy = widened_bounds((4.8366, 51.1766, 4.8366, 51.1766), 500)
    assert abs((maxy - miny) * 111_320 - 500) < 1
    assert abs((maxx - minx) * 111_320 * 0.6269 - 500) < 5  # cos(51.18°)
    assert widened_bounds((4.0, 51.0, 5.0, 52.0), 500) == (4.0, 51.0, 5.0, 52.0)
    assert widened_bounds(None, 500) is None


@pytest.mark.parametrize("url, extra", [
    ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {}),
    ("https://{s}.tiles.example.be/{z}/{x}/{y}{r}.png", {"subdomains": "abc"}),
    ("https://geo.api.vlaanderen.be/GRB/wmts?SERVICE=WMTS&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}", {"max_native_zoom": 20}),
    ("https://tiles.example.be/{z}/{x}/{y}.png?key={apikey}", {}),   # another placeholder: kept as a string
])
def test_tile_layers_skip_the_provider_search_and_render_the_same(url, extra):
    import folium

    from layers.base import _tile_source

    def layer(tiles):
        m = folium.Map(tiles=None)
        folium.TileLayer(tiles=tiles, attr="&copy; bron", name="Achtergrond: x", max_zoom=18, **extra).add_to(m)
        html = m.get_root().render()
        return re.sub(r"_[0-9a-f]{32}", "_id", html)

    assert layer(_tile_source(url)) == layer(url)
