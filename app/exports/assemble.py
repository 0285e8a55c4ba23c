"""What a download holds, put together from the read model: the published
fiches matching the map page's filters (app.read.rows), their phases and
budget lines, the city's wijken and wijk indicator values, as the frames and
metadata of app.exports.base.ExportData. The columns are the public records
of app.read.records, the same as in the OGC API.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import geopandas as gpd
import pandas as pd
from sqlalchemy.orm import Session

from ..licences import BOUNDARY_LICENCE
from ..models import Area, Municipality, Plan
from ..read.city_settings import CityProfile, city_profile, city_profiles
from ..read.pages import all_municipalities, cities_real_figures, first_plan, first_plans, wijk_indicator_values
from ..read.queries import FicheFilters
from ..read.records import (
    AREA_FIELDS,
    BUDGET_FIELDS,
    CITY_FIGURE_FIELDS,
    FICHE_FIELDS,
    INDICATOR_FIELDS,
    PHASE_FIELDS,
    area_record,
    budget_keys,
    budget_record,
    city_figure_record,
    fiche_records,
    indicator_record,
    phase_record,
)
from ..read.rows import load_area_rows, load_fiche_rows
from ..read.wijk_budgets import wijk_index_of
from .base import STORAGE_CRS, ExportData, ExportMetadata, paused_gc

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
                 "year_from": "vanaf jaar", "year_to": "tot jaar", "wijk": "wijk", "q": "zoekterm",
                 "bbox": "gebied (bbox in EPSG:31370)"}


def _frame(records: list[dict], fields, geometries=None) -> pd.DataFrame:
    columns = [f.name for f in fields]
    frame = pd.DataFrame.from_records(records, columns=columns)
    if geometries is None:
        return frame
    series = gpd.GeoSeries(geometries, index=frame.index, crs=STORAGE_CRS)
    return gpd.GeoDataFrame(frame, geometry=series, crs=STORAGE_CRS)


def _budget_records(fiches) -> list[dict]:
    return [budget_record(line, f, key) for f in fiches
            for line, key in zip(f.budget_lines, budget_keys(f.ref, f.budget_lines))]


def _plan_text(municipality: Municipality, plan: Plan | None) -> str:
    return (plan.source or plan.title) if plan else f"de plannen van {municipality.name}"


def export_source(municipality: Municipality, plan: Plan | None) -> str:
    return f"Fiches: {_plan_text(municipality, plan)}. {AREA_ATTRIBUTION}."


ALL_CITIES_NAME = "alle steden"
BOUNDARY_LICENCE_TEXT = f"{BOUNDARY_LICENCE.name} ({BOUNDARY_LICENCE.id}, {BOUNDARY_LICENCE.url})"


def _licence_words(profile: CityProfile) -> str | None:
    lic = profile.licence
    return f"{lic.name} ({lic.id}, {lic.url})" if lic else None


def licence_texts(profile: CityProfile) -> dict[str, str]:
    """The licence words of a city's files, from its settings: the licence
    (name, identifier, URL), its URL alone, the boundaries' licence, the contact."""
    words = _licence_words(profile)
    contact = ", ".join(v for v in (profile.contact_name, profile.contact_email, profile.contact_url) if v)
    return {
        "licence": (f"Fiches: {words}; gebiedsgrenzen: {BOUNDARY_LICENCE.name} ({BOUNDARY_LICENCE.url})."
                    if words else DEFAULT_LICENCE),
        "licence_url": profile.licence.url if profile.licence else "",
        "boundary_licence": BOUNDARY_LICENCE_TEXT,
        "contact": contact,
        "title": f"Fichekaart – {profile.display_name}",
    }


def all_cities_licence_texts(profiles: list[CityProfile]) -> dict[str, str]:
    """The all-cities file: each city's licence (the cities choose their own)."""
    per_city = "; ".join(f"{p.display_name}: {_licence_words(p) or 'nog geen licentie gekozen'}" for p in profiles)
    return {
        "licence": f"Fiches, per stad: {per_city}. Gebiedsgrenzen: {BOUNDARY_LICENCE.name} ({BOUNDARY_LICENCE.url}).",
        "licence_url": "", "boundary_licence": BOUNDARY_LICENCE_TEXT, "contact": "",
        "title": f"Fichekaart – {ALL_CITIES_NAME}",
    }


def build_export_data(session: Session, municipality: Municipality | None, filters: FicheFilters,
                      base_url: str = "", export_date: dt.datetime | None = None,
                      licence: str | None = None) -> ExportData:
    """What a download holds, from the database: the published fiches that
    match `filters` (drafts never: FicheFilters.include_drafts stays off),
    their phases (own place or the fiche's) and budget lines, the city's
    wijken, wijk indicator values and real city figures. `municipality` None:
    every city, in the same layout. Frames in EPSG:31370; the columns are
    the public records of app.read.records, the same as in the OGC API."""
    with paused_gc():
        return _build_export_data(session, municipality, filters, base_url, export_date, licence)


def _build_export_data(session: Session, municipality: Municipality | None, filters: FicheFilters,
                       base_url: str, export_date: dt.datetime | None, licence: str | None) -> ExportData:
    filters.include_drafts = False
    cities = [municipality] if municipality is not None else all_municipalities(session)
    # No JIT: PostgreSQL compiled this one statement of every fiche with its
    # children for 1.6 s of its 2.7 s; the app's connections run with jit=off (app.db).
    fiches = load_fiche_rows(session, filters)
    phases = [(p, f) for f in fiches for p in f.phases]
    in_cities = [] if municipality is None else [Area.municipality_id == municipality.id]
    areas = load_area_rows(session, *in_cities, Area.level == "wijk")
    values = wijk_indicator_values(session, cities)
    figures = cities_real_figures(session, cities)
    if municipality is not None:
        name, nis_code = municipality.name, municipality.nis_code
        source = export_source(municipality, first_plan(session, municipality))
        words = licence_texts(city_profile(session, municipality))
    else:
        plans = first_plans(session)
        name, nis_code = ALL_CITIES_NAME, ", ".join(c.nis_code for c in cities)
        source = f"Fiches: {'; '.join(_plan_text(c, plans.get(c.id)) for c in cities)}. {AREA_ATTRIBUTION}."
        words = all_cities_licence_texts(city_profiles(session, cities))
    return ExportData(
        fiches=_frame(fiche_records(fiches, base_url, wijk_index_of(areas)), FICHE_FIELDS,
                      [f.geom for f in fiches]),
        phases=_frame([phase_record(p, f, base_url) for p, f in phases], PHASE_FIELDS,
                      [p.geom if p.geom is not None else f.geom for p, f in phases]),
        budget_lines=_frame(_budget_records(fiches), BUDGET_FIELDS),
        wijken=_frame([area_record(a) for a in areas], AREA_FIELDS, [a.geom for a in areas]),
        indicator_values=_frame([indicator_record(v) for v in values], INDICATOR_FIELDS),
        city_figures=_frame([city_figure_record(v) for v in figures], CITY_FIGURE_FIELDS),
        metadata=ExportMetadata(
            city_name=name, nis_code=nis_code, source=source,
            licence=licence or words["licence"], licence_url=words["licence_url"],
            boundary_licence=words["boundary_licence"], contact=words["contact"], title=words["title"],
            export_date=export_date or dt.datetime.now(BRUSSELS).replace(microsecond=0, tzinfo=None),
            filters={FILTER_LABELS.get(k, k): v for k, v in filters.as_query_args().items()},
            illustrative_note=ILLUSTRATIVE_NOTE,
        ),
    )


