"""Third-party JS/CSS served by the app itself: CDN URL -> node_modules path.

folium 0.20 and branca 0.8 write CDN links into every map (Leaflet, jQuery,
Bootstrap, Font Awesome, plugins; branca's colormap hard-codes d3). Fichekaart
loads nothing from a CDN: `package.json` pins the versions our pages load,
`npm ci` installs them into `node_modules/`, and `localize_html` rewrites every
known CDN URL in rendered map HTML to `{prefix}/{path}` (default prefix
`/static/vendor`).

Only what a page loads is installed and served (`CDN_FILES`). folium links
more than we use (`NOT_SERVED`: jQuery, Bootstrap 5 and 3, Font Awesome,
awesome-markers, d3 3, moment 2.18.1, MarkerCluster, Leaflet.draw): those
`<script src>` / `<link href>` tags are dropped from the rendered HTML, so an
old library with known advisories (moment 2.18.1's ReDoS) is neither loaded
nor reachable on the server. A class that needs one of them fails in the
browser tests (JS error); pin the package and move its URL to CDN_FILES.

The vendor route contract (app/views/vendor.py):
  GET {prefix}/<path>
    1. `path in vendor_files()` -> send node_modules/<path>;
    2. else 404.

What counts as "off host" (localize_html raises OffHostAssetError):
  * a src/href/srcset/poster/data attribute of any tag except <a href> whose
    value starts with http://, https:// or // (an <a href> is a link the user
    follows, e.g. the OpenStreetMap attribution, not something the page loads);
  * url(...) / @import with such a URL inside a <style> block;
  * a JS string literal that is such a URL and points to a .js/.mjs/.css file
    or to a known CDN host (JS that loads a script or stylesheet).
  Tile URL templates (`https://tile.openstreetmap.org/{z}/{x}/{y}.png`) are
  JS strings, not src/href, and are allowed: basemap tiles are the one
  optional outside resource and the map works without them.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

NODE_MODULES = Path(__file__).resolve().parent.parent / "node_modules"
VENDOR_PREFIX = "/static/vendor"

# Every CDN URL of the folium classes our pages use, with the file of the
# pinned npm package that replaces it. Where npm ships no minified copy
# (fullscreen, timeline, sync) the plain file is served.
CDN_FILES: dict[str, str] = {
    # folium.Map (layers.base keeps only Leaflet of its defaults)
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": "leaflet/dist/leaflet.js",
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css": "leaflet/dist/leaflet.css",
    # plugins: every map, the phase slider, the layer control, the comparison, the region, the staff form
    "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.min.js":
        "leaflet.fullscreen/Control.FullScreen.js",
    "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.css":
        "leaflet.fullscreen/Control.FullScreen.css",
    "https://cdn.jsdelivr.net/npm/leaflet.timeline@1.6.0/dist/leaflet.timeline.min.js":
        "leaflet.timeline/dist/leaflet.timeline.js",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet-groupedlayercontrol/0.6.1/leaflet.groupedlayercontrol.min.js":
        "leaflet-groupedlayercontrol/dist/leaflet.groupedlayercontrol.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet-groupedlayercontrol/0.6.1/leaflet.groupedlayercontrol.min.css":
        "leaflet-groupedlayercontrol/dist/leaflet.groupedlayercontrol.min.css",
    "https://cdn.jsdelivr.net/gh/jieter/Leaflet.Sync/L.Map.Sync.min.js": "leaflet.sync/L.Map.Sync.js",
    # folium links these two "@latest"; package.json pins them.
    "https://unpkg.com/leaflet.vectorgrid@latest/dist/Leaflet.VectorGrid.bundled.js":
        "leaflet.vectorgrid/dist/Leaflet.VectorGrid.bundled.min.js",
    "https://unpkg.com/@geoman-io/leaflet-geoman-free@latest/dist/leaflet-geoman.js":
        "@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.min.js",
    "https://unpkg.com/@geoman-io/leaflet-geoman-free@latest/dist/leaflet-geoman.css":
        "@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.css",
}

# CDN URLs folium/branca write that no page of ours needs: their tags are
# dropped (see the module docstring), nothing is installed or served for them.
NOT_SERVED: frozenset[str] = frozenset({
    # folium.Map defaults other than Leaflet (for folium.Icon markers)
    "https://code.jquery.com/jquery-3.7.1.min.js",
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js",
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css",
    "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css",
    "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js",
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css",
    "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css",
    # branca colormap / legend (hard-coded d3 3.5.5); our legends are layers.legend
    "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js",
    # TimelineSlider's date formatter (layers.phases shows years and drops it)
    "https://cdnjs.cloudflare.com/ajax/libs/moment.js/2.18.1/moment.min.js",
    # plugins we do not use
    "https://cdnjs.cloudflare.com/ajax/libs/jquery/3.7.1/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/leaflet.markercluster.js",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.css",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.Default.css",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.draw/1.0.2/leaflet.draw.js",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.draw/1.0.2/leaflet.draw.css",
})

# Files the CSS above pulls in (relative url(...)), and files pages use directly.
_DEPENDENCIES: tuple[str, ...] = (
    *(f"leaflet/dist/images/{n}" for n in (
        "layers.png", "layers-2x.png", "marker-icon.png", "marker-icon-2x.png", "marker-shadow.png")),
    "leaflet.fullscreen/icon-fullscreen.svg",
    # charts on pages: <script src="{prefix}/chart.js/dist/chart.umd.min.js">
    "chart.js/dist/chart.umd.min.js",
)
# axe-core is installed for the browser tests only (injected by Playwright), never served.

# Hosts whose URLs are always script/style loads, whatever the file name.
CDN_HOSTS = frozenset({
    "cdn.jsdelivr.net", "cdnjs.cloudflare.com", "code.jquery.com", "unpkg.com", "netdna.bootstrapcdn.com",
    "maxcdn.bootstrapcdn.com", "stackpath.bootstrapcdn.com", "d3js.org", "teastman.github.io",
    "ajax.googleapis.com", "fonts.googleapis.com", "fonts.gstatic.com", "use.fontawesome.com",
    "raw.githubusercontent.com", "rawcdn.githack.com", "cdn.plot.ly", "code.highcharts.com",
})


class OffHostAssetError(ValueError):
    """Rendered HTML still loads something from another host."""

    def __init__(self, urls: list[str]):
        self.urls = urls
        listed = "\n  ".join(urls)
        super().__init__(
            f"{len(urls)} off-host asset URL(s) left after localize_html:\n  {listed}\n"
            "Pin the package in package.json and map the URL in layers/assets.CDN_FILES, "
            "or do not use the folium class that links it."
        )


def vendor_files() -> set[str]:
    """node_modules-relative paths the vendor route may serve."""
    return set(_vendor_files())


@lru_cache(maxsize=1)
def _vendor_files() -> frozenset[str]:
    return frozenset(set(CDN_FILES.values()) | set(_DEPENDENCIES))


def missing_vendor_files(node_modules: Path = NODE_MODULES) -> list[str]:
    """Whitelisted files absent from node_modules (set-up check: run `npm ci`)."""
    return sorted(p for p in _vendor_files() if not (node_modules / p).is_file())


# --- rewriting and checking ---------------------------------------------------
_BY_LENGTH = sorted(CDN_FILES.items(), key=lambda kv: len(kv[0]), reverse=True)
# branca's JavascriptLink / CssLink tags (and the same written by hand) of a NOT_SERVED URL.
# (Starts with "<": the regex engine jumps from one "<" to the next instead of
# trying every position; _drop_not_served takes the blanks around a tag along.)
_NOT_SERVED_TAG = re.compile(
    r"""<script\b[^<>]*\bsrc\s*=\s*["']?(?P<js>[^"'\s>]+)["']?[^<>]*>\s*</script>"""
    r"""|<link\b[^<>]*\bhref\s*=\s*["']?(?P<css>[^"'\s>]+)["']?[^<>]*>""", re.I)
# JSON/JS escapes folium uses inside scripts; undone on a copy before scanning.
_UNESCAPES = (("\\u003c", "<"), ("\\u003e", ">"), ("\\u0026", "&"), ("\\u0027", "'"), ('\\"', '"'), ("\\/", "/"))
_TAG = re.compile(r"<([a-zA-Z][\w-]*)\b([^<>]*)>")
_LOADING_ATTR = re.compile(r"""\b(src|href|srcset|poster|data|background)\s*=\s*["']?\s*([^"'\s>]+)""", re.I)
_STYLE_BLOCK = re.compile(r"<style\b[^>]*>(.*?)</style>", re.I | re.S)
_CSS_URL = re.compile(r"""(?:url\(\s*["']?|@import\s+["'])\s*([^"')\s]+)""", re.I)
_STRING_URL = re.compile(r"""(["'`])((?:https?:)?//[^"'`\s]+)\1""", re.I)
_ASSET_SUFFIX = re.compile(r"\.(?:m?js|css)$", re.I)


def localize_html(html: str, prefix: str = VENDOR_PREFIX) -> str:
    """`html` with every known CDN URL replaced by `{prefix}/{node_modules path}`
    and the tags that load a NOT_SERVED URL removed.

    Raises OffHostAssetError when anything off-host is still loaded (see the
    module docstring for the exact rule). An absolute prefix
    ("https://static.example.be/vendor") counts as on-host.
    """
    prefix = prefix.rstrip("/")
    html = _drop_not_served(html)
    for url, path in _BY_LENGTH:
        html = html.replace(url, f"{prefix}/{path}")
    allowed: tuple[str, ...] = ()
    if urlsplit(prefix).netloc:
        parts = urlsplit(prefix)
        allowed = (f"{parts.scheme}://{parts.netloc}/",)
    problems = find_off_host_assets(html, allowed)
    if problems:
        raise OffHostAssetError(problems)
    return html


def _drop_not_served(html: str) -> str:
    """`html` without the tags that load a NOT_SERVED URL, each with the
    spaces and tabs before it and after it and one line break."""
    kept, last = [], 0
    for match in _NOT_SERVED_TAG.finditer(html):
        if (match.group("js") or match.group("css")) not in NOT_SERVED:
            continue
        start, end = match.start(), match.end()
        while start > last and html[start - 1] in " \t":
            start -= 1
        while end < len(html) and html[end] in " \t":
            end += 1
        if html.startswith("\n", end):
            end += 1
        kept.append(html[last:start])
        last = end
    kept.append(html[last:])
    return "".join(kept)


def find_off_host_assets(html: str, allowed_prefixes: tuple[str, ...] = ()) -> list[str]:
    """Off-host URLs the page would load (sorted, unique); [] when clean."""
    text = html
    for escaped, plain in _UNESCAPES:
        text = text.replace(escaped, plain)

    def off_host(url: str) -> bool:
        low = url.lower()
        if not low.startswith(("http://", "https://", "//")):
            return False
        return not any(low.startswith(p.lower()) for p in allowed_prefixes)

    found: set[str] = set()
    for tag in _TAG.finditer(text):
        name = tag.group(1).lower()
        for attr in _LOADING_ATTR.finditer(tag.group(2)):
            if name == "a" and attr.group(1).lower() == "href":
                continue
            if off_host(attr.group(2)):
                found.add(attr.group(2))
    for block in _STYLE_BLOCK.findall(text):
        found.update(url for url in _CSS_URL.findall(block) if off_host(url))
    for match in _STRING_URL.finditer(text):
        url = match.group(2)
        if not off_host(url) or "{z}" in url:
            continue
        parts = urlsplit(url if not url.startswith("//") else "https:" + url)
        if _ASSET_SUFFIX.search(parts.path) or (parts.hostname or "") in CDN_HOSTS:
            found.add(url)
    return sorted(found)
