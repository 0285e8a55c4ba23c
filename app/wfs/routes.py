"""The WFS blueprint: one URL, /wfs, the operation in REQUEST=."""
from __future__ import annotations

from flask import Blueprint, Response, request

from ..db import get_session
from ..http.page_cache import cached_page
from ..ogcapi.errors import ApiError
from . import documents, params
from .errors import WfsError
from .feature_types import FeatureType, feature_type, feature_types
from .xml import GML32_TYPE, XML_TYPE, to_bytes

bp = Blueprint("wfs", __name__, url_prefix="/wfs")


def service_url() -> str:
    return request.host_url.rstrip("/") + "/wfs"


@bp.errorhandler(WfsError)
def wfs_error(exc: WfsError):
    return Response(exc.report(), status=exc.status, content_type=XML_TYPE)


@bp.errorhandler(ApiError)
def read_error(exc: ApiError):
    """A parameter the shared read side refused (app.ogcapi): the same text, as a WFS exception report."""
    return wfs_error(WfsError(exc.description))


@bp.get("", strict_slashes=False)
@cached_page  # GDAL asks for the capabilities at every open; kept per data version like /ogc's items
def wfs():
    wfs_request = params.request_of(request.args)
    return OPERATIONS[wfs_request.operation](wfs_request.params)


def get_capabilities(kvp: dict[str, str]) -> Response:
    session = get_session()
    return Response(to_bytes(documents.capabilities(session, feature_types(session), service_url())),
                    content_type=XML_TYPE)


def _types(names: list[str]) -> list[FeatureType]:
    session = get_session()
    if not names:
        return feature_types(session)
    found = []
    for name in names:
        t = feature_type(session, name)
        if t is None:
            raise WfsError(f"Feature type '{name[:80]}' bestaat niet. Zie GetCapabilities voor de lijst.",
                           "InvalidParameterValue", "typeNames")
        found.append(t)
    return found


def describe_feature_type(kvp: dict[str, str]) -> Response:
    types = _types(params.type_names(kvp, required=False))
    fmt = kvp.get("OUTPUTFORMAT")
    if fmt is not None and "xml" not in fmt.lower() and "gml" not in fmt.lower():
        raise WfsError("DescribeFeatureType geeft enkel een XML-schema (GML 3.2).", "InvalidParameterValue",
                       "outputFormat")
    return Response(to_bytes(documents.schema(types)), content_type=XML_TYPE)


def get_feature(kvp: dict[str, str]) -> Response:
    asked = params.get_feature(kvp)
    (t,) = _types([asked.type_name])
    session, base = get_session(), request.host_url.rstrip("/")
    if asked.hits:
        return Response(to_bytes(documents.hits(t.hits(session, asked.query, base))), content_type=GML32_TYPE)
    page = t.page(session, asked.query, base)
    next_page = documents.next_url(service_url(), dict(request.args.items(multi=False)), asked, page)
    if asked.format == "json":
        return Response(documents.geojson(page, asked, next_page), content_type=params.JSON)
    describe = f"{service_url()}?SERVICE=WFS&VERSION=2.0.0&REQUEST=DescribeFeatureType&TYPENAMES=fk:{t.name}"
    return Response(to_bytes(documents.feature_collection(t, page, asked, describe, next_page)),
                    content_type=GML32_TYPE)


OPERATIONS = {"GetCapabilities": get_capabilities, "DescribeFeatureType": describe_feature_type,
              "GetFeature": get_feature}
