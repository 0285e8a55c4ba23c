"""Map layers for Fichekaart: GeoJSON (EPSG:4326) in, folium objects out.

Pure: no app, model or database imports. See base.py for the map shell and
rendering, assets.py for the self-hosted JS/CSS.
"""

from .rendered import install as _install_rendered

_install_rendered()  # before any map renders: see rendered.py (template injection, speed)
