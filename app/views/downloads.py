"""Downloads for GIS partners and citizens: a city's published fiches (with
their phases, budget lines, the wijken and the wijk indicators) as a file,
filtered like the map page, in Lambert 72 unless asked otherwise.

/<slug>/downloads          the page: one line per format, CRS choice, filters carried over
/<slug>/download.<fmt>     the file (fmt: gpkg, shp, geojson, csv, kml, fgb, or their extension)
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import geopandas as gpd
import pandas as pd
from flask import Blueprint, Response, abort, current_app, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..columns import BUDGET_COLUMNS
from ..db import get_session
from ..exports import (
    DEFAULT_CRS,
    EXPORTERS,
    SUPPORTED_CRS,
    ExportData,
    ExportError,
    export_filename,
    get_exporter,
    normalise_crs,
)
from ..exports.base import STORAGE_CRS
from ..exports.describe import CRS_NAMES
from ..models import Area, IndicatorValue, Municipality, Plan
from ..read.queries import FicheFilters, count_fiches, select_areas, wijk_index_of
from ..read.records import (
    AREA_FIELDS,
    FICHE_FIELDS,
    INDICATOR_FIELDS,
    PHASE_FIELDS,
    area_record,
    fiche_records,
    indicator_record,
    phase_record,
)
from ..read.rows import load_fiche_rows
from ..spatial import from_db
from . import city_or_404

bp = Blueprint("downloads", __name__)

BRUSSELS = ZoneInfo("Europe/Brussels")
AREA_ATTRIBUTION = "Gebiedsgrenzen: Bron: Statbel, Provincies in Cijfers (gebiedsniveaus)"
DEFAULT_LICENCE = (
    "Teksten en plannen: de stad zelf (zie de bron bij elke fiche); gebiedsgrenzen en bevolkingscijfers: "
    "Statbel (open data, vermeld de bron). Illustratieve waarden zijn voorbeeldwaarden zonder waarde als "
    "beslissing of meting."
)
ILLUSTRATIVE_NOTE = (
    "Illustratief (voorbeeldwaarden voor de demo, geen beslissingen of metingen): de fasen en hun data, de "
    "budgetbedragen met basis 'illustratief', SDG's met sdgs_illustratief = ja, liggingen met ligging = "
    "indicatief (met de hand geplaatst) en indicatorwaarden met illustratief = ja. Zie de kolommen "
    "illustratief, budget_illustratief en sdgs_illustratief."
)
# The map page's filter arguments, with the words the download page shows.
FILTER_LABELS = {"sector": "sector", "status": "status", "sdg": "SDG", "obligation": "verplicht of keuze",
                 "year_from": "vanaf jaar", "year_to": "tot jaar", "wijk": "wijk", "q": "zoekterm"}


def _frame(records: list[dict], fields, geometries=None) -> pd.DataFrame:
    columns = [f.name for f in fields]
    frame = pd.DataFrame.from_records(records, columns=columns)
    if geometries is None:
        return frame
    geometry = gpd.GeoSeries(geometries, index=frame.index, crs=STORAGE_CRS)
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=STORAGE_CRS)


def _budget_record(line, fiche) -> dict:
    c = BUDGET_COLUMNS
    return {c["fiche_ref"]: fiche.ref, c["year"]: line.year, c["kind"]: line.kind, c["direction"]: line.direction,
            c["amount_eur"]: line.amount_eur, c["basis"]: line.basis, c["note"]: line.note, "fiche_id": fiche.id}


def export_source(municipality: Municipality, plan: Plan | None) -> str:
    plan_text = (plan.source or plan.title) if plan else f"de plannen van {municipality.name}"
    return f"Fiches: {plan_text}. {AREA_ATTRIBUTION}."


def build_export_data(session: Session, municipality: Municipality, filters: FicheFilters,
                      base_url: str = "", export_date: dt.datetime | None = None) -> ExportData:
    """What a download holds, from the database: the published fiches that
    match `filters` (drafts never: FicheFilters.include_drafts stays off),
    their phases (own place or the fiche's) and budget lines, the city's
    wijken and wijk indicator values. Frames in EPSG:31370; the columns are
    the public records of app.read.records, the same as in the OGC API."""
    filters.include_drafts = False
    fiches = load_fiche_rows(session, filters)
    phases = [(p, f) for f in fiches for p in f.phases]
    areas = select_areas(session, municipality, "wijk")
    values = list(session.scalars(
        select(IndicatorValue).join(Area).where(Area.municipality_id == municipality.id, Area.level == "wijk")
        .options(selectinload(IndicatorValue.indicator), selectinload(IndicatorValue.area))
        .order_by(IndicatorValue.id)
    ))
    plan = session.scalar(select(Plan).where(Plan.municipality_id == municipality.id).order_by(Plan.id).limit(1))
    budget = [_budget_record(line, f) for f in fiches for line in f.budget_lines]
    return ExportData(
        fiches=_frame(fiche_records(fiches, base_url, wijk_index_of(areas)), FICHE_FIELDS,
                      [f.geom for f in fiches]),
        phases=_frame([phase_record(p, f, base_url) for p, f in phases], PHASE_FIELDS,
                      [p.geom if p.geom is not None else f.geom for p, f in phases]),
        budget_lines=pd.DataFrame.from_records(budget, columns=[*BUDGET_COLUMNS.values(), "fiche_id"]),
        wijken=_frame([area_record(a) for a in areas], AREA_FIELDS, [from_db(a.geom) for a in areas]),
        indicator_values=_frame([indicator_record(v) for v in values], INDICATOR_FIELDS),
        metadata={
            "city_name": municipality.name, "nis_code": municipality.nis_code,
            "source": export_source(municipality, plan),
            "licence": current_app.config.get("EXPORT_LICENCE") or DEFAULT_LICENCE,
            "export_date": export_date or dt.datetime.now(BRUSSELS).replace(microsecond=0, tzinfo=None),
            "filters": {FILTER_LABELS.get(k, k): v for k, v in filters.as_query_args().items()},
            "illustrative_note": ILLUSTRATIVE_NOTE,
        },
    )


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
