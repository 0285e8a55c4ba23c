"""What the catalogue records (app/catalogue: DCAT-AP and ISO 19139) say
about the data sets, from the database: one data set per listed city (its
published project fiches) and one for the boundaries of the wijken. Plain
dataclasses out, bounding boxes in WGS 84 (lon/lat), no URLs (the view adds
them)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import shapely
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from ..crs import STORAGE_EPSG, transform
from ..licences import BOUNDARY_ATTRIBUTION, BOUNDARY_LICENCE, Licence
from ..models import Area, Fiche, Municipality
from ..spatial import extent
from .city_settings import CityProfile, city_profile, unlisted_ids
from .queries import FicheFilters, fiche_conditions
from .version import read_data_version

PUBLISHER = "Fichekaart"
BOUNDARIES_ID = "wijken"


@dataclass
class DatasetRecord:
    identifier: str                 # also the OGC API collection id
    title: str
    description: str
    lineage: str
    licence: Licence | None
    publisher: str
    contact_name: str | None
    contact_email: str | None
    contact_url: str | None
    bbox: tuple[float, float, float, float] | None   # WGS 84: min lon, min lat, max lon, max lat
    modified: dt.date
    keywords: list[str] = field(default_factory=list)
    slug: str | None = None         # the city of a fiche data set (its downloads and pages)
    count: int = 0


def _wgs84(box: tuple[float, float, float, float] | None) -> tuple[float, float, float, float] | None:
    if box is None:
        return None
    x1, y1, x2, y2 = transform(shapely.box(*box).segmentize(1000.0), STORAGE_EPSG, 4326).bounds
    return round(x1, 6), round(y1, 6), round(x2, 6), round(y2, 6)


def city_dataset(session: Session, municipality: Municipality, profile: CityProfile | None = None,
                 modified: dt.date | None = None) -> DatasetRecord:
    profile = profile or city_profile(session, municipality)
    count = session.scalar(select(func.count(Fiche.id)).where(
        *fiche_conditions(session, FicheFilters(municipality=municipality.nis_code))))
    box = extent(session, Area.geom, and_(Area.municipality_id == municipality.id, Area.level == "gemeente"))
    period = profile.plan_period or ""
    period = period if period not in (profile.plan_title or "") else ""
    plan = f"{profile.plan_title}{f' ({period})' if period else ''}"
    return DatasetRecord(
        identifier=f"fiches-{municipality.slug}",
        title=f"Projectfiches {profile.display_name}",
        description=(f"De gepubliceerde projecten van {profile.display_name}"
                     f"{f' uit {plan}' if profile.plan_title else ''}: per fiche de titel, de samenvatting, "
                     "de status, de fasen, de budgetten en de ligging (punt, lijn of vlak, exact of indicatief). "
                     "Waarden gemarkeerd als illustratief zijn voorbeeldwaarden, geen beslissingen of metingen."),
        lineage=(f"Teksten overgenomen uit {profile.plan_source or profile.plan_title or 'de plannen van de stad'}; "
                 "liggingen door de stad getekend of ingevoerd in Fichekaart (EPSG:31370), gebiedsgrenzen: "
                 f"{BOUNDARY_ATTRIBUTION}."),
        licence=profile.licence, publisher=profile.display_name, contact_name=profile.contact_name,
        contact_email=profile.contact_email, contact_url=profile.contact_url, bbox=_wgs84(box),
        modified=modified or dt.date.today(), keywords=["projectfiches", "meerjarenplan", municipality.name],
        slug=municipality.slug, count=count or 0,
    )


def boundaries_dataset(session: Session, modified: dt.date | None = None) -> DatasetRecord:
    listed = _listed(session)
    box = extent(session, Area.geom, and_(Area.level == "wijk", Area.municipality_id.in_([m.id for m in listed])))
    return DatasetRecord(
        identifier=BOUNDARIES_ID, title="Wijken",
        description=("De wijken van de steden in Fichekaart: de indeling die elke stad voor haar statistieken "
                     "gebruikt (groepen van statistische sectoren), met code en naam."),
        lineage=(f"{BOUNDARY_ATTRIBUTION} (gebiedsniveaus 2024, vereenvoudigd voor online gebruik, op basis van "
                 "de open data van Statbel); ongewijzigd overgenomen, opgeslagen in EPSG:31370."),
        licence=BOUNDARY_LICENCE, publisher="Statbel, Provincies in Cijfers", contact_name=None,
        contact_email=None, contact_url=None, bbox=_wgs84(box), modified=modified or dt.date.today(),
        keywords=["wijken", "statistische sectoren", "gebiedsgrenzen"],
    )


def _listed(session: Session) -> list[Municipality]:
    hidden = unlisted_ids(session)
    return [m for m in session.scalars(select(Municipality).order_by(Municipality.name)) if m.id not in hidden]


def catalogue_datasets(session: Session) -> list[DatasetRecord]:
    """Every listed city's fiche data set, then the boundaries."""
    _, changed = read_data_version(session)
    modified = changed.date() if changed else dt.date.today()
    return [*(city_dataset(session, m, modified=modified) for m in _listed(session)),
            boundaries_dataset(session, modified)]
