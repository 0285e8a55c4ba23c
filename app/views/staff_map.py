"""The map inside the fiche form, and the preview of a draft's public page
(the public fiche page itself, app.views.fiche_page).

The map comes from layers/ (pure: data in, folium out): the basemap and the
city's outline. The drawing tools (Leaflet-Geoman, served by the app) and
the few lines that write the drawn GeoJSON into the hidden input are
app/static/staff/draw.js, which finds the folium map by its variable name.
"""
from __future__ import annotations

from shapely.geometry.base import BaseGeometry

from ..basemap import basemap_setting
from ..crs import STORAGE_EPSG, transform
from ..db import get_session
from ..models import Area, Fiche, Municipality
from ..read.features import area_features
from ..read.rows import load_area_rows

# layers/assets.py maps these (folium's own GeoMan URLs) to node_modules.
GEOMAN_JS = "https://unpkg.com/@geoman-io/leaflet-geoman-free@latest/dist/leaflet-geoman.js"
GEOMAN_CSS = "https://unpkg.com/@geoman-io/leaflet-geoman-free@latest/dist/leaflet-geoman.css"


def edit_map(city: Municipality, geom: BaseGeometry | None) -> dict | None:
    """{'name', 'header', 'html', 'script'} of the map in the fiche form:
    basemap, the city's outline, the Geoman assets; fitted to the fiche's
    geometry (storage CRS) or else to the city. None when layers/ is missing."""
    try:
        from layers.areas import build_areas_layer
        from layers.base import build_base_map, render_map_parts
    except ImportError:  # pragma: no cover - layers/ is part of the app
        return None
    areas = load_area_rows(get_session(), Area.municipality_id == city.id, Area.level == "gemeente")
    outline = area_features(areas)
    focus = geom if geom is not None else (areas[0].geom if areas else None)
    bounds = transform(focus, STORAGE_EPSG, 4326).bounds if focus is not None else None
    m = build_base_map(bounds, basemap_setting(), label=f"Kaart om de ligging te tekenen in {city.name}")
    if outline["features"]:
        build_areas_layer(outline, "gemeente", name=f"Grondgebied {city.name}").add_to(m)
    m.default_js = [*m.default_js, ("leaflet_geoman", GEOMAN_JS)]
    m.default_css = [*m.default_css, ("leaflet_geoman_css", GEOMAN_CSS)]
    return render_map_parts(m)


def render_preview(city: Municipality, fiche: Fiche):
    """The public fiche page of any fiche, drafts included, for staff: the
    same template citizens get, with a "Voorbeeld — niet gepubliceerd" banner."""
    from .fiche_page import render_fiche_page

    return render_fiche_page(fiche, preview=True)
