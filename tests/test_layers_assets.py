"""layers.assets: every CDN link folium/branca emit maps to a pinned local file."""
from __future__ import annotations

import inspect
import json
import re
from pathlib import Path, PurePosixPath

import branca.colormap
import folium
import pytest
from folium import plugins

from layers import assets
from layers.assets import (CDN_FILES, NODE_MODULES, NOT_SERVED, OffHostAssetError, find_off_host_assets,
                           localize_html, vendor_files)
from layers.base import build_base_map

ROOT = Path(__file__).resolve().parent.parent
# folium classes our pages use, and two we do not (clusters, Leaflet.draw) whose
# links must be dropped rather than left pointing at a CDN.
FOLIUM_CLASSES = [folium.Map, plugins.Fullscreen, plugins.Timeline, plugins.TimelineSlider,
                  plugins.GroupedLayerControl, plugins.MarkerCluster, plugins.Draw, plugins.DualMap,
                  plugins.VectorGridProtobuf, plugins.GeoMan]
needs_node_modules = pytest.mark.skipif(not (NODE_MODULES / "leaflet").is_dir(),
                                        reason="node_modules is missing: run `npm ci`")


def _class_urls() -> set[str]:
    urls = set()
    for cls in FOLIUM_CLASSES:
        urls.update(url for _, url in getattr(cls, "default_js", []) + getattr(cls, "default_css", []))
    # branca's colormap writes its d3 link in code, not in default_js.
    urls.update(re.findall(r'JavascriptLink\("([^"]+)"\)', inspect.getsource(branca.colormap)))
    return urls


def test_every_url_of_the_folium_classes_we_use_is_served_or_dropped():
    urls = _class_urls()
    assert "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js" in urls  # branca's hard-coded one
    assert sorted(urls - set(CDN_FILES) - NOT_SERVED) == []
    assert not set(CDN_FILES) & NOT_SERVED


def test_old_libraries_are_not_installed_linked_or_served():
    """moment 2.18.1 (ReDoS advisories), d3 3, Bootstrap 3/5, jQuery: no page loads them."""
    package = json.loads((ROOT / "package.json").read_text())
    deps = {**package["dependencies"], **package.get("devDependencies", {})}
    for name in ("moment", "d3", "bootstrap", "bootstrap3", "jquery", "@fortawesome/fontawesome-free",
                 "drmonty-leaflet-awesome-markers", "leaflet.markercluster", "leaflet-draw"):
        assert name not in deps
    assert not any(p.startswith(("moment/", "d3/", "bootstrap", "jquery/")) for p in vendor_files())
    m = build_base_map(basemap="none")
    plugins.TimelineSlider().add_to(m)  # folium's class still names moment
    branca.colormap.LinearColormap(["#ffffff", "#000000"], vmin=0, vmax=1).add_to(m)  # and d3
    html = localize_html(m.get_root().render())
    assert "moment.min.js" not in html and "d3.min.js" not in html and "leaflet.timeline.js" in html


def test_a_default_folium_page_is_fully_localized():
    m = folium.Map(location=[51.1766, 4.8366])  # folium's own defaults, not our lean map
    plugins.MarkerCluster().add_to(m)
    plugins.Draw().add_to(m)
    branca.colormap.LinearColormap(["#ffffff", "#000000"], vmin=0, vmax=1).add_to(m)
    html = m.get_root().render()
    assert "cdn.jsdelivr.net" in html and "d3.min.js" in html
    local = localize_html(html, "/static/vendor")
    assert find_off_host_assets(local) == []
    served = set(re.findall(r'(?:src|href)="/static/vendor/([^"]+)"', local))
    assert served and served <= vendor_files()
    assert not any(url in local for url in NOT_SERVED)  # their tags are gone, not rewritten
    assert "tile.openstreetmap.org/{z}/{x}/{y}.png" in local  # tile templates stay


@pytest.mark.parametrize("snippet", [
    '<script src="https://cdn.example.org/lib.js"></script>',
    '<link rel="stylesheet" href="//unpkg.com/some-plugin/dist/plugin.css"/>',
    '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">',
    '<img src="https://tracker.example.com/pixel.gif">',
    "<style>@import url(https://fonts.googleapis.com/css2?family=Inter);</style>",
    "<style>.x{background:url('//cdn.example.org/bg.png')}</style>",
    '<script>$.getScript("https://cdn.jsdelivr.net/npm/leaflet-foo@1.0.0/foo.js");</script>',
    '<script>var s = document.createElement("script"); s.src = "https://example.org/evil.js";</script>',
    '<script>var x = "\\u003cscript src=\\"https://cdn.example.org/a.js\\"\\u003e";</script>',
])
def test_an_unknown_off_host_asset_raises(snippet):
    with pytest.raises(OffHostAssetError) as info:
        localize_html(f"<html><head>{snippet}</head></html>")
    assert info.value.urls and "CDN_FILES" in str(info.value)


@pytest.mark.parametrize("snippet", [
    '<a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
    '<script>L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {"attribution": '
    '"\\u0026copy; \\u003ca href=\\"https://www.openstreetmap.org/copyright\\"\\u003eOSM\\u003c/a\\u003e"});</script>',
    "<p>&lt;img src=//evil.example/x.png&gt; is text, not a tag</p>",
    '<script>var popup = "zie https://www.herentals.be/app.js voor uitleg";</script>',
    '<link rel="icon" href="data:,">',
])
def test_links_tiles_and_text_are_not_assets(snippet):
    assert localize_html(f"<html><body>{snippet}</body></html>")


def test_an_absolute_prefix_is_on_host():
    html = '<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"></script>'
    out = localize_html(html, "https://static.fichekaart.example/vendor/")
    assert out == '<script src="https://static.fichekaart.example/vendor/leaflet/dist/leaflet.js"></script>'
    with pytest.raises(OffHostAssetError):
        localize_html('<script src="https://other.example/x.js"></script>', "https://static.fichekaart.example/vendor")


def test_lean_map_leaves_folium_class_defaults_alone():
    before = (list(folium.Map.default_js), list(folium.Map.default_css))
    m = build_base_map(basemap="none")
    html = m.get_root().render()
    assert "jquery" not in html and "bootstrap" not in html and "leaflet.js" in html
    assert (folium.Map.default_js, folium.Map.default_css) == before


def test_no_copy_of_a_third_party_file_lives_in_the_repository():
    # The one script of our own (layers/map_behaviour.js) says so in its first line; any other
    # JS/CSS here would be a copy of a vendor file, which must come from npm instead.
    own = {"map_behaviour.js"}
    files = [*(ROOT / "layers").glob("*.css"), *(ROOT / "layers").glob("*.js")]
    assert {p.name for p in files} <= own
    for path in files:
        assert path.read_text().startswith("/* How every Fichekaart map behaves")


@needs_node_modules
def test_every_whitelisted_file_is_installed_and_css_dependencies_are_whitelisted():
    assert assets.missing_vendor_files() == []
    allowed = vendor_files()
    for path in sorted(p for p in allowed if p.endswith(".css")):
        css = (NODE_MODULES / path).read_text(encoding="utf-8")
        assert "@import" not in css, path  # nothing pulls fonts or styles from elsewhere
        for ref in re.findall(r"url\(\s*['\"]?([^'\")]+)", css):
            if ref.startswith(("data:", "#", "%23")):
                continue
            target = PurePosixPath(path).parent / ref.split("?")[0].split("#")[0]
            normalized = _normalize(target)
            assert normalized in allowed, f"{path} needs {normalized}"


def _normalize(path: PurePosixPath) -> str:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def test_package_json_pins_exactly_what_the_urls_name():
    package = json.loads((ROOT / "package.json").read_text())
    assert package["private"] is True
    assert not any(k in package.get("scripts", {}) for k in ("preinstall", "install", "postinstall", "prepare"))
    deps = {**package["dependencies"], **package.get("devDependencies", {})}
    for name, version in deps.items():
        assert re.fullmatch(r"(npm:[\w.-]+@)?\d+\.\d+\.\d+", version), f"{name} is not pinned exactly: {version}"
    wanted = {
        "leaflet": "1.9.3", "leaflet.fullscreen": "3.0.0", "leaflet.timeline": "1.6.0",
        "leaflet.sync": "0.2.4", "leaflet-groupedlayercontrol": "0.6.1",
    }
    assert {k: deps.get(k) for k in wanted} == wanted
    for needed in ("leaflet.vectorgrid", "@geoman-io/leaflet-geoman-free", "axe-core", "chart.js"):
        assert needed in deps
    lock = json.loads((ROOT / "package-lock.json").read_text())
    for name, version in deps.items():
        locked = lock["packages"][f"node_modules/{name}"]["version"]
        assert locked == version.rsplit("@", 1)[-1], name
    # The version inside each mapped CDN URL is the version npm installs.
    checked = 0
    for url, path in CDN_FILES.items():
        package_name = "/".join(path.split("/")[:2]) if path.startswith("@") else path.split("/")[0]
        found = re.search(r"[@/](\d+\.\d+\.\d+)/|-(\d+\.\d+\.\d+)\.min", url)
        if found:
            assert (found.group(1) or found.group(2)) == deps[package_name].rsplit("@", 1)[-1], url
            checked += 1
    assert checked >= 6


@needs_node_modules
def test_the_vendor_route_serves_what_pages_load_and_nothing_else(client):
    assert client.get("/static/vendor/leaflet/dist/leaflet.js").status_code == 200
    for gone in ("moment/min/moment.min.js", "d3/d3.min.js", "bootstrap3/dist/css/bootstrap.css",
                 "jquery/dist/jquery.min.js", "fichekaart/bootstrap-glyphicons.css", "leaflet/package.json"):
        assert client.get(f"/static/vendor/{gone}").status_code == 404, gone


def test_tags_of_files_not_served_go_with_their_blanks_and_one_line_break():
    from layers.assets import NOT_SERVED, localize_html

    css, js = sorted(u for u in NOT_SERVED if u.endswith(".css"))[0], sorted(u for u in NOT_SERVED if u.endswith(".js"))[0]
    html = (f'<head>\n  <link rel="stylesheet" href="{css}">  \n\n\t<script src="{js}">\n</script>\t\n'
            '<link rel="stylesheet" href="/static/city.css">\n</head>')
    assert localize_html(html) == '<head>\n\n<link rel="stylesheet" href="/static/city.css">\n</head>'
