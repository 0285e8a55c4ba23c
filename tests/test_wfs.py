"""WFS 2.0 (/wfs) through the Flask test client, on both databases: the
documents, every feature type's features against the database, hits,
paging, BBOX, srsName and axis order, GeoJSON, drafts, and exception
reports for bad requests."""
from __future__ import annotations

from urllib.parse import quote

import pytest
import shapely
from lxml import etree
from pyproj import Transformer
from wfs_helpers import FK, GML, OWS, WFS, draft_ids, expected_features

from app.crs import transform
from app.models import Fiche

BASE = "/wfs?SERVICE=WFS&VERSION=2.0.0"
GROTE_MARKT_31370 = (182_400, 207_200, 183_000, 207_800)


def xml(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.get_data(as_text=True)[:800])
    return etree.fromstring(response.data)


def get_feature(client, type_name, extra=""):
    return xml(client, f"{BASE}&REQUEST=GetFeature&TYPENAMES=fk:{type_name}{extra}")


def members(doc):
    return [m[0] for m in doc.iter(f"{WFS}member")]


def feature_id(feature) -> str:
    return feature.get(f"{GML}id").split(".", 1)[1]


def coordinates(geometry) -> list[tuple[float, float]]:
    texts = [e.text for e in geometry.iter(f"{GML}pos", f"{GML}posList")]
    numbers = [float(v) for t in texts for v in t.split()]
    return list(zip(numbers[::2], numbers[1::2]))


@pytest.fixture(scope="module")
def expected(app):
    from app.db import get_session

    with app.app_context():
        return expected_features(get_session())


def test_capabilities_list_every_type_with_one_geometry_type(client, expected):
    doc = xml(client, "/wfs?SERVICE=WFS&REQUEST=GetCapabilities")
    assert doc.tag == f"{WFS}WFS_Capabilities" and doc.get("version") == "2.0.0"
    names = [e.text for e in doc.iter(f"{WFS}Name")]
    assert sorted(names) == sorted(f"fk:{n}" for n in expected)
    assert "fk:fiches-herentals-punten" in names and "fk:fasen-halle-vlakken" in names
    feature_type = next(e for e in doc.iter(f"{WFS}FeatureType") if e.findtext(f"{WFS}Name") == "fk:wijken")
    assert feature_type.findtext(f"{WFS}DefaultCRS") == "urn:ogc:def:crs:EPSG::31370"
    assert [e.text for e in feature_type.iter(f"{WFS}OtherCRS")] == ["urn:ogc:def:crs:EPSG::3812",
                                                                      "urn:ogc:def:crs:EPSG::4326"]
    lower = feature_type.find(f"{OWS}WGS84BoundingBox/{OWS}LowerCorner").text.split()
    assert 2.5 < float(lower[0]) < 6.5 and 49.5 < float(lower[1]) < 51.6  # lon lat, in Belgium
    for element in doc.iter(f"{WFS}FeatureType"):  # each type's own box, from the database's geometries
        stored = expected[element.findtext(f"{WFS}Name").removeprefix("fk:")]
        box = element.find(f"{OWS}WGS84BoundingBox")
        if not stored:
            assert box is None
            continue
        bounds = shapely.GeometryCollection(list(stored.values())).bounds
        want = transform(shapely.box(*bounds), 31370, 4326).bounds
        got = [float(v) for corner in ("LowerCorner", "UpperCorner") for v in box.findtext(f"{OWS}{corner}").split()]
        assert got == pytest.approx(want, abs=2e-6)
    paging = next(e for e in doc.iter(f"{OWS}Constraint") if e.get("name") == "ImplementsResultPaging")
    assert paging.findtext(f"{OWS}DefaultValue") == "TRUE"


def test_describe_feature_type_gives_the_multi_geometry_and_the_fields(client):
    doc = xml(client, f"{BASE}&REQUEST=DescribeFeatureType&TYPENAMES=fk:fiches-herentals-lijnen,fk:wijken")
    xsd = "{http://www.w3.org/2001/XMLSchema}"
    assert doc.get("targetNamespace") == "urn:fichekaart:wfs"
    types = {t.get("name"): t for t in doc.iter(f"{xsd}complexType")}
    assert set(types) == {"fiches-herentals-lijnenType", "wijkenType"}
    fields = {e.get("name"): e.get("type") for e in types["fiches-herentals-lijnenType"].iter(f"{xsd}element")}
    assert fields["geometrie"] == "gml:MultiCurvePropertyType"
    assert fields["ref"] == "xsd:string" and fields["prioritair"] == "xsd:boolean" and fields["id"] == "xsd:int"
    assert "interne_opmerking" not in fields  # staff only
    wijk_fields = {e.get("name"): e.get("type") for e in types["wijkenType"].iter(f"{xsd}element")}
    assert wijk_fields["geometrie"] == "gml:MultiSurfacePropertyType"
    every = xml(client, f"{BASE}&REQUEST=DescribeFeatureType")
    assert len(list(every.iter(f"{xsd}complexType"))) == len(xml(
        client, "/wfs?SERVICE=WFS&REQUEST=GetCapabilities").findall(f".//{WFS}FeatureType"))


def test_every_type_holds_the_database_features_in_lambert72(client, expected):
    multi = {"punten": "MultiPoint", "lijnen": "MultiCurve", "vlakken": "MultiSurface", "wijken": "MultiSurface"}
    nonempty = 0
    for name, stored in expected.items():
        doc = get_feature(client, name)
        assert doc.get("numberMatched") == str(len(stored)) == doc.get("numberReturned"), name
        features = members(doc)
        assert {feature_id(f) for f in features} == {str(k) for k in stored}, name
        for feature in features:
            geometry = feature.find(f"{FK}geometrie")[0]
            assert geometry.tag == GML + multi[name.rsplit("-", 1)[-1]], name
            assert geometry.get("srsName") == "urn:ogc:def:crs:EPSG::31370"
            key = feature_id(feature)
            geom = stored[key if name == "wijken" else int(key)]
            got, want = coordinates(geometry), shapely.get_coordinates(geom).tolist()
            assert len(got) == len(want), (name, key)
            assert max(max(abs(a - c), abs(b - d)) for (a, b), (c, d) in zip(got, want)) <= 0.0005, (name, key)
        nonempty += bool(stored)
    assert nonempty >= 6  # points, lines and polygons of fiches and phases in the demo data


def test_drafts_never_come_out(scratch_app):
    """A fiche taken back to draft leaves its type, and so do its phases."""
    from app.db import get_session

    client = scratch_app.test_client()
    with scratch_app.app_context():
        session = get_session()
        before = expected_features(session)
        name = next(n for n in before if n.startswith("fiches-herentals-") and before[n])
        # asked once before the edit: the kept answer must not outlive the data version
        assert get_feature(client, name, "&RESULTTYPE=hits").get("numberMatched") == str(len(before[name]))
        draft = session.get(Fiche, next(iter(before[name])))
        phases = {p.id for p in draft.phases}
        draft.published = False
        session.commit()
        assert draft_ids(session) == {draft.id}
    assert get_feature(client, name, "&RESULTTYPE=hits").get("numberMatched") == str(len(before[name]) - 1)
    served = {feature_id(f) for f in members(get_feature(client, name))}
    assert str(draft.id) not in served and len(served) == len(before[name]) - 1
    phase_types = [n for n in before if n.startswith("fasen-herentals-")]
    served_phases = {int(feature_id(f)) for n in phase_types for f in members(get_feature(client, n))}
    assert served_phases and not served_phases & phases
    assert len(served_phases) == sum(len(before[n]) for n in phase_types) - len(phases & set().union(
        *(before[n] for n in phase_types)))


def test_text_xml_cannot_hold_is_replaced_not_a_server_error(scratch_app):
    """A control character pasted into a fiche (XML 1.0 cannot carry it)."""
    from app.db import get_session

    with scratch_app.app_context():
        session = get_session()
        name = next(n for n, found in expected_features(session).items() if n.startswith("fiches-") and found)
        fiche = session.get(Fiche, next(iter(expected_features(session)[name])))
        fiche.title = "Plein\x0bplan <&> \x1f"  # (PostgreSQL text cannot hold NUL at all)
        session.commit()
        fiche_id = fiche.id
    doc = get_feature(scratch_app.test_client(), name)
    feature = next(f for f in members(doc) if feature_id(f) == str(fiche_id))
    assert feature.findtext(f"{FK}titel") == "Plein\ufffdplan <&> \ufffd"


def test_hits_and_paging(client, expected):
    name = max((n for n in expected if n.startswith("fiches-")), key=lambda n: len(expected[n]))
    total = len(expected[name])
    hits = get_feature(client, name, "&RESULTTYPE=hits")
    assert hits.get("numberMatched") == str(total) and hits.get("numberReturned") == "0" and not members(hits)
    seen, start = [], 0
    while True:
        doc = get_feature(client, name, f"&COUNT=7&STARTINDEX={start}")
        assert doc.get("numberMatched") == str(total)
        page = [feature_id(f) for f in members(doc)]
        seen += page
        start += 7
        if doc.get("next") is None:
            break
        assert "STARTINDEX=" + str(start) in doc.get("next") and len(page) == 7
    assert len(seen) == len(set(seen)) == total
    beyond = get_feature(client, name, f"&COUNT=5&STARTINDEX={total + 10}")
    assert beyond.get("numberReturned") == "0" and beyond.get("numberMatched") == str(total)
    # parameter names are case-insensitive; MAXFEATURES is WFS 1.1's COUNT
    lower = xml(client, f"/wfs?service=WFS&version=2.0.0&request=GetFeature&typeNames={name}&maxFeatures=3"
                        "&startIndex=1")
    assert lower.get("numberReturned") == "3"
    assert "startIndex" not in lower.get("next") and "STARTINDEX=4" in lower.get("next")


def test_bbox_in_lambert72_and_in_wgs84(client, expected):
    name = "fiches-herentals-punten"
    box = shapely.box(*GROTE_MARKT_31370)
    want = {str(k) for k, g in expected[name].items() if g.intersects(box)}
    assert want
    doc = get_feature(client, name, "&BBOX=" + ",".join(str(v) for v in GROTE_MARKT_31370))
    assert {feature_id(f) for f in members(doc)} == want
    with_crs = get_feature(client, name, "&BBOX=" + ",".join(str(v) for v in GROTE_MARKT_31370)
                           + ",urn:ogc:def:crs:EPSG::31370")
    assert {feature_id(f) for f in members(with_crs)} == want
    hits = get_feature(client, name, "&RESULTTYPE=hits&BBOX=" + ",".join(str(v) for v in GROTE_MARKT_31370))
    assert hits.get("numberMatched") == str(len(want))
    # the same area in WGS 84, latitude first in the URN form
    lon1, lat1, lon2, lat2 = transform(box, 31370, 4326).bounds
    wide = {str(k) for k, g in expected[name].items()
            if transform(g, 31370, 4326).intersects(shapely.box(lon1, lat1, lon2, lat2))}
    urn = get_feature(client, name, f"&BBOX={lat1},{lon1},{lat2},{lon2},urn:ogc:def:crs:EPSG::4326")
    assert {feature_id(f) for f in members(urn)} == wide and want <= wide


def test_bbox_as_a_filter_encoding_filter(client, expected):
    """What GDAL and QGIS send for a map extent: FILTER=<fes:Filter><fes:BBOX>."""
    name = "fiches-herentals-punten"
    box = shapely.box(*GROTE_MARKT_31370)
    want = {str(k) for k, g in expected[name].items() if g.intersects(box)}
    envelope = ("<gml:Envelope{srs}><gml:lowerCorner>182400 207200</gml:lowerCorner>"
                "<gml:upperCorner>183000 207800</gml:upperCorner></gml:Envelope>")
    for srs in ("", ' srsName="urn:ogc:def:crs:EPSG::31370"'):
        fes = ('<Filter xmlns="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2"><BBOX>'
               f"<ValueReference>geometrie</ValueReference>{envelope.format(srs=srs)}</BBOX></Filter>")
        doc = get_feature(client, name, "&FILTER=" + quote(fes))
        assert {feature_id(f) for f in members(doc)} == want


def test_srsname_3812_and_4326_axis_order(client, expected):
    name = "fiches-herentals-punten"
    fid, point = next(iter(expected[name].items()))
    one = f"&BBOX={point.x - 0.5},{point.y - 0.5},{point.x + 0.5},{point.y + 0.5}"

    def position(srs):
        doc = get_feature(client, name, f"{one}&SRSNAME={srs}")
        feature = next(f for f in members(doc) if feature_id(f) == str(fid))
        geometry = feature.find(f"{FK}geometrie")[0]
        return geometry.get("srsName"), coordinates(geometry)[0]

    srs, (x, y) = position("urn:ogc:def:crs:EPSG::3812")
    ex, ey = Transformer.from_crs(31370, 3812, always_xy=True).transform(point.x, point.y)
    assert srs == "urn:ogc:def:crs:EPSG::3812" and (x, y) == pytest.approx((ex, ey), abs=0.001)
    lonlat = transform(point, 31370, 4326)
    srs, (a, b) = position("urn:ogc:def:crs:EPSG::4326")
    assert srs == "urn:ogc:def:crs:EPSG::4326" and (a, b) == pytest.approx((lonlat.y, lonlat.x), abs=1e-7)
    srs, (a, b) = position("http://www.opengis.net/def/crs/EPSG/0/4326")
    assert (a, b) == pytest.approx((lonlat.y, lonlat.x), abs=1e-7)
    srs, (a, b) = position("EPSG:4326")  # the short form: longitude first
    assert srs == "EPSG:4326" and (a, b) == pytest.approx((lonlat.x, lonlat.y), abs=1e-7)


def test_geojson_output(client, expected):
    name = "fasen-herentals-vlakken" if expected["fasen-herentals-vlakken"] else "wijken"
    response = client.get(f"{BASE}&REQUEST=GetFeature&TYPENAMES={name}&OUTPUTFORMAT=application/json&COUNT=2")
    assert response.status_code == 200 and response.content_type == "application/json"
    doc = response.get_json()
    assert doc["numberMatched"] == len(expected[name]) and doc["numberReturned"] == len(doc["features"]) == 2
    assert {f["geometry"]["type"] for f in doc["features"]} == {"MultiPolygon"}
    assert doc["links"][0]["rel"] == "next"


@pytest.mark.parametrize(("query", "code", "locator"), [
    ("", "MissingParameterValue", "service"),
    ("SERVICE=WMS&REQUEST=GetCapabilities", "InvalidParameterValue", "service"),
    ("SERVICE=WFS", "MissingParameterValue", "request"),
    ("SERVICE=WFS&REQUEST=Transaction", "OperationNotSupported", "request"),
    ("SERVICE=WFS&REQUEST=GetCapabilities&ACCEPTVERSIONS=1.1.0", "VersionNegotiationFailed", "acceptversions"),
    ("SERVICE=WFS&VERSION=1.1.0&REQUEST=GetFeature&TYPENAMES=wijken", "InvalidParameterValue", "version"),
    ("SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature", "MissingParameterValue", "typenames"),
    ("SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=fk:bestaat-niet", "InvalidParameterValue", "typeNames"),
    ("SERVICE=WFS&VERSION=2.0.0&REQUEST=DescribeFeatureType&TYPENAMES=x", "InvalidParameterValue", "typeNames"),
    ("SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=wijken,fiches-halle-punten", "OperationNotSupported",
     "typeNames"),
    ("SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=wijken&COUNT=0", "InvalidParameterValue", "count"),
    ("SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=wijken&COUNT=abc", "InvalidParameterValue", "count"),
    ("SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=wijken&STARTINDEX=-1", "InvalidParameterValue",
     "startindex"),
    ("SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=wijken&RESULTTYPE=all", "InvalidParameterValue",
     "resultType"),
    ("SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=wijken&SRSNAME=EPSG:28992", "InvalidParameterValue",
     "srsName"),
    ("SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=wijken&SRSNAME=urn:ogc:def:crs:EPSG::99999999",
     "InvalidParameterValue", "srsName"),
    ("SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=wijken&BBOX=1,2,3", "InvalidParameterValue", "bbox"),
    ("SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=wijken&BBOX=5,5,1,1", "InvalidParameterValue", "bbox"),
    ("SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=wijken&BBOX=a,b,c,d", "InvalidParameterValue", "bbox"),
    ("SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=wijken&BBOX=1,2,3,4,EPSG:1", "InvalidParameterValue",
     "bbox"),
    ("SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=wijken&BBOX=100,200,110,210,urn:ogc:def:crs:EPSG::4326",
     "InvalidParameterValue", "bbox"),
    ("SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=wijken&OUTPUTFORMAT=shape-zip", "InvalidParameterValue",
     "outputFormat"),
    ("SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=wijken&FILTER=<x/>", "OperationNotSupported", "filter"),
    ("SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=wijken&FILTER=<x", "InvalidParameterValue", "filter"),
    ("SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=wijken&FILTER=" + quote(
        '<!DOCTYPE f [<!ENTITY e SYSTEM "file:///etc/passwd">]><f>&e;</f>'), "OperationNotSupported", "filter"),
    ("SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=wijken&FILTER=" + quote(
        '<Filter xmlns="http://www.opengis.net/fes/2.0"><PropertyIsEqualTo/></Filter>'), "OperationNotSupported",
     "filter"),
    ("SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=wijken&FILTER=" + quote(
        '<Filter xmlns="http://www.opengis.net/fes/2.0"><BBOX/></Filter>'), "InvalidParameterValue", "filter"),
    ("SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=wijken&BBOX=1,2,3,4&FILTER=<x/>",
     "InvalidParameterValue", "filter"),
    ("SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&STOREDQUERY_ID=urn:ogc:def:query:OGC-WFS::GetFeatureById",
     "OperationNotSupported", "storedquery_id"),
])
def test_bad_requests_get_an_exception_report(client, query, code, locator):
    response = client.get(f"/wfs?{query}")
    assert response.status_code == 400, response.get_data(as_text=True)[:500]
    doc = etree.fromstring(response.data)
    assert doc.tag == f"{OWS}ExceptionReport"
    exception = doc.find(f"{OWS}Exception")
    assert exception.get("exceptionCode") == code and exception.get("locator") == locator
    assert exception.findtext(f"{OWS}ExceptionText")  # a Dutch sentence


GARBAGE = ["", " ", "-1", "1e9", "NaN", "inf", "²", "٣", "0x10", "9" * 30, "a" * 300, "%00", "\x00", "<x>", "'",
           '"', ",,,,", "1,2,3,4,5,6,7,8", "urn:ogc:def:crs:EPSG::", "EPSG:", "(", ")()", "fk:", ":",
           "<?xml version='1.0' encoding='bogus'?><a/>", "<Filter xmlns='http://www.opengis.net/fes/2.0'><BBOX>"
           "<Envelope xmlns='http://www.opengis.net/gml/3.2'><lowerCorner>a b</lowerCorner>"
           "<upperCorner>c d</upperCorner></Envelope></BBOX></Filter>"]
PARAMETERS = ["SERVICE", "VERSION", "REQUEST", "TYPENAMES", "SRSNAME", "BBOX", "COUNT", "STARTINDEX", "RESULTTYPE",
              "OUTPUTFORMAT", "FILTER", "ACCEPTVERSIONS"]


@pytest.mark.parametrize("parameter", PARAMETERS)
def test_no_value_gives_a_server_error(client, parameter):
    """Every odd value of every parameter: an answer or an exception report, never a 500."""
    good = {"SERVICE": "WFS", "VERSION": "2.0.0", "REQUEST": "GetFeature", "TYPENAMES": "fk:fiches-halle-punten",
            "COUNT": "2"}
    for value in GARBAGE:
        response = client.get("/wfs?" + "&".join(f"{k}={quote(v)}" for k, v in {**good, parameter: value}.items()))
        assert response.status_code in (200, 400), (parameter, value, response.status_code)
        if response.status_code == 400:
            assert etree.fromstring(response.data).tag == f"{OWS}ExceptionReport", (parameter, value)


def test_cors_like_the_other_public_read_endpoints(client):
    response = client.get("/wfs?SERVICE=WFS&REQUEST=GetCapabilities", headers={"Origin": "https://viewer.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
