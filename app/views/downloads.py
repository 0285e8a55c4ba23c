"""Downloads for GIS partners and citizens: a city's published fiches (with
their phases, budget lines, the wijken, the wijk indicators and the real
city figures) as a file, filtered like the map page, in Lambert 72 unless
asked otherwise; the same layout for every city and for all cities at once.

/<slug>/downloads               the page: one line per format, CRS choice, filters carried over
/<slug>/download.<fmt>          the file (fmt: gpkg, shp, geojson, csv, kml, fgb, or their extension)
/alle-steden/download.<fmt>     every city in one file, the same layers and columns

`crs` takes EPSG:31370 or any CRS URI /ogc accepts; `bbox` (+ `bbox-crs`)
as in /ogc (app.ogcapi.params, the same parsing). Answers carry ETag and
Last-Modified from the data version and answer 304 on revalidation.
"""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, abort, render_template, request

from ..db import get_session
from ..exports import DEFAULT_CRS, EXPORTERS, SUPPORTED_CRS, ExportError, export_filename, get_exporter, normalise_crs
from ..exports.assemble import AREA_ATTRIBUTION, BRUSSELS, FILTER_LABELS, ILLUSTRATIVE_NOTE, build_export_data
from ..exports.describe import CRS_NAMES
from ..http.caching import revalidated
from ..models import Municipality
from ..ogcapi.errors import InvalidParameter
from ..ogcapi.fiches import box_conditions, restrict
from ..ogcapi.params import parse_bbox, parse_crs
from ..read.queries import FicheFilters, count_fiches
from . import city_or_404

bp = Blueprint("downloads", __name__)
ALL_CITIES = "alle-steden"


def filters_from_request(municipality: Municipality | None) -> FicheFilters:
    return FicheFilters.from_args(request.args, municipality=municipality.nis_code if municipality else None)


def export_crs(value: str | None) -> str:
    """'EPSG:3812', 3812 or a CRS URI /ogc accepts (CRS84 is EPSG:4326: the
    files write longitude first either way) -> 'EPSG:3812'."""
    try:
        return normalise_crs(value or DEFAULT_CRS)
    except ExportError:
        try:
            return normalise_crs(parse_crs(value).epsg)
        except InvalidParameter:
            raise ExportError(f"Coördinatenstelsel '{value}' wordt niet ondersteund voor export: kies "
                              f"{', '.join(SUPPORTED_CRS)} of hun URI (zie /ogc/collections).") from None


def in_box(filters: FicheFilters) -> FicheFilters | None:
    """The filters restricted to `bbox` (+ `bbox-crs`) as /ogc parses them; None: nothing can match."""
    box = parse_bbox(request.args.get("bbox"), request.args.get("bbox-crs"))
    if box is None:
        return filters
    conditions = box_conditions(filters, box)
    return None if conditions is None else restrict(filters, conditions)


@bp.get("/<slug>/download.<fmt>")
@revalidated
def download(slug: str, fmt: str):
    municipality = None if slug == ALL_CITIES else city_or_404(slug)
    by_extension = {e.extension: key for key, e in EXPORTERS.items()}
    try:
        exporter = get_exporter(by_extension.get(fmt.lower(), fmt))
        crs = export_crs(request.args.get("crs"))
        filters = in_box(filters_from_request(municipality))
    except (ExportError, InvalidParameter) as exc:
        abort(400, exc.description if isinstance(exc, InvalidParameter) else str(exc))
    if filters is None:  # a box where no data can be: the same file, empty
        filters = filters_from_request(municipality)
        filters.ids = []
    now = dt.datetime.now(BRUSSELS)
    data = build_export_data(get_session(), municipality, filters,
                             request.host_url.rstrip("/"), now.replace(microsecond=0, tzinfo=None))
    name = export_filename(municipality.slug if municipality else ALL_CITIES, exporter.key, crs, now.date())
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
