"""Serves the pinned third-party JS/CSS (installed by npm at set-up into
node_modules/) under /static/vendor/, only the files the maps use."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, send_from_directory

from layers.assets import patched_file, vendor_files

from .. import ROOT

bp = Blueprint("vendor", __name__)
NODE_MODULES = ROOT / "node_modules"


@bp.get("/static/vendor/<path:path>")
def vendor(path: str):
    patched = patched_file(path)
    if patched is not None:
        return patched
    if path not in vendor_files():
        abort(404)
    if not (NODE_MODULES / path).is_file():
        abort(404, "De front-endbestanden ontbreken: voer scripts/run uit (npm ci).")
    response = send_from_directory(NODE_MODULES, path, max_age=60 * 60 * 24 * 30)
    return response


__all__ = ["bp", "Path"]
