"""Map layers for Fichekaart: GeoJSON (EPSG:4326) in, folium objects out.

Pure: no app, model or database imports. See base.py for the map shell and
rendering, assets.py for the self-hosted JS/CSS. Importing layers changes
nothing in folium: whoever renders maps calls install_render_fix() first
(the app factory does; see rendered.py).
"""

from .rendered import install_render_fix, render_fix_installed

__all__ = ["install_render_fix", "render_fix_installed"]
