"""What a city's settings add to every page of that city: its logo
(/<slug>/logo, the stored PNG/JPEG/WebP) and `city_profile` in the templates
(templates/base.html: name, accent colour, logo, contact and licence)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, g

from ..db import get_session
from ..licences import BOUNDARY_LICENCE
from ..read.city_settings import city_logo
from . import city_or_404

bp = Blueprint("city_assets", __name__)


@bp.app_context_processor
def inject_city_profile() -> dict:
    return {"city_profile": g.get("city_profile"), "boundary_licence": BOUNDARY_LICENCE}


@bp.get("/<slug>/logo")
def logo(slug: str):
    """The logo, checked by Pillow on upload; served with its own media type
    and nosniff, cached for a day (its URL carries ?v=<settings version>)."""
    found = city_logo(get_session(), city_or_404(slug))
    if found is None:
        abort(404)
    data, media_type = found
    return Response(data, content_type=media_type,
                    headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff",
                             "Content-Disposition": "inline"})
