"""The licences of the API's documents, machine-readable (issue 11): links
with rel=license on the landing page, every collection, items and item,
info.license in the OpenAPI document, and where the catalogue records are.

- fiches-<slug>: the city's licence (its settings), when it chose one;
- wijken, indicatoren-wijken: Statbel's licence of the boundaries;
- fasen (all cities): every city's licence, and the boundaries' licence;
- the landing page and the OpenAPI document: every licence in use."""
from __future__ import annotations

from flask import g, url_for
from sqlalchemy import select

from ..db import get_session
from ..http.kept import kept
from ..licences import BOUNDARY_LICENCE, Licence
from ..models import CitySettings, Municipality
from ..read.city_settings import licence_of
from .base import Collection

LICENSE_TYPE = "text/html"


def _licences_by_city() -> dict[int, Licence]:
    """{municipality id: its licence}: the collections list asks for every
    city, and an items page for one, so it is read once per data version
    (a settings change bumps it), not once per city or per page."""
    if "city_licences" not in g:  # the collections list asks once per collection: once per request
        session = get_session()
        g.city_licences = kept(session, ("city licences",), lambda: _read_licences(session))
    return g.city_licences


def _read_licences(session) -> dict[int, Licence]:
    stmt = select(CitySettings).where(CitySettings.licence_id.is_not(None)).order_by(CitySettings.municipality_id)
    return {row.municipality_id: lic for row in session.scalars(stmt)
            if (lic := licence_of(row)) is not None and lic.url}


def _city_licences(municipality_id: int | None = None) -> list[Licence]:
    """The licence of one city, or every distinct city licence (None)."""
    by_city = _licences_by_city()
    if municipality_id is not None:
        return [by_city[municipality_id]] if municipality_id in by_city else []
    return list({lic.url: lic for lic in by_city.values()}.values())


def collection_licences(c: Collection) -> list[Licence]:
    municipality: Municipality | None = getattr(c, "municipality", None)
    if municipality is not None:
        return _city_licences(municipality.id)
    if c.id in ("wijken", "indicatoren-wijken"):
        return [BOUNDARY_LICENCE]
    return [*_city_licences(), BOUNDARY_LICENCE]


def all_licences() -> list[Licence]:
    return [*_city_licences(), BOUNDARY_LICENCE]


def licence_links(licences: list[Licence]) -> list[dict]:
    return [{"href": lic.url, "rel": "license", "type": LICENSE_TYPE, "title": f"{lic.name} ({lic.id})"}
            for lic in licences]


def catalogue_links() -> list[dict]:
    return [
        {"href": url_for("catalogue.turtle", _external=True), "rel": "describedby", "type": "text/turtle",
         "title": "Catalogus (DCAT-AP, Turtle)"},
        {"href": url_for("catalogue.jsonld", _external=True), "rel": "describedby", "type": "application/ld+json",
         "title": "Catalogus (DCAT-AP, JSON-LD)"},
    ]


# The ISO record's link names its profile in the type (the record itself is
# served as application/xml): GDAL's OAPIF driver takes any describedby link
# of type application/xml for the collection's GML application schema (XSD),
# and reading the ISO record as one it dropped the JSON schema, typing fields
# from the first page (String where that page had no value).
ISO_19139_TYPE = "application/vnd.iso.19139+xml"


def collection_metadata_links(c: Collection) -> list[dict]:
    """The licences, and the ISO 19139 record of the data set when it has one."""
    municipality: Municipality | None = getattr(c, "municipality", None)
    links = licence_links(collection_licences(c))
    if municipality is not None:
        links.append({"href": url_for("catalogue.city_record", slug=municipality.slug, _external=True),
                      "rel": "describedby", "type": ISO_19139_TYPE, "title": "Metadata (ISO 19139)"})
    elif c.id == "wijken":
        links.append({"href": url_for("catalogue.boundaries_record", _external=True), "rel": "describedby",
                      "type": ISO_19139_TYPE, "title": "Metadata (ISO 19139)"})
    return links


def openapi_licence() -> dict:
    """info.license: the one licence of the data when all share it, else a
    pointer to the catalogue, which names the licence of each data set."""
    licences = all_licences()
    if len(licences) == 1:
        return {"name": licences[0].name, "url": licences[0].url}
    return {"name": "Verschillend per collectie (zie de links rel=license en de catalogus): "
                    + "; ".join(lic.name for lic in licences),
            "url": url_for("catalogue.jsonld", _external=True)}
