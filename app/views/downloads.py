"""Downloads for GIS partners and citizens: a city's published fiches (with
their phases, budget lines, the wijken and the wijk indicators) as a file,
filtered like the map page, in Lambert 72 unless asked otherwise.

/<slug>/downloads          the page: one line per format, CRS choice, filters carried over
/<slug>/download.<fmt>     the file (fmt: gpkg, shp, geojson, csv, kml, fgb, or their extension)
"""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, abort, render_template, request

from ..db import get_session
from ..exports import DEFAULT_CRS, EXPORTERS, SUPPORTED_CRS, ExportError, export_filename, get_exporter, normalise_crs
from ..exports.assemble import AREA_ATTRIBUTION, BRUSSELS, FILTER_LABELS, ILLUSTRATIVE_NOTE, build_export_data
from ..exports.describe import CRS_NAMES
from ..models import Municipality
from ..read.queries import FicheFilters, count_fiches
from . import city_or_404

bp = Blueprint("downloads", __name__)


def filters_from_request(municipality: Municipality) -> FicheFilters:
    return FicheFilters.from_args(request.args, municipality=municipality.nis_code)


@bp.get("/<slug>/download.<fmt>")
def download(slug: str, fmt: str):
    municipality = city_or_404(slug)
    by_extension = {e.extension: key for key, e in EXPORTERS.items()}
    try:
        exporter = get_exporter(by_extension.get(fmt.lower(), fmt))
        crs = normalise_crs(request.args.get("crs") or DEFAULT_CRS)
    except ExportError as exc:
        abort(400, str(exc))
    now = dt.datetime.now(BRUSSELS)
    data = build_export_data(get_session(), municipality, filters_from_request(municipality),
                             request.host_url.rstrip("/"), now.replace(microsecond=0, tzinfo=None))
    name = export_filename(municipality.slug, exporter.key, crs, now.date())
    return Response(exporter.write(data, crs), content_type=exporter.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/<slug>/downloads")
def downloads_page(slug: str):
    municipality = city_or_404(slug)
    filters = filters_from_request(municipality)
    args = filters.as_query_args()
    crs = request.args.get("crs") if request.args.get("crs") in SUPPORTED_CRS else DEFAULT_CRS
    return render_template(
        "downloads/index.html", municipality=municipality, exporters=list(EXPORTERS.values()),
        crs_choices=[(c, CRS_NAMES[c]) for c in SUPPORTED_CRS], crs=crs, filter_args=args,
        filter_labels=FILTER_LABELS, count=count_fiches(get_session(), filters),
        illustrative_note=ILLUSTRATIVE_NOTE, attribution=AREA_ATTRIBUTION,
    )
