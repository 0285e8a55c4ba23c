"""The start page's map of Flanders: an empty folium map (the same shell,
controls and basemap as every map, layers.base), rendered once per process.
Its points come by URL (/gemeenten.geojson, kept per data version) and are
drawn by app/static/start.js, so the page stays the same size whether 2 or
300 cities publish plans."""
from __future__ import annotations

import functools
import json

from layers.base import add_layer_control, build_base_map, render_map_parts

from ..basemap import basemap_setting

# Flanders and Brussels in EPSG:4326 (min lon, min lat, max lon, max lat)
FLANDERS_BOUNDS = (2.54, 50.68, 5.92, 51.51)


@functools.lru_cache(maxsize=8)
def _parts(basemap: str) -> dict[str, str]:
    m = build_base_map(FLANDERS_BOUNDS, json.loads(basemap),
                       label="Kaart van Vlaanderen met de gemeenten die hun plannen publiceren")
    add_layer_control(m, {})   # the basemap choice, "Geen achtergrond" included (_map_privacy.html)
    return render_map_parts(m)


def start_map_parts() -> dict[str, str]:
    """{'name', 'header', 'html', 'script'} of the map (layers.base.render_map_parts)."""
    return _parts(json.dumps(basemap_setting()))
