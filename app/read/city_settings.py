"""A city's settings as every page, export and catalogue record reads them:
the stored row (app.models.CitySettings) with the defaults filled in.

Defaults, none of them city-specific: the display name is the municipality's
name; the plan title and period come from the city's first plan; no licence
(the pages and files then say the city has not chosen one); the server's
basemap; the house accent colour; no logo; listed."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..licences import KNOWN_LICENCES, Licence
from ..models import CitySettings, CitySettingsRevision, Municipality, Plan
from .pages import first_plan, first_plans, unlisted_ids  # noqa: F401  (unlisted_ids: re-exported)

DEFAULT_ACCENT = "#0b5cad"   # --accent of app/static/fichekaart.css
BASEMAPS = {"osm": "OpenStreetMap", "grb": "GRB-basiskaart (Digitaal Vlaanderen)", "none": "geen achtergrond"}


@dataclass(frozen=True)
class CityProfile:
    nis_code: str
    slug: str
    name: str                     # the municipality's own name (Herentals)
    display_name: str             # what the city calls itself on its pages (Stad Herentals)
    plan_title: str | None
    plan_period: str | None
    plan_source: str | None
    licence: Licence | None
    contact_name: str | None
    contact_email: str | None
    contact_url: str | None
    basemap: str | None           # a key of BASEMAPS, or None: the server's default
    accent_colour: str
    logo_type: str | None         # set when the city has a logo
    logo_version: int             # changes with every save: part of the logo's URL, so caches refresh
    listed: bool
    source_note: str | None

    @property
    def has_contact(self) -> bool:
        return bool(self.contact_name or self.contact_email or self.contact_url)


def settings_row(session: Session, municipality: Municipality) -> CitySettings | None:
    return session.scalar(select(CitySettings).where(CitySettings.municipality_id == municipality.id))


def licence_of(row: CitySettings | None) -> Licence | None:
    if row is None or not row.licence_id:
        return None
    known = KNOWN_LICENCES.get(row.licence_id)
    return known or Licence(row.licence_id, row.licence_name or row.licence_id, row.licence_url or "")


def city_profile(session: Session, municipality: Municipality) -> CityProfile:
    """The settings of one city, defaults filled in (two small queries)."""
    return _profile(municipality, settings_row(session, municipality), first_plan(session, municipality))


def city_profiles(session: Session, municipalities: list[Municipality]) -> list[CityProfile]:
    """city_profile of each municipality, in two queries whatever their number
    (the all-cities download names every city's licence)."""
    rows = {row.municipality_id: row for row in session.scalars(
        select(CitySettings).where(CitySettings.municipality_id.in_([m.id for m in municipalities])))}
    plans = first_plans(session)
    return [_profile(m, rows.get(m.id), plans.get(m.id)) for m in municipalities]


def _profile(municipality: Municipality, row: CitySettings | None, plan: Plan | None) -> CityProfile:
    def value(name: str) -> str | None:
        return getattr(row, name) or None if row is not None else None

    return CityProfile(
        nis_code=municipality.nis_code, slug=municipality.slug, name=municipality.name,
        display_name=value("display_name") or municipality.name,
        plan_title=plan.title if plan else None, plan_period=plan.period if plan else None,
        plan_source=plan.source if plan else None,
        licence=licence_of(row),
        contact_name=value("contact_name"), contact_email=value("contact_email"), contact_url=value("contact_url"),
        basemap=value("basemap") if value("basemap") in BASEMAPS else None,
        accent_colour=value("accent_colour") or DEFAULT_ACCENT,
        logo_type=row.logo_type if row is not None and row.logo else None,
        logo_version=row.version if row is not None else 0,
        listed=row.listed if row is not None else True,
        source_note=value("source_note"),
    )


def city_logo(session: Session, municipality: Municipality) -> tuple[bytes, str] | None:
    row = settings_row(session, municipality)
    return (row.logo, row.logo_type or "application/octet-stream") if row is not None and row.logo else None


def settings_history(session: Session, municipality: Municipality) -> list[CitySettingsRevision]:
    """The recorded changes of a city's settings, newest first."""
    return list(session.scalars(select(CitySettingsRevision)
                                .where(CitySettingsRevision.municipality_id == municipality.id)
                                .order_by(CitySettingsRevision.id.desc())))
