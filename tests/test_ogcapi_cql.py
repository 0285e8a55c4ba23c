"""CQL2 filters (OGC API - Features Part 3), sortby and properties on /ogc,
on both databases.

The expected answer of every filter in the table is computed here in Python
over all the collection's features (fetched once, unfiltered, in EPSG:31370,
predicates with shapely and plain comparisons), never by the SQL under
test; the filter must select exactly those features, in cql2-text and in
cql2-json. SQL's three-valued logic is spelled out in the predicates: a
comparison with an empty field is not true, and neither is its NOT."""
from __future__ import annotations

import datetime as dt
import json
import re
import urllib.parse

import cql2
import pytest
import shapely

from app.crs import transform

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/{}"

# Boxes and points around Herentals' centre (lon/lat) and Halle's; the
# Herentals box catches some fiches but not all.
HERENTALS_BOX = (4.82, 51.170, 4.845, 51.185)
HALLE_BOX = (4.20, 50.70, 4.26, 50.75)
HERENTALS_TRIANGLE = "POLYGON((4.80 51.16, 4.86 51.16, 4.83 51.20, 4.80 51.16))"
_features: dict = {}


def _box31370(box):
    return transform(shapely.box(*box).segmentize(0.0005), 4326, 31370)


def _wkt31370(wkt):
    geom = shapely.from_wkt(wkt)
    return transform(geom.segmentize(0.0005), 4326, 31370)


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code, response.get_data(as_text=True)[:400])
    return response.get_json(force=True)


def all_features(client, backend, collection):
    """Every feature of the collection (no filter), kept per database."""
    key = (backend, collection)
    if key not in _features:
        doc = get(client, f"/ogc/collections/{collection}/items?limit=10000&crs={EPSG.format(31370)}")
        assert doc["numberMatched"] == doc["numberReturned"]
        _features[key] = [(f["id"], f["properties"], shapely.geometry.shape(f["geometry"]) if f["geometry"] else None)
                          for f in doc["features"]]
    return _features[key]


def filtered_ids(client, collection, text, lang="cql2-text", extra=""):
    query = urllib.parse.urlencode({"filter": text, "filter-lang": lang, "limit": 10000})
    doc = get(client, f"/ogc/collections/{collection}/items?{query}{extra}")
    assert doc["numberMatched"] == doc["numberReturned"]
    return {f["id"] for f in doc["features"]}


def date(text):
    return dt.date.fromisoformat(text)


def overlaps(p, start, end):
    return p["start"] is not None and p["einde"] is not None and \
        (end is None or date(p["start"]) <= date(end)) and (start is None or date(p["einde"]) >= date(start))


# (collection, cql2-text, expected: predicate over (properties, geometry in EPSG:31370))
TABLE = [
    ("fiches-herentals", "sector = 'Zorg'", lambda p, g: p["sector"] == "Zorg"),
    ("fiches-herentals", "sector <> 'Stadsontwikkeling' AND ligging = 'indicatief'",
     lambda p, g: p["sector"] not in (None, "Stadsontwikkeling") and p["ligging"] == "indicatief"),
    ("fiches-herentals", "ref LIKE 'HER-VT-%'", lambda p, g: p["ref"].startswith("HER-VT-")),
    ("fiches-herentals", "ref LIKE 'her-vt-%'", lambda p, g: p["ref"].startswith("her-vt-")),  # case-sensitive: none
    ("fiches-herentals", "ref LIKE 'HER-VT-1_'", lambda p, g: re.fullmatch(r"HER-VT-1.", p["ref"]) is not None),
    ("fiches-herentals", "ref NOT LIKE 'HER-SO%'", lambda p, g: not p["ref"].startswith("HER-SO")),
    ("fiches-herentals", "nummer IN ('14', '15', '16')", lambda p, g: p["nummer"] in ("14", "15", "16")),
    ("fiches-herentals", "sector NOT IN ('Zorg', 'Vrije Tijd')",
     lambda p, g: p["sector"] is not None and p["sector"] not in ("Zorg", "Vrije Tijd")),
    ("fiches-herentals", "nummer BETWEEN '10' AND '19'", lambda p, g: p["nummer"] is not None and "10" <= p["nummer"] <= "19"),
    ("fiches-herentals", "ligging IS NULL", lambda p, g: p["ligging"] is None),
    ("fiches-herentals", "ligging IS NOT NULL OR sector = 'Zorg'",
     lambda p, g: p["ligging"] is not None or p["sector"] == "Zorg"),
    ("fiches-herentals", "NOT (sector = 'Stadsontwikkeling' OR sector = 'Vrije Tijd')",
     lambda p, g: p["sector"] is not None and p["sector"] not in ("Stadsontwikkeling", "Vrije Tijd")),
    ("fiches-herentals", "'Vrije Tijd' = sector AND ref >= 'HER-VT-10'",
     lambda p, g: p["sector"] == "Vrije Tijd" and p["ref"] >= "HER-VT-10"),
    ("fiches-herentals", "S_INTERSECTS(geometry, BBOX({}, {}, {}, {}))".format(*HERENTALS_BOX),
     lambda p, g: g is not None and g.intersects(_box31370(HERENTALS_BOX))),
    ("fiches-herentals", f"S_WITHIN(geometry, {HERENTALS_TRIANGLE})",
     lambda p, g: g is not None and g.within(_wkt31370(HERENTALS_TRIANGLE))),
    ("fiches-herentals", "S_DISJOINT(geometry, BBOX({}, {}, {}, {}))".format(*HERENTALS_BOX),
     lambda p, g: g is not None and g.disjoint(_box31370(HERENTALS_BOX))),
    ("fiches-herentals", "NOT S_INTERSECTS(geometry, BBOX({}, {}, {}, {}))".format(*HERENTALS_BOX),
     lambda p, g: g is not None and not g.intersects(_box31370(HERENTALS_BOX))),
    ("fiches-herentals", "sector = 'Stadsontwikkeling' AND S_INTERSECTS(geometry, BBOX({}, {}, {}, {}))"
     .format(*HERENTALS_BOX),
     lambda p, g: p["sector"] == "Stadsontwikkeling" and g is not None and g.intersects(_box31370(HERENTALS_BOX))),
    ("fiches-herentals", "S_INTERSECTS(geometry, BBOX(-180, -90, 180, 90))", lambda p, g: g is not None),
    ("fiches-herentals", "S_INTERSECTS(geometry, POINT(120 -30))", lambda p, g: False),  # far away
    ("fiches-herentals", "S_INTERSECTS(geometry, MULTIPOINT((4.835 51.177), (4.84 51.18)))",
     lambda p, g: g is not None and g.intersects(transform(shapely.MultiPoint([(4.835, 51.177), (4.84, 51.18)]),
                                                           4326, 31370))),
    ("fiches-herentals", "S_CROSSES(geometry, LINESTRING(4.80 51.175, 4.86 51.18))",
     lambda p, g: g is not None and g.crosses(_wkt31370("LINESTRING(4.80 51.175, 4.86 51.18)"))),
    ("fiches-halle", "prioritair = true", lambda p, g: p["prioritair"] is True),
    ("fiches-halle", "prioritair = false OR prioritair IS NULL", lambda p, g: p["prioritair"] is not True),
    ("fiches-halle", "prioritair <> true", lambda p, g: p["prioritair"] is False),
    ("fiches-halle", "verantwoordelijke_dienst = 'Samenleving' AND S_INTERSECTS(geometry, BBOX({}, {}, {}, {}))"
     .format(*HALLE_BOX),
     lambda p, g: p["verantwoordelijke_dienst"] == "Samenleving" and g is not None
     and g.intersects(_box31370(HALLE_BOX))),
    ("fiches-halle", "code IN ('V1.1', 'V2.3', 'V9.9') OR code LIKE 'V4.%'",
     lambda p, g: p["code"] in ("V1.1", "V2.3") or p["code"].startswith("V4.")),
    ("fasen", "start >= DATE('2027-01-01')", lambda p, g: date(p["start"]) >= date("2027-01-01")),
    ("fasen", "einde < '2026-12-31' AND status = 'gepland'",
     lambda p, g: date(p["einde"]) < date("2026-12-31") and p["status"] == "gepland"),
    ("fasen", "T_INTERSECTS(INTERVAL(start, einde), INTERVAL('2027-01-01', '2027-12-31'))",
     lambda p, g: overlaps(p, "2027-01-01", "2027-12-31")),
    ("fasen", "T_INTERSECTS(INTERVAL(start, einde), INTERVAL('2028-01-01', '..'))",
     lambda p, g: overlaps(p, "2028-01-01", None)),
    ("fasen", "T_INTERSECTS(INTERVAL(start, einde), DATE('2026-06-15'))",
     lambda p, g: overlaps(p, "2026-06-15", "2026-06-15")),
    ("fasen", "T_INTERSECTS(start, INTERVAL('2026-01-01', '2026-06-30'))",
     lambda p, g: "2026-01-01" <= p["start"] <= "2026-06-30"),
    ("fasen", "T_DISJOINT(INTERVAL(start, einde), INTERVAL('2026-01-01', '2026-12-31'))",
     lambda p, g: not overlaps(p, "2026-01-01", "2026-12-31")),
    ("fasen", "T_BEFORE(einde, DATE('2026-12-31'))", lambda p, g: p["einde"] < "2026-12-31"),
    ("fasen", "T_AFTER(INTERVAL(start, einde), TIMESTAMP('2027-06-30T12:00:00Z'))",
     lambda p, g: p["start"] > "2027-06-30"),
    ("fasen", "soort IN ('studie', 'ontwerp') AND status = 'gepland'",
     lambda p, g: p["soort"] in ("studie", "ontwerp") and p["status"] == "gepland"),
    ("fasen", "fiche_id BETWEEN 75 AND 80", lambda p, g: 75 <= p["fiche_id"] <= 80),
    ("fasen", "nis_code = '13011' AND S_INTERSECTS(geometry, BBOX({}, {}, {}, {}))".format(*HERENTALS_BOX),
     lambda p, g: p["nis_code"] == "13011" and g.intersects(_box31370(HERENTALS_BOX))),
    ("wijken", "naam LIKE '%e%' AND nis_code = '13011'", lambda p, g: "e" in p["naam"] and p["nis_code"] == "13011"),
    ("wijken", "S_CONTAINS(geometry, POINT(4.835 51.177))",
     lambda p, g: g.contains(transform(shapely.Point(4.835, 51.177), 4326, 31370))),
    ("wijken", "S_TOUCHES(geometry, POINT(4.835 51.177)) OR S_OVERLAPS(geometry, BBOX({}, {}, {}, {}))"
     .format(*HERENTALS_BOX),
     lambda p, g: g.touches(transform(shapely.Point(4.835, 51.177), 4326, 31370))
     or g.overlaps(_box31370(HERENTALS_BOX))),
    ("indicatoren-wijken", "indicator_code = 'bevolking' AND waarde > 5000",
     lambda p, g: p["indicator_code"] == "bevolking" and p["waarde"] > 5000),
    ("indicatoren-wijken", "waarde BETWEEN 10 AND 20.5", lambda p, g: 10 <= p["waarde"] <= 20.5),
    ("indicatoren-wijken", "waarde < 10 OR waarde >= 9000", lambda p, g: p["waarde"] < 10 or p["waarde"] >= 9000),
    ("indicatoren-wijken", "waarde NOT BETWEEN 5 AND 5000 AND illustratief = true",
     lambda p, g: not 5 <= p["waarde"] <= 5000 and p["illustratief"] is True),
]


@pytest.mark.parametrize("collection,text,expected", TABLE, ids=[f"{c}: {t}"[:90] for c, t, _ in TABLE])
def test_filter_selects_what_python_computes(client, backend, collection, text, expected):
    features = all_features(client, backend, collection)
    want = {fid for fid, props, geom in features if expected(props, geom)}
    assert filtered_ids(client, collection, text) == want
    as_json = json.dumps(cql2.parse_text(text).to_json())
    assert filtered_ids(client, collection, as_json, "cql2-json") == want


def test_the_table_is_not_trivial(client, backend):
    """Most filters select some but not all features (else they prove little)."""
    proper = 0
    for collection, text, expected in TABLE:
        features = all_features(client, backend, collection)
        count = sum(1 for _, props, geom in features if expected(props, geom))
        proper += 0 < count < len(features)
    assert proper >= len(TABLE) - 6


def test_hand_written_cql2_json(client, backend):
    features = all_features(client, backend, "fasen")
    doc = {"op": "and", "args": [
        {"op": "t_intersects", "args": [{"interval": [{"property": "start"}, {"property": "einde"}]},
                                        {"interval": ["2027-01-01", "2027-03-31"]}]},
        {"op": "in", "args": [{"property": "soort"}, ["uitvoering", "vergunning"]]},
        {"op": "s_intersects", "args": [{"property": "geometry"}, {"bbox": list(HERENTALS_BOX)}]},
    ]}
    want = {fid for fid, p, g in features
            if overlaps(p, "2027-01-01", "2027-03-31") and p["soort"] in ("uitvoering", "vergunning")
            and g.intersects(_box31370(HERENTALS_BOX))}
    assert want
    assert filtered_ids(client, "fasen", json.dumps(doc), "cql2-json") == want


@pytest.mark.parametrize("crs,box", [
    (CRS84, HERENTALS_BOX),
    (EPSG.format(4326), (HERENTALS_BOX[1], HERENTALS_BOX[0], HERENTALS_BOX[3], HERENTALS_BOX[2])),  # lat, lon
    ("EPSG:31370", None),
    (EPSG.format(3812), None),
])
def test_filter_crs_gives_the_same_answer_in_every_crs(client, backend, crs, box):
    """One area, written in each CRS (in that CRS's axis order): the same fiches.
    The Lambert boxes are the CRS84 box's corners transformed; a box is a
    rectangle only in its own CRS, so the comparison is made with a point
    well inside a fiche rather than at the edges."""
    features = all_features(client, backend, "fiches-herentals")
    inside = [(fid, g) for fid, p, g in features if g is not None and g.geom_type == "Polygon"]
    fid, polygon = inside[0]
    point = polygon.representative_point()  # EPSG:31370
    epsg = 4326 if crs in (CRS84, EPSG.format(4326)) else int(crs.rsplit("/", 1)[-1].rsplit(":", 1)[-1])
    x, y = transform(point, 31370, epsg).coords[0]
    if crs == EPSG.format(4326):
        x, y = y, x
    ids = filtered_ids(client, "fiches-herentals", f"S_INTERSECTS(geometry, POINT({x} {y}))",
                       extra=f"&filter-crs={urllib.parse.quote(crs)}")
    want = {f for f, p, g in features if g is not None and g.intersects(point.buffer(0.01))}
    assert fid in ids and ids <= want
    if box is not None:
        in_box = filtered_ids(client, "fiches-herentals", "S_INTERSECTS(geometry, BBOX({}, {}, {}, {}))".format(*box),
                              extra=f"&filter-crs={urllib.parse.quote(crs)}")
        assert in_box == {f for f, p, g in features if g is not None and g.intersects(_box31370(HERENTALS_BOX))}


def test_filter_combines_with_the_other_parameters(client, backend):
    features = all_features(client, backend, "fiches-herentals")
    want = sorted(fid for fid, p, g in features if p["sector"] == "Stadsontwikkeling" and p["ligging"] == "indicatief")
    query = urllib.parse.urlencode({"filter": "ligging = 'indicatief'", "sector": "Stadsontwikkeling", "limit": 3})
    doc = get(client, f"/ogc/collections/fiches-herentals/items?{query}")
    assert doc["numberMatched"] == len(want) and doc["numberReturned"] == 3
    following = next(link["href"] for link in doc["links"] if link["rel"] == "next")
    assert "filter=ligging" in following  # the next page keeps the filter
    rest = get(client, following.replace("http://localhost", ""))
    assert {f["id"] for f in rest["features"]}.isdisjoint({f["id"] for f in doc["features"]})


# -- queryables: the whitelist, complete ------------------------------------

COLLECTIONS = ("fiches-herentals", "fasen", "wijken", "indicatoren-wijken")


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_every_queryable_works_and_nothing_else(client, collection):
    names = get(client, f"/ogc/collections/{collection}/queryables")["properties"]
    assert "geometry" in names
    for name, schema in names.items():
        text = f"S_INTERSECTS({name}, POINT(4.83 51.18))" if name == "geometry" else f"{name} IS NULL"
        get(client, f"/ogc/collections/{collection}/items?filter={urllib.parse.quote(text)}")
        assert schema.get("type") or schema.get("format", "").startswith("geometry"), name
    fields = get(client, f"/ogc/collections/{collection}/schema")["properties"]["properties"]["properties"]
    for name in sorted(set(fields) - set(names))[:6]:  # a feature property that is not a queryable
        error = get(client, f"/ogc/collections/{collection}/items?filter={urllib.parse.quote(name + ' IS NULL')}", 400)
        assert error["code"] == "InvalidParameterValue" and "queryable" in error["description"]


def test_phase_dates_are_typed_queryables(client):
    names = get(client, "/ogc/collections/fasen/queryables")["properties"]
    assert names["start"]["format"] == "date" and names["einde"]["format"] == "date"
    assert get(client, "/ogc/collections/fasen/items?start=2027-01-01&limit=1")["numberMatched"] > 0
    get(client, "/ogc/collections/fasen/items?start=morgen", 400)


def test_conformance_declares_the_filter_classes(client):
    classes = get(client, "/ogc/conformance")["conformsTo"]
    for name in ("ogcapi-features-3/1.0/conf/filter", "ogcapi-features-3/1.0/conf/features-filter",
                 "cql2/1.0/conf/cql2-text", "cql2/1.0/conf/cql2-json", "cql2/1.0/conf/basic-cql2",
                 "cql2/1.0/conf/advanced-comparison-operators", "cql2/1.0/conf/basic-spatial-functions",
                 "cql2/1.0/conf/spatial-functions"):
        assert f"http://www.opengis.net/spec/{name}" in classes
    # what is not implemented is not claimed: CASEI/ACCENTI, all temporal functions, arrays, arithmetic
    for name in ("case-insensitive-comparison", "accent-insensitive-comparison", "temporal-functions",
                 "array-functions", "arithmetic", "functions"):
        assert f"http://www.opengis.net/spec/cql2/1.0/conf/{name}" not in classes


# -- sortby and properties ---------------------------------------------------

def _order_key(value, descending):
    """Python's order for a sortby key: empty values last either way."""
    return (value is None, value if not descending or value is None else _Reverse(value))


class _Reverse:
    def __init__(self, value):
        self.value = value

    def __lt__(self, other):
        return self.value > other.value

    def __eq__(self, other):
        return self.value == other.value


@pytest.mark.parametrize("collection,sortby", [
    ("fiches-herentals", "sector,-ref"),
    ("fiches-herentals", "-ligging,+ref"),
    ("fiches-halle", "-prioritair,code"),
    ("fasen", "-start,einde,fiche_ref"),
    ("wijken", "-naam"),
    ("indicatoren-wijken", "indicator_code,-waarde"),
])
def test_sortby_orders_like_python(client, backend, collection, sortby):
    features = all_features(client, backend, collection)
    keys = [(k.lstrip("+-"), k.startswith("-")) for k in sortby.split(",")]
    doc = get(client, f"/ogc/collections/{collection}/items?limit=10000&sortby={urllib.parse.quote(sortby)}")
    got = [tuple(f["properties"][name] for name, _ in keys) for f in doc["features"]]
    want = sorted((tuple(p[name] for name, _ in keys) for _, p, _ in features),
                  key=lambda values: [_order_key(v, d) for v, (_, d) in zip(values, keys)])
    assert got == want


def test_sortby_pages_follow_one_order(client):
    whole = get(client, "/ogc/collections/fasen/items?limit=200&sortby=-einde")["features"]
    paged = []
    for offset in range(0, len(whole), 25):
        paged += get(client, f"/ogc/collections/fasen/items?limit=25&offset={offset}&sortby=-einde")["features"]
    assert [f["id"] for f in paged] == [f["id"] for f in whole]


def test_properties_keeps_only_those(client):
    doc = get(client, "/ogc/collections/fiches-herentals/items?limit=5&properties=titel,ref")
    assert all(list(f["properties"]) == ["ref", "titel"] for f in doc["features"])
    assert all(f["geometry"] is not None or f["geometry"] is None for f in doc["features"])
    html = client.get("/ogc/collections/fiches-herentals/items?limit=5&properties=titel&f=html")
    assert html.status_code == 200


@pytest.mark.parametrize("query", [
    "sortby=titel", "sortby=geometry", "sortby=-", "sortby=ref,,sector", "sortby=%00",
    "properties=geheim", "properties=ref,wachtwoord",
])
def test_sortby_and_properties_refuse_unknown_names(client, query):
    error = get(client, f"/ogc/collections/fiches-herentals/items?{query}", 400)
    assert error["code"] == "InvalidParameterValue" and error["description"]


# -- malformed filters: 400 with the OGC exception, never 500 ----------------

MALFORMED = [
    ("fiches-herentals", "sector =", None),
    ("fiches-herentals", "= 'Zorg'", None),
    ("fiches-herentals", "sector == 'Zorg'", None),
    ("fiches-herentals", "sector = 'Zorg", None),
    ("fiches-herentals", "titel = 'x'", None),                      # a property, but not a queryable
    ("fiches-herentals", "onbekend = 1", None),
    ("fiches-herentals", "sector = 1", None),                       # wrong type
    ("fiches-herentals", "prioritair = 'ja'", None),
    ("fiches-herentals", "prioritair > true", None),
    ("fiches-herentals", "sector LIKE 5", None),
    ("fiches-herentals", "prioritair LIKE 'x%'", None),
    ("fiches-herentals", "sector IN ()", None),
    ("fiches-herentals", "sector IN (1, 2)", None),
    ("fiches-herentals", "sector BETWEEN 1 AND 'z'", None),
    ("fiches-herentals", "S_INTERSECTS(sector, POINT(4.8 51.1))", None),
    ("fiches-herentals", "S_INTERSECTS(geometry, 'x')", None),
    ("fiches-herentals", "S_INTERSECTS(geometry, POINT(4.8))", None),
    ("fiches-herentals", "S_INTERSECTS(geometry, POLYGON((4.8 51.1, 4.9 51.2, 4.9 51.1, 4.8 51.2, 4.8 51.1)))", None),
    ("fiches-herentals", "S_INTERSECTS(geometry)", None),
    ("fiches-herentals", "S_INTERSECTS(POINT(1 1), POINT(1 1))", None),
    ("fiches-herentals", "S_WITHIN(geometry, BBOX(5, 51, 4, 52))", None),
    ("fiches-herentals", "S_INTERSECTS(geometry, POINT(NaN 1))", None),
    ("fiches-herentals", "T_INTERSECTS(sector, DATE('2027-01-01'))", None),
    ("fiches-herentals", "sector = 'Zorg' AND", None),
    ("fiches-herentals", "AND sector = 'Zorg'", None),
    ("fiches-herentals", "((sector = 'Zorg')", None),
    ("fiches-herentals", "sector = 'Zorg'))", None),
    ("fiches-herentals", "NOT", None),
    ("fiches-herentals", "CASEI(sector) = 'zorg'", None),
    ("fiches-herentals", "ACCENTI(sector) = 'zorg'", None),
    ("fiches-herentals", "nummer = 1 + 2", None),
    ("fiches-herentals", "foo(sector) = 1", None),
    ("fiches-herentals", "sector = 'x' XOR status = 'y'", None),
    ("fiches-herentals", "'a' = 1", None),
    ("fiches-herentals", "TRUE = 'x'", None),
    ("fiches-herentals", "(" * 150 + "sector = 'x'" + ")" * 150, None),
    ("fiches-herentals", "NOT " * 150 + "sector = 'x'", None),
    ("fiches-herentals", "sector = '" + "x" * 5000 + "'", None),
    ("fiches-herentals", "", None),
    ("fiches-herentals", "   ", None),
    ("fiches-herentals", "sector = 'x\x00'", None),
    ("fiches-herentals", "A_CONTAINS(sector, ('x'))", None),
    ("fiches-herentals", "nummer = 1e999", None),
    ("fiches-herentals", "geometry = 'x'", None),
    ("fiches-herentals", "sector IN ('a', 'b'", None),
    ("fiches-herentals", "IS NULL", None),
    ("fiches-herentals", "sector LIKE 'x' ESCAPE '!'", None),
    ("fasen", "start > DATE('2027-02-30')", None),
    ("fasen", "start > 'volgende week'", None),
    ("fasen", "T_BEFORE(start, INTERVAL('2027-01-01'))", None),
    ("fasen", "T_INTERSECTS(fiche_id, DATE('2027-01-01'))", None),
    ("fasen", "start = true", None),
    ("indicatoren-wijken", "waarde > '10'", None),
    ("indicatoren-wijken", "waarde LIKE '1%'", None),
    ("fiches-herentals", "{not json", "cql2-json"),
    ("fiches-herentals", '{"op": "=", "args": [{"property": "titel"}, "x"]}', "cql2-json"),
    ("fiches-herentals", '{"op": "frobnicate", "args": []}', "cql2-json"),
    ("fiches-herentals", "[]", "cql2-json"),
    ("fiches-herentals", '"sector"', "cql2-json"),
    ("fiches-herentals", '{"op": "=", "args": [{"property": "sector"}]}', "cql2-json"),
    ("fiches-herentals", '{"op": "like", "args": [{"property": "sector"}, {"property": "status"}]}', "cql2-json"),
    ("fiches-herentals", '{"op": "s_intersects", "args": [{"property": "geometry"}, {"bbox": [1, 2]}]}', "cql2-json"),
    ("fiches-herentals", '{"op": "in", "args": [{"property": "sector"}, "Zorg"]}', "cql2-json"),
    ("fiches-herentals", "sector = 'Zorg'", "cql2-json"),           # text sent as JSON
    ("fiches-herentals", "sector = 'Zorg'", "ecql"),
]


@pytest.mark.parametrize("collection,text,lang", MALFORMED, ids=[f"{i:02d}" for i in range(len(MALFORMED))])
def test_malformed_filter_is_a_400_with_the_ogc_exception(client, collection, text, lang):
    query = {"filter": text} | ({"filter-lang": lang} if lang else {})
    response = client.get(f"/ogc/collections/{collection}/items?{urllib.parse.urlencode(query)}")
    assert response.status_code == 400, (text, response.status_code, response.get_data(as_text=True)[:300])
    error = response.get_json()
    assert error["code"] == "InvalidParameterValue"
    assert error["description"] and len(error["description"]) < 2000


def test_there_are_at_least_fifty_malformed_filters():
    assert len(MALFORMED) >= 50


@pytest.mark.parametrize("query", ["filter-lang=ecql", "filter-crs=EPSG:9999", "filter-crs=EPSG:4326&filter=x%20%3D",
                                   "filter=sector%20%3D%20'Zorg'&filter-crs=urn:nonsense"])
def test_bad_filter_lang_and_crs(client, query):
    assert get(client, f"/ogc/collections/fiches-herentals/items?{query}", 400)["code"] == "InvalidParameterValue"


def test_malformed_filter_asked_as_html_is_a_dutch_page(client):
    response = client.get("/ogc/collections/fiches-herentals/items?f=html&filter=sector%20%3D")
    assert response.status_code == 400 and response.content_type.startswith("text/html")
    assert "filter" in response.get_data(as_text=True)
