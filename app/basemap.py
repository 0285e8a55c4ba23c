"""The basemap every map page uses, from the configuration (BASEMAP:
"osm" or "none"; or BASEMAP_URL with BASEMAP_ATTRIBUTION and BASEMAP_NAME
for a city's own tiles, e.g. a GRB WMTS)."""
from __future__ import annotations

from flask import current_app


def basemap_setting():
    """The configured basemap in the form layers.base.build_base_map takes."""
    config = current_app.config
    if config.get("BASEMAP_URL"):
        return {"url": config["BASEMAP_URL"], "attribution": config.get("BASEMAP_ATTRIBUTION") or "",
                "name": config.get("BASEMAP_NAME") or "Achtergrond"}
    return config.get("BASEMAP") or "osm"
