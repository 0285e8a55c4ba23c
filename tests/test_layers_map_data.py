"""layers/map_data.py: the layers' GeoJSON is set aside while the map's code
renders and is checked, then written by orjson, script-safe."""
from __future__ import annotations

import json

import folium
from folium.template import Template

from layers.base import build_base_map, render_map_parts
from layers.map_data import MapData, data_set_aside, put_back
from layers.projects import build_projects_layer
from layers_fixtures import embedded_collections, fiches_fc


def test_the_embedded_data_is_the_layers_data():
    m = build_base_map(basemap="none")
    projects, _ = build_projects_layer(fiches_fc())
    projects.add_to(m)
    parts = render_map_parts(m)
    layers = [child.data for child in projects._children.values() if isinstance(child, folium.GeoJson)]
    assert layers and all(isinstance(data, MapData) for data in layers)
    assert embedded_collections(parts["script"]) == [json.loads(json.dumps(data)) for data in layers]
    assert "__fk_map_data_" not in parts["script"]


def test_nothing_in_the_data_can_close_the_script_element():
    data = MapData({"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": 0, "geometry": {"type": "Point", "coordinates": [4.8, 51.2]},
         "properties": {"popup": "</script><script>alert('x')</script> & <!--"}}]})
    with data_set_aside() as aside:
        code = Template("var d = {{ this|tojson }};").render(this=data)
    assert code == "var d = __fk_map_data_0__;"
    text = put_back(code, aside)
    assert "<" not in text and ">" not in text and "'" not in text and "&" not in text
    assert json.loads(text.removeprefix("var d = ").removesuffix(";")) == data


def test_outside_a_map_render_tojson_is_unchanged():
    data = MapData({"type": "FeatureCollection", "features": []})
    assert Template("{{ this|tojson }}").render(this=data) == json.dumps(data, sort_keys=True)  # Jinja's own


def test_a_fiche_text_that_is_an_url_to_a_script_is_just_text():
    # Before, the off-host asset check read the data too: this title (the tooltip is the title alone, a
    # JSON string that is an URL to a script) raised OffHostAssetError, and the city page answered 500.
    fiches = fiches_fc()
    fiches["features"][0]["properties"]["title"] = "https://cdn.example.com/plan.js"
    m = build_base_map(basemap="none")
    build_projects_layer(fiches)[0].add_to(m)
    script = render_map_parts(m)["script"]
    assert "https://cdn.example.com/plan.js" in script
