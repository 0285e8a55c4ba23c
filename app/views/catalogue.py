"""Catalogue records (issue 11): the whole catalogue in DCAT-AP
(/catalogus.ttl, /catalogus.jsonld) and one ISO 19139 record per data set
(/<slug>/metadata.xml for a city's fiches, /catalogus/wijken.xml for the
boundaries). Unlisted cities are left out of the catalogue; their own
record stays reachable by URL, like their pages."""
from __future__ import annotations

from flask import Blueprint, Response, url_for

from ..catalogue.dcat import DatasetLinks, as_jsonld, as_turtle, catalogue_graph
from ..catalogue.iso19139 import iso_record
from ..db import get_session
from ..read.catalogue import BOUNDARIES_ID, DatasetRecord, boundaries_dataset, catalogue_datasets, city_dataset
from . import city_or_404

bp = Blueprint("catalogue", __name__)
DOWNLOADS = {"GPKG": "gpkg", "GEOJSON": "geojson"}


def _links(record: DatasetRecord) -> DatasetLinks:
    if record.slug:
        return DatasetLinks(
            collection=url_for("ogcapi.collection", collection_id=record.identifier, _external=True),
            landing_page=url_for("city.map", slug=record.slug, _external=True),
            downloads={code: url_for("downloads.download", slug=record.slug, fmt=fmt, _external=True)
                       for code, fmt in DOWNLOADS.items()},
            iso_record=url_for("catalogue.city_record", slug=record.slug, _external=True))
    return DatasetLinks(collection=url_for("ogcapi.collection", collection_id=record.identifier, _external=True),
                        landing_page=None, downloads={},
                        iso_record=url_for("catalogue.boundaries_record", _external=True))


def _graph():
    records = catalogue_datasets(get_session())
    return catalogue_graph(
        [(r, _links(r)) for r in records], catalogue_url=url_for("catalogue.turtle", _external=True),
        service_url=url_for("ogcapi.landing", _external=True),
        openapi_url=url_for("ogcapi.openapi", f="json", _external=True),
        home_url=url_for("public.index", _external=True))


@bp.get("/catalogus.ttl")
def turtle():
    return Response(as_turtle(_graph()), content_type="text/turtle; charset=utf-8")


@bp.get("/catalogus.jsonld")
def jsonld():
    return Response(as_jsonld(_graph()), content_type="application/ld+json")


def _iso_response(record: DatasetRecord) -> Response:
    links = _links(record)
    online = [(links.collection, "OGC:API-Features", "OGC API - Features collectie")]
    online += [(url, "WWW:DOWNLOAD-1.0-http--download", f"Download ({code})") for code, url in links.downloads.items()]
    return Response(iso_record(record, online=online), content_type="application/xml; charset=utf-8")


@bp.get("/<slug>/metadata.xml")
def city_record(slug: str):
    return _iso_response(city_dataset(get_session(), city_or_404(slug)))


@bp.get(f"/catalogus/{BOUNDARIES_ID}.xml")
def boundaries_record():
    return _iso_response(boundaries_dataset(get_session()))
