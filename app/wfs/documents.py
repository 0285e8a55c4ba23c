"""The WFS answers as lxml trees (capabilities, schema, features in GML
3.2) or GeoJSON; the data comes from feature_types, the CRS names from
params."""
from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlencode

import numpy as np
import orjson
import shapely
from sqlalchemy.orm import Session

from ..crs import STORAGE_EPSG, from_storage, transform
from ..ogcapi.base import Page
from ..read.features import to_features
from . import gml
from .feature_types import FeatureType, extents
from .params import GML, JSON, MAX_LIMIT, VERSIONS, GetFeature
from .xml import FES, FK, FK_NS, FK_PREFIX, OWS, WFS, XLINK_NS, XSD, XSI_NS, qname, xml_text

TITLE = "Fichekaart WFS: projectfiches, fasen en wijken"
ABSTRACT = (
    "De gepubliceerde projectfiches van de steden, hun fasen en de wijken, per stad en per geometrietype "
    "(punten, lijnen, vlakken), in Belgische Lambert 72 (EPSG:31370), Lambert 2008 (EPSG:3812) of WGS 84. "
    "Dezelfde gegevens als de OGC API - Features op /ogc. Budgetten, fasen en SDG's zijn in deze demo deels "
    "illustratief: zie de velden illustratief."
)
OTHER_CRS = ("urn:ogc:def:crs:EPSG::3812", "urn:ogc:def:crs:EPSG::4326")
XSD_TYPES = {"string": "string", "integer": "int", "number": "double", "boolean": "boolean", "date": "date",
             "datetime": "dateTime"}
GEOMETRY_PROPERTY = "geometrie"
_NOT_NCNAME = re.compile(r"[^A-Za-z0-9_.-]")


def _constraint(name: str, value: str):
    return OWS.Constraint(OWS.NoValues(), OWS.DefaultValue(value), name=name)


def _operation(name: str, url: str):
    return OWS.Operation(OWS.DCP(OWS.HTTP(OWS.Get(**{qname(XLINK_NS, "href"): url + "?"}))), name=name)


def _wgs84_box(box):
    if box is None:
        return None
    lon1, lat1, lon2, lat2 = transform(shapely.box(*box), STORAGE_EPSG, 4326).bounds
    return OWS.WGS84BoundingBox(OWS.LowerCorner(f"{lon1:.6f} {lat1:.6f}"), OWS.UpperCorner(f"{lon2:.6f} {lat2:.6f}"))


def capabilities(session: Session, types: list[FeatureType], url: str):
    operations = OWS.OperationsMetadata(
        *(_operation(name, url) for name in ("GetCapabilities", "DescribeFeatureType", "GetFeature")),
        OWS.Parameter(OWS.AllowedValues(*(OWS.Value(v) for v in VERSIONS)), name="version"),
        OWS.Parameter(OWS.AllowedValues(*(OWS.Value(v) for v in (GML, JSON))), name="outputFormat"),
        *(_constraint(name, "FALSE") for name in (
            "ImplementsBasicWFS", "ImplementsTransactionalWFS", "ImplementsLockingWFS", "XMLEncoding",
            "SOAPEncoding", "ImplementsInheritance", "ImplementsRemoteResolve",
            "ImplementsStandardJoins", "ImplementsSpatialJoins", "ImplementsTemporalJoins",
            "ImplementsFeatureVersioning", "ManageStoredQueries")),
        _constraint("KVPEncoding", "TRUE"),
        _constraint("ImplementsResultPaging", "TRUE"),
        _constraint("CountDefault", str(MAX_LIMIT)),
    )
    feature_list, boxes = WFS.FeatureTypeList(), extents(session)
    for t in types:
        element = WFS.FeatureType(
            WFS.Name(f"{FK_PREFIX}:{t.name}"), WFS.Title(t.title), WFS.Abstract(t.abstract),
            WFS.DefaultCRS("urn:ogc:def:crs:EPSG::31370"), *(WFS.OtherCRS(c) for c in OTHER_CRS),
            WFS.OutputFormats(WFS.Format(GML), WFS.Format(JSON)),
        )
        box = _wgs84_box(boxes.get(t.name))
        if box is not None:
            element.append(box)
        feature_list.append(element)
    filters = FES.Filter_Capabilities(
        FES.Conformance(*(_fes_constraint(name, "FALSE") for name in (
            "ImplementsQuery", "ImplementsAdHocQuery", "ImplementsFunctions", "ImplementsMinStandardFilter",
            "ImplementsStandardFilter", "ImplementsSpatialFilter",
            "ImplementsMinTemporalFilter", "ImplementsTemporalFilter", "ImplementsVersionNav", "ImplementsSorting",
            "ImplementsExtendedOperators", "ImplementsResourceId")),
            _fes_constraint("ImplementsMinSpatialFilter", "TRUE")),
        # a BBOX filter on the geometry, the one filter we read (fes.py)
        FES.Spatial_Capabilities(
            FES.GeometryOperands(FES.GeometryOperand(name="gml:Envelope")),
            FES.SpatialOperators(FES.SpatialOperator(name="BBOX")),
        ),
    )
    return WFS.WFS_Capabilities(
        OWS.ServiceIdentification(
            OWS.Title(TITLE), OWS.Abstract(ABSTRACT), OWS.ServiceType("WFS"),
            *(OWS.ServiceTypeVersion(v) for v in VERSIONS), OWS.Fees("geen"), OWS.AccessConstraints("geen"),
        ),
        OWS.ServiceProvider(OWS.ProviderName("Fichekaart")),
        operations, feature_list, filters, version="2.0.0",
    )


def _fes_constraint(name: str, value: str):
    return FES.Constraint(FES.NoValues(), FES.DefaultValue(value), name=name)


# -- DescribeFeatureType ----------------------------------------------------------

def schema(types: list[FeatureType]):
    """The XSD of the types: a gml:AbstractFeatureType with the geometry
    (its Multi property type) and the /ogc fields, each optional."""
    root = XSD.schema(
        XSD("import", namespace="http://www.opengis.net/gml/3.2",
            schemaLocation="http://schemas.opengis.net/gml/3.2.1/gml.xsd"),
        targetNamespace=FK_NS, elementFormDefault="qualified", version="1.0",
    )
    for t in types:
        sequence = XSD.sequence(XSD.element(name=GEOMETRY_PROPERTY, type=f"gml:{t.shape.gml_type}",
                                            minOccurs="0", maxOccurs="1"))
        for field in t.fields:
            if field.type == "geometry":  # the feature's geometry is the element above
                continue
            sequence.append(XSD.element(name=field.name, type=f"xsd:{XSD_TYPES[field.type]}", minOccurs="0",
                                        maxOccurs="1", nillable="true"))
        root.append(XSD.complexType(XSD.complexContent(XSD.extension(sequence, base="gml:AbstractFeatureType")),
                                    name=f"{t.name}Type"))
        root.append(XSD.element(name=t.name, type=f"{FK_PREFIX}:{t.name}Type",
                                substitutionGroup="gml:AbstractFeature"))
    return root


# -- GetFeature ---------------------------------------------------------------------

def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return xml_text(str(value))


def _gml_id(type_name: str, feature_id) -> str:
    return f"{type_name}.{_NOT_NCNAME.sub('_', str(feature_id))}"


def _timestamp() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def next_url(url: str, params: dict[str, str], request: GetFeature, page: Page) -> str | None:
    start = request.query.offset + len(page.ids)
    if not page.ids or start >= page.matched:
        return None
    kept = {k: v for k, v in params.items() if k.upper() != "STARTINDEX"}  # names are case-insensitive
    return f"{url}?{urlencode({**kept, 'STARTINDEX': str(start)})}"


def hits(count: int):
    return WFS.FeatureCollection(timeStamp=_timestamp(), numberMatched=str(count), numberReturned="0")


def _output_geometries(geoms, request: GetFeature):
    """Storage geometries -> the answer's CRS, rounded, in its axis order."""
    shapes = from_storage(np.asarray(geoms, dtype=object), request.srs.crs.epsg)
    if request.srs.crs.lat_first and len(shapes):
        shapes = shapely.transform(shapes, lambda xy: xy[:, ::-1])
    return shapes


def feature_collection(t: FeatureType, page: Page, request: GetFeature, describe_url: str, next_page: str | None):
    collection = WFS.FeatureCollection(
        timeStamp=_timestamp(), numberMatched=str(page.matched), numberReturned=str(len(page.ids)),
        **{qname(XSI_NS, "schemaLocation"): f"{FK_NS} {describe_url}"},
    )
    if next_page:
        collection.set("next", next_page)
    for feature_id, geom, record in zip(page.ids, _output_geometries(page.geoms, request), page.records):
        gid = _gml_id(t.name, feature_id)
        feature = FK(t.name, **{gml.GML_ID: gid})
        if geom is not None:
            feature.append(FK(GEOMETRY_PROPERTY, gml.geometry(geom, f"{gid}.g", request.srs.name)))
        for field in t.fields:
            value = record.get(field.name)
            if value is not None:
                feature.append(FK(field.name, _text(value)))
        collection.append(WFS.member(feature))
    return collection


def geojson(page: Page, request: GetFeature, next_page: str | None) -> bytes:
    """The page as a GeoJSON FeatureCollection (the /ogc features' writer),
    in the answer's CRS and axis order."""
    doc = to_features(page.geoms, page.records, page.ids, crs=request.srs.crs.epsg,
                      lat_first=request.srs.crs.lat_first, embed=True)
    doc.update(numberMatched=page.matched, numberReturned=len(page.ids), timeStamp=_timestamp(),
               crs={"type": "name", "properties": {"name": request.srs.name}})
    if next_page:
        doc["links"] = [{"rel": "next", "href": next_page, "type": JSON}]
    return orjson.dumps(doc)


__all__ = ["capabilities", "feature_collection", "geojson", "hits", "next_url", "schema"]
