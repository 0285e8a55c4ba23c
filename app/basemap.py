"""The basemap every map page uses, from the configuration, and the short
Dutch privacy note each map page shows about it.

Settings (instance/config.py or FICHEKAART_* in the environment):
- BASEMAP: "osm" (OpenStreetMap's tile server, the default) or "none" (no
  background: no request leaves the site).
- BASEMAP_URL, BASEMAP_ATTRIBUTION, BASEMAP_NAME: a city's own XYZ or WMTS
  tile service instead, e.g. the Flemish GRB basemap (see GRB_EXAMPLE and
  docs/pages.md). It takes precedence over BASEMAP.
A city's own choice (its settings, app/read/city_settings.py: "osm", "grb"
or "none") takes precedence over both on that city's pages.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, g, has_app_context
from markupsafe import Markup, escape

from layers.base import NO_BASEMAP_NAME, OSM

# The Flemish GRB basemap (Digitaal Vlaanderen) as a WMTS in the GoogleMapsVL
# matrix set: a documented example of BASEMAP_URL, not a default.
GRB_EXAMPLE = {
    "BASEMAP_URL": ("https://geo.api.vlaanderen.be/GRB/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
                    "&LAYER=grb_bsk&STYLE=&FORMAT=image/png&TILEMATRIXSET=GoogleMapsVL"
                    "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"),
    "BASEMAP_ATTRIBUTION": "&copy; Digitaal Vlaanderen (GRB)",
    "BASEMAP_NAME": "GRB-basiskaart",
}
# The tile servers a city's settings can choose ("osm", "grb"): the CSP allows them.
CITY_BASEMAP_ORIGINS = ("https://tile.openstreetmap.org", "https://geo.api.vlaanderen.be")


def _grb_spec() -> dict:
    return {"url": GRB_EXAMPLE["BASEMAP_URL"], "attribution": GRB_EXAMPLE["BASEMAP_ATTRIBUTION"],
            "name": GRB_EXAMPLE["BASEMAP_NAME"]}


def basemap_setting():
    """The basemap of this page in the form layers.base.build_base_map takes:
    the city's choice (g.city_profile, set by app.views.city_or_404), else
    the configured one."""
    profile = g.get("city_profile") if has_app_context() else None
    if profile is not None and profile.basemap:
        return _grb_spec() if profile.basemap == "grb" else profile.basemap
    config = current_app.config
    if config.get("BASEMAP_URL"):
        return {"url": config["BASEMAP_URL"], "attribution": config.get("BASEMAP_ATTRIBUTION") or "",
                "name": config.get("BASEMAP_NAME") or "Achtergrond"}
    return config.get("BASEMAP") or "osm"


def basemap_source() -> tuple[str, str] | None:
    """(name, host) of the tile server the visitor's browser asks, or None
    when the maps have no background."""
    setting = basemap_setting()
    if setting == "none":
        return None
    spec = OSM if setting == "osm" else setting
    host = urlsplit(spec["url"].replace("{s}", "a")).netloc
    return spec["name"], host


def basemap_note() -> Markup:
    """One short Dutch sentence or three: where the background comes from and
    what that server sees (the IP address), and that "Geen achtergrond" is
    remembered on this device only."""
    source = basemap_source()
    if source is None:
        return Markup("Deze kaart heeft geen achtergrondkaart: je browser vraagt niets op bij een andere server.")
    name, host = source
    return Markup(
        "<strong>Achtergrondkaart:</strong> {name} ({host}). Om die te tonen, haalt je browser kaartbeelden op bij "
        "die server, die daarbij je IP-adres ziet. Wil je dat niet, kies dan <strong>{none}</strong> bij "
        "<em>Lagen</em>: deze browser onthoudt die keuze (niet op onze server)."
    ).format(name=escape(name), host=escape(host), none=NO_BASEMAP_NAME)


def init_app(app: Flask) -> None:
    app.jinja_env.globals["basemap_note"] = basemap_note
