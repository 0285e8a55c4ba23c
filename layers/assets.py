"""Third-party JS/CSS served by the app itself: CDN URL -> node_modules path.

folium 0.20 and branca 0.8 write CDN links into every map (Leaflet, jQuery,
Bootstrap, Font Awesome, plugins; branca's colormap hard-codes d3). Fichekaart
loads nothing from a CDN: `package.json` pins the same versions, `npm ci`
installs them into `node_modules/`, and `localize_html` rewrites every known
CDN URL in rendered map HTML to `{prefix}/{path}` (default prefix
`/static/vendor`).

The vendor route contract (app/views/vendor.py):
  GET {prefix}/<path>
    1. `patched_file(path)` is not None -> return it (a Flask-returnable
       (body, status, headers) tuple, generated at run time from node_modules
       or from code here; never a copied third-party file in the repository);
    2. else `path in vendor_files()` -> send node_modules/<path>;
    3. else 404.

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
from typing import NamedTuple
from urllib.parse import urlsplit

NODE_MODULES = Path(__file__).resolve().parent.parent / "node_modules"
VENDOR_PREFIX = "/static/vendor"
PATCHED_DIR = "fichekaart"

# Every CDN URL folium 0.20 / branca 0.8 emit for the classes Fichekaart uses or
# plans to use, with the file of the pinned npm package that replaces it.
# Where npm ships no minified copy (fullscreen, timeline, sync) the plain file
# is served; where the file is not on npm at all, a patched copy is generated.
CDN_FILES: dict[str, str] = {
    # folium.Map defaults
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": "leaflet/dist/leaflet.js",
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css": "leaflet/dist/leaflet.css",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/dist/jquery.min.js",
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js":
        "bootstrap/dist/js/bootstrap.bundle.min.js",
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css": "bootstrap/dist/css/bootstrap.min.css",
    # Bootstrap 3.0.0's glyphicons CSS is not on npm: generated from 3.4.1 (same glyphs).
    "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css":
        f"{PATCHED_DIR}/bootstrap-glyphicons.css",
    "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css":
        "@fortawesome/fontawesome-free/css/all.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js":
        "drmonty-leaflet-awesome-markers/js/leaflet.awesome-markers.js",
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css":
        "drmonty-leaflet-awesome-markers/css/leaflet.awesome-markers.css",
    # folium's rotation classes live in its sdist only: generated.
    "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css":
        f"{PATCHED_DIR}/leaflet.awesome.rotate.css",
    # branca colormap / legend (hard-coded, add_js_link cannot reach it)
    "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js": "d3/d3.min.js",
    # plugins
    "https://cdnjs.cloudflare.com/ajax/libs/jquery/3.7.1/jquery.min.js": "jquery/dist/jquery.min.js",
    "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.min.js":
        "leaflet.fullscreen/Control.FullScreen.js",
    "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.css":
        "leaflet.fullscreen/Control.FullScreen.css",
    "https://cdn.jsdelivr.net/npm/leaflet.timeline@1.6.0/dist/leaflet.timeline.min.js":
        "leaflet.timeline/dist/leaflet.timeline.js",
    "https://cdnjs.cloudflare.com/ajax/libs/moment.js/2.18.1/moment.min.js": "moment/min/moment.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet-groupedlayercontrol/0.6.1/leaflet.groupedlayercontrol.min.js":
        "leaflet-groupedlayercontrol/dist/leaflet.groupedlayercontrol.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet-groupedlayercontrol/0.6.1/leaflet.groupedlayercontrol.min.css":
        "leaflet-groupedlayercontrol/dist/leaflet.groupedlayercontrol.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/leaflet.markercluster.js":
        "leaflet.markercluster/dist/leaflet.markercluster.js",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.css":
        "leaflet.markercluster/dist/MarkerCluster.css",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.Default.css":
        "leaflet.markercluster/dist/MarkerCluster.Default.css",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.draw/1.0.2/leaflet.draw.js": "leaflet-draw/dist/leaflet.draw.js",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.draw/1.0.2/leaflet.draw.css": "leaflet-draw/dist/leaflet.draw.css",
    "https://cdn.jsdelivr.net/gh/jieter/Leaflet.Sync/L.Map.Sync.min.js": "leaflet.sync/L.Map.Sync.js",
    # folium links these two "@latest"; package.json pins them.
    "https://unpkg.com/leaflet.vectorgrid@latest/dist/Leaflet.VectorGrid.bundled.js":
        "leaflet.vectorgrid/dist/Leaflet.VectorGrid.bundled.min.js",
    "https://unpkg.com/@geoman-io/leaflet-geoman-free@latest/dist/leaflet-geoman.js":
        "@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.min.js",
    "https://unpkg.com/@geoman-io/leaflet-geoman-free@latest/dist/leaflet-geoman.css":
        "@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.css",
}

# Files the CSS above pulls in (relative url(...)), and files pages use directly.
_DEPENDENCIES: tuple[str, ...] = (
    *(f"leaflet/dist/images/{n}" for n in (
        "layers.png", "layers-2x.png", "marker-icon.png", "marker-icon-2x.png", "marker-shadow.png")),
    *(f"drmonty-leaflet-awesome-markers/css/images/{n}" for n in (
        "markers-soft.png", "markers-soft@2x.png", "markers-shadow.png", "markers-shadow@2x.png")),
    *(f"@fortawesome/fontawesome-free/webfonts/{n}.{ext}"
      for n in ("fa-brands-400", "fa-regular-400", "fa-solid-900", "fa-v4compatibility") for ext in ("woff2", "ttf")),
    *(f"bootstrap3/dist/fonts/glyphicons-halflings-regular.{ext}" for ext in ("eot", "svg", "ttf", "woff", "woff2")),
    "leaflet.fullscreen/icon-fullscreen.svg",
    *(f"leaflet-draw/dist/images/{n}" for n in ("spritesheet.png", "spritesheet-2x.png", "spritesheet.svg")),
    # charts on pages: <script src="{prefix}/chart.js/dist/chart.umd.min.js">
    "chart.js/dist/chart.umd.min.js",
)
CHART_JS = "chart.js/dist/chart.umd.min.js"
# Installed for the browser tests only (injected by Playwright), never served.
AXE_CORE = "axe-core/axe.min.js"

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


class PatchedFile(NamedTuple):
    """A generated file; Flask accepts it as a (body, status, headers) return value."""

    body: bytes
    status: int
    headers: dict


def vendor_files() -> set[str]:
    """node_modules-relative paths the vendor route may serve (patched files excluded)."""
    return set(_vendor_files())


@lru_cache(maxsize=1)
def _vendor_files() -> frozenset[str]:
    paths = {p for p in CDN_FILES.values() if not p.startswith(f"{PATCHED_DIR}/")}
    return frozenset(paths | set(_DEPENDENCIES))


def patched_files() -> set[str]:
    """Paths (under the vendor prefix) that patched_file generates."""
    return set(_GENERATORS)


def missing_vendor_files(node_modules: Path = NODE_MODULES) -> list[str]:
    """Whitelisted files absent from node_modules (set-up check: run `npm ci`)."""
    return sorted(p for p in _vendor_files() if not (node_modules / p).is_file())


def patched_file(path: str) -> PatchedFile | None:
    """The generated file at `path`, or None when `path` is not one (or its
    source in node_modules is missing)."""
    body = _patched_body(path)
    if body is None:
        return None
    headers = {
        "Content-Type": "text/css; charset=utf-8",
        "Cache-Control": "public, max-age=2592000",
        "X-Content-Type-Options": "nosniff",
    }
    return PatchedFile(body, 200, headers)


@lru_cache(maxsize=8)
def _patched_body(path: str) -> bytes | None:
    generator = _GENERATORS.get(path)
    if generator is None:
        return None
    text = generator()
    return text.encode("utf-8") if text is not None else None


def _glyphicons_css() -> str | None:
    """The glyphicon rules of Bootstrap 3.4.1 (fonts served from node_modules).

    folium links Bootstrap 3.0.0's separate bootstrap-glyphicons.css, which
    npm does not have; 3.4.1's bootstrap.css holds the same rules in one
    block. Serving the whole 3.x stylesheet would restyle the page.
    """
    source = NODE_MODULES / "bootstrap3" / "dist" / "css" / "bootstrap.css"
    try:
        css = source.read_text(encoding="utf-8")
    except OSError:
        return None
    start = css.find('@font-face {\n  font-family: "Glyphicons Halflings";')
    end = css.find("\n* {", start)
    if start < 0 or end < 0:
        return None
    block = css[start:end].replace('url("../fonts/', 'url("../bootstrap3/dist/fonts/')
    return "/* Generated by Fichekaart from bootstrap@3.4.1 (MIT): glyphicons only. */\n" + block + "\n"


def _rotate_css() -> str:
    """The classes folium's Icon(angle=...) uses: .fa-rotate-N for N in 0..359."""
    rules = (f".fa-rotate-{n}{{transform:rotate({n}deg)}}" for n in range(360))
    return "/* Generated by Fichekaart for folium Icon(angle=...). */\n" + "\n".join(rules) + "\n"


_GENERATORS = {
    f"{PATCHED_DIR}/bootstrap-glyphicons.css": _glyphicons_css,
    f"{PATCHED_DIR}/leaflet.awesome.rotate.css": _rotate_css,
}

# --- rewriting and checking ---------------------------------------------------
_BY_LENGTH = sorted(CDN_FILES.items(), key=lambda kv: len(kv[0]), reverse=True)
# JSON/JS escapes folium uses inside scripts; undone on a copy before scanning.
_UNESCAPES = (("\\u003c", "<"), ("\\u003e", ">"), ("\\u0026", "&"), ("\\u0027", "'"), ('\\"', '"'), ("\\/", "/"))
_TAG = re.compile(r"<([a-zA-Z][\w-]*)\b([^<>]*)>")
_LOADING_ATTR = re.compile(r"""\b(src|href|srcset|poster|data|background)\s*=\s*["']?\s*([^"'\s>]+)""", re.I)
_STYLE_BLOCK = re.compile(r"<style\b[^>]*>(.*?)</style>", re.I | re.S)
_CSS_URL = re.compile(r"""(?:url\(\s*["']?|@import\s+["'])\s*([^"')\s]+)""", re.I)
_STRING_URL = re.compile(r"""(["'`])((?:https?:)?//[^"'`\s]+)\1""", re.I)
_ASSET_SUFFIX = re.compile(r"\.(?:m?js|css)$", re.I)


def localize_html(html: str, prefix: str = VENDOR_PREFIX) -> str:
    """`html` with every known CDN URL replaced by `{prefix}/{node_modules path}`.

    Raises OffHostAssetError when anything off-host is still loaded (see the
    module docstring for the exact rule). An absolute prefix
    ("https://static.example.be/vendor") counts as on-host.
    """
    prefix = prefix.rstrip("/")
    for url, path in _BY_LENGTH:
        html = html.replace(url, f"{prefix}/{path}")
    allowed = ()
    if urlsplit(prefix).netloc:
        parts = urlsplit(prefix)
        allowed = (f"{parts.scheme}://{parts.netloc}/",)
    problems = find_off_host_assets(html, allowed)
    if problems:
        raise OffHostAssetError(problems)
    return html


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
