"""Serves the pinned third-party JS/CSS (installed by npm at set-up into
node_modules/) under /static/vendor/: only the files our pages load
(layers.assets.vendor_files), everything else is a 404."""
from __future__ import annotations

from flask import Blueprint, abort, send_from_directory

from layers.assets import vendor_files

from .. import ROOT

bp = Blueprint("vendor", __name__)
NODE_MODULES = ROOT / "node_modules"


@bp.get("/static/vendor/<path:path>")
def vendor(path: str):
    if path not in vendor_files():
        abort(404)
    if not (NODE_MODULES / path).is_file():
        abort(404, "De front-endbestanden ontbreken: voer scripts/run uit (npm ci).")
    return send_from_directory(NODE_MODULES, path, max_age=60 * 60 * 24 * 30)
