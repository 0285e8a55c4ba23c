"""The map inside the fiche form, and the preview of a draft's public page.

The map comes from layers/ (pure: data in, folium out): the basemap and the
city's outline. The drawing tools (Leaflet-Geoman, served by the app) and
the few lines that write the drawn GeoJSON into the hidden input are
app/static/staff/draw.js, which finds the folium map by its variable name.
"""
from __future__ import annotations

from flask import render_template
from shapely.geometry.base import BaseGeometry

from ..basemap import basemap_setting
from ..db import get_session
from ..features import area_features
from ..geometry import transform
from ..models import Fiche, Municipality
from ..queries import select_areas
from ..spatial import from_db

# layers/assets.py maps these (folium's own GeoMan URLs) to node_modules.
GEOMAN_JS = "https://unpkg.com/@geoman-io/leaflet-geoman-free@latest/dist/leaflet-geoman.js"
GEOMAN_CSS = "https://unpkg.com/@geoman-io/leaflet-geoman-free@latest/dist/leaflet-geoman.css"


def edit_map(city: Municipality, geom: BaseGeometry | None) -> dict | None:
    """{'name', 'header', 'html', 'script'} of the map in the fiche form:
    basemap, the city's outline, the Geoman assets; fitted to the fiche's
    geometry (EPSG:31370) or else to the city. None when layers/ is missing."""
    try:
        from layers.areas import build_areas_layer
        from layers.base import build_base_map, render_map_parts
    except ImportError:  # pragma: no cover - layers/ is part of the app
        return None
    areas = select_areas(get_session(), city, "gemeente")
    outline = area_features(areas, 4326)
    focus = geom if geom is not None else (from_db(areas[0].geom) if areas else None)
    bounds = transform(focus, 31370, 4326).bounds if focus is not None else None
    m = build_base_map(bounds, basemap_setting(), label=f"Kaart om de ligging te tekenen in {city.name}")
    if outline["features"]:
        build_areas_layer(outline, "gemeente", name=f"Grondgebied {city.name}").add_to(m)
    m.default_js = [*m.default_js, ("leaflet_geoman", GEOMAN_JS)]
    m.default_css = [*m.default_css, ("leaflet_geoman_css", GEOMAN_CSS)]
    return render_map_parts(m)


def preview_map(city: Municipality, fiche: Fiche) -> dict | None:
    """The fiche on a map the way the public maps draw it (layers.projects)."""
    if fiche.geom is None:
        return None
    from layers.areas import build_areas_layer
    from layers.base import build_base_map, render_map_parts
    from layers.projects import build_projects_layer

    from ..features import fiche_features

    m = build_base_map(transform(from_db(fiche.geom), 31370, 4326).bounds, basemap_setting(),
                       label=f"Ligging van {fiche.title}")
    outline = area_features(select_areas(get_session(), city, "gemeente"), 4326)
    if outline["features"]:
        build_areas_layer(outline, "gemeente", name=f"Grondgebied {city.name}").add_to(m)
    group, legend = build_projects_layer(fiche_features([fiche]), name="Deze fiche")
    group.add_to(m)
    legend.add_to(m)
    return render_map_parts(m)


def render_preview(city: Municipality, fiche: Fiche):
    """The public page of a fiche, drafts included, for staff. Until the
    public fiche page offers a way to render any fiche, this page shows the
    same content in the workspace layout, marked as a preview."""
    from ..queries import budget_by_year, budget_is_illustrative, budget_total

    return render_template(
        "staff/preview.html", city=city, fiche=fiche, map_parts=preview_map(city, fiche),
        budget_total=budget_total(fiche) if fiche.budget_lines else None,
        budget_years=budget_by_year([fiche]), budget_illustrative=budget_is_illustrative(fiche),
    )
