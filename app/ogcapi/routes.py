"""Routes of the OGC API - Features blueprint (/ogc): parse, query, answer.
One line each; the work is in params, collections, documents, openapi and
html."""
from __future__ import annotations

import orjson
from flask import Blueprint, Response, request

from ..db import get_session
from ..http.caching import revalidated
from ..http.page_cache import cached_page
from . import documents, html
from . import openapi as openapi_doc
from .base import Collection, Page
from .collections import all_collections, get_collection
from .errors import ApiError
from .params import ITEM_PARAMS, SupportedCrs, check_known, items_query, negotiate, parse_crs

bp = Blueprint("ogcapi", __name__, url_prefix="/ogc")


def respond(doc: dict, template: str, media_type: str = documents.JSON, crs: SupportedCrs | None = None,
            collection: Collection | None = None, allowed: set[str] | None = None,
            page: Page | None = None) -> Response:
    """The document as JSON (media_type) or as an HTML page, by f= or Accept
    (`page`: the features, for the page's map)."""
    if allowed is not None:
        check_known(request.args, allowed)
    if negotiate(request.args, request.accept_mimetypes, media_type) == "html":
        response = Response(html.render(template, doc, collection, page), content_type="text/html; charset=utf-8")
    else:
        response = Response(orjson.dumps(doc), content_type=media_type)
    if crs is not None:
        response.headers["Content-Crs"] = crs.header
    return response


def base_url() -> str:
    return request.host_url.rstrip("/")


@bp.errorhandler(ApiError)
def api_error(exc: ApiError):
    try:
        wants_html = negotiate(request.args, request.accept_mimetypes) == "html"
    except ApiError:
        wants_html = False
    if wants_html:
        return html.error_page(exc.status, exc.description), exc.status
    return Response(orjson.dumps(exc.as_json()), status=exc.status, content_type=documents.JSON)


@bp.get("/", strict_slashes=False)
@revalidated
def landing():
    return respond(documents.landing(), "landing", allowed={"f"})


@bp.get("/conformance")
@revalidated
def conformance():
    return respond(documents.conformance(), "conformance", allowed={"f"})


@bp.get("/openapi")
@revalidated
def openapi():
    return respond(openapi_doc.document(all_collections(get_session())), "openapi", documents.OPENAPI, allowed={"f"})


@bp.get("/collections")
@revalidated
def collections():
    return respond(documents.collections(get_session(), all_collections(get_session())), "collections", allowed={"f"})


@bp.get("/collections/<collection_id>")
@revalidated
def collection(collection_id: str):
    c = get_collection(get_session(), collection_id)
    return respond(documents.collection(get_session(), c), "collection", collection=c, allowed={"f"})


@bp.get("/collections/<collection_id>/queryables")
@revalidated
def queryables(collection_id: str):
    c = get_collection(get_session(), collection_id)
    return respond(documents.queryables(c), "queryables", documents.SCHEMA, collection=c, allowed={"f"})


@bp.get("/collections/<collection_id>/schema")
@revalidated
def schema(collection_id: str):
    c = get_collection(get_session(), collection_id)
    return respond(documents.schema(c), "queryables", documents.SCHEMA, collection=c, allowed={"f"})


@bp.get("/collections/<collection_id>/items")
@revalidated
@cached_page
def items(collection_id: str):
    c = get_collection(get_session(), collection_id)
    query = items_query(request.args, c.fields, c.extra_filters, c.temporal, c.sortable)
    page = documents.only_properties(c.items(get_session(), query, base_url()), query.properties)
    return respond(documents.items(c, page, query), "items", documents.GEOJSON, query.crs, c, page=page)


@bp.get("/collections/<collection_id>/items/<feature_id>")
@revalidated
@cached_page
def item(collection_id: str, feature_id: str):
    check_known(request.args, ITEM_PARAMS)
    c, crs = get_collection(get_session(), collection_id), parse_crs(request.args.get("crs"))
    page = c.item(get_session(), feature_id, base_url())
    return respond(documents.item(c, page, crs), "item", documents.GEOJSON, crs, c, page=page)
