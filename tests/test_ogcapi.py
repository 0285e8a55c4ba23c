"""OGC API - Features (/ogc) through the Flask test client, on both databases:
documents, counts, paging, CRS and axis order, bbox, datetime, filters,
errors, HTML, and drafts that never show."""
from __future__ import annotations

import datetime as dt

import pytest
import shapely
from pyproj import Transformer
from sqlalchemy import func, select

from app.crs import transform
from app.models import Area, Fiche, IndicatorValue, Municipality
from app.read.records import FICHE_FIELDS, PHASE_FIELDS
from app.read.queries import FicheFilters, count_fiches, select_fiches
from app.spatial import from_db

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/{}"
STATIC = {"fasen", "wijken", "indicatoren-wijken", "stadscijfers"}
FAMILIES = {"punten": "MultiPoint", "lijnen": "MultiLineString", "vlakken": "MultiPolygon", "zonder-ligging": None}
GROTE_MARKT_31370 = (182_400, 207_200, 183_000, 207_800)


def get_json(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.get_data(as_text=True)[:500])
    return response.get_json()


def all_features(client, url):
    """Follow the next links from `url` and return every feature."""
    features, seen = [], 0
    while url:
        doc = get_json(client, url)
        features += doc["features"]
        url = next((link["href"] for link in doc["links"] if link["rel"] == "next"), None)
        seen += 1
        assert seen < 100
    return features


def refs(features):
    return {f["properties"]["ref"] for f in features}


def public_fiches(session, **filters):
    return select_fiches(session, FicheFilters(municipality="herentals", **filters))


def public_phases(session):
    """The phases the fasen collection must hold: dated, with a place, of a
    published project (the rule of app.read.features.phase_features)."""
    return [p for f in select_fiches(session, FicheFilters()) for p in f.phases
            if p.start and p.end and (p.geom is not None or f.geom is not None)]


def phase_geometry(phase, session):
    fiche = session.get(Fiche, phase.fiche_id)
    return from_db(phase.geom if phase.geom is not None else fiche.geom)


# -- documents ----------------------------------------------------------------

def test_landing_page_links(client):
    doc = get_json(client, "/ogc/")
    rels = {link["rel"]: link for link in doc["links"]}
    assert {"self", "service-desc", "service-doc", "conformance", "data"} <= set(rels)
    assert rels["service-desc"]["type"] == "application/vnd.oai.openapi+json;version=3.0"
    assert rels["service-doc"]["type"] == "text/html"
    assert rels["data"]["href"].endswith("/ogc/collections")
    assert client.get("/ogc").status_code == 200  # without the slash too (GDAL's root URL)


def test_conformance_classes(client):
    classes = get_json(client, "/ogc/conformance")["conformsTo"]
    for part in ("features-1/1.0/conf/core", "features-1/1.0/conf/geojson", "features-1/1.0/conf/html",
                 "features-1/1.0/conf/oas30", "features-2/1.0/conf/crs"):
        assert f"http://www.opengis.net/spec/ogcapi-{part}" in classes


def test_collections_come_from_the_database(client, session):
    doc = get_json(client, "/ogc/collections")
    slugs = session.scalars(select(Municipality.slug)).all()
    per_city = {f"{kind}-{s}-{family}" for s in slugs for kind in ("fiches", "fasen") for family in FAMILIES}
    assert {c["id"] for c in doc["collections"]} == {f"fiches-{s}" for s in slugs} | per_city | STATIC
    assert {"fiches-herentals", "fiches-halle"} <= {c["id"] for c in doc["collections"]}
    for c in doc["collections"]:
        assert c["crs"] == [CRS84, EPSG.format(4326), EPSG.format(31370), EPSG.format(3812)]
        assert c["storageCrs"] == EPSG.format(31370)
        if c["geometryType"] is None or ("extent" not in c and c["id"].split("-")[-1] in FAMILIES):
            assert "spatial" not in c.get("extent", {}), c["id"]   # no place, or none of that family here
            continue
        minx, miny, maxx, maxy = c["extent"]["spatial"]["bbox"][0]
        assert 2.5 < minx <= maxx < 6.5 and 49.4 < miny <= maxy < 51.6, c["id"]  # lon/lat in Belgium
        assert c["description"] and c["title"]


def test_extent_covers_the_data(client, session):
    doc = get_json(client, "/ogc/collections/fiches-herentals")
    box = shapely.box(*doc["extent"]["spatial"]["bbox"][0]).buffer(1e-6)
    for fiche in public_fiches(session):
        if fiche.geom is not None:
            assert box.contains(transform(from_db(fiche.geom), 31370, 4326)), fiche.ref
    assert "temporal" in doc["extent"]


def test_phases_have_a_temporal_extent(client, session):
    interval = get_json(client, "/ogc/collections/fasen")["extent"]["temporal"]["interval"][0]
    phases = public_phases(session)
    assert interval[0][:10] == min(p.start for p in phases).isoformat()
    assert interval[1][:10] == max(p.end for p in phases).isoformat()


def test_openapi_describes_each_collection(client):
    response = client.get("/ogc/openapi")
    assert response.headers["Content-Type"] == "application/vnd.oai.openapi+json;version=3.0"
    doc = response.get_json(force=True)
    assert doc["openapi"].startswith("3.0")
    assert doc["components"]["parameters"]["limit"]["schema"]["maximum"] == 10_000
    items = doc["paths"]["/collections/fiches-herentals/items"]["get"]["parameters"]
    names = {p.get("name") for p in items} | {p.get("$ref", "").rsplit("/", 1)[-1] for p in items}
    assert {"limit", "offset", "bbox", "bbox-crs", "crs", "datetime", "sector", "status", "code", "q", "wijk"} <= names
    assert "/collections/fasen/items/{featureId}" in doc["paths"]


def test_queryables_are_json_schema(client):
    response = client.get("/ogc/collections/fiches-herentals/queryables")
    assert response.headers["Content-Type"].startswith("application/schema+json")
    doc = response.get_json(force=True)
    assert doc["type"] == "object" and {"sector", "status", "code", "nummer"} <= set(doc["properties"])
    assert doc["properties"]["prioritair"]["type"] == "boolean"


def test_feature_schema_gives_field_types(client):
    """The describedBy schema: GDAL takes field types from it."""
    doc = get_json(client, "/ogc/collections/fasen")
    href = next(link["href"] for link in doc["links"] if link["rel"].lower() == "describedby"
                and link["type"] == "application/schema+json")
    fields = get_json(client, href.replace("http://localhost", ""))["properties"]["properties"]["properties"]
    assert fields["start"] == {"type": "string", "format": "date", "title": "Start"}
    assert fields["illustratief"]["type"] == "boolean" and fields["volgorde"]["type"] == "integer"


# -- items: counts, paging ------------------------------------------------------

def test_counts_equal_the_database(client, session):
    assert get_json(client, "/ogc/collections/fiches-herentals/items")["numberMatched"] == 110
    assert get_json(client, "/ogc/collections/fiches-halle/items")["numberMatched"] == 21
    assert get_json(client, "/ogc/collections/fasen/items")["numberMatched"] == len(public_phases(session))
    wijken = session.scalar(select(func.count(Area.id)).where(Area.level == "wijk"))
    assert get_json(client, "/ogc/collections/wijken/items")["numberMatched"] == wijken == 20
    values = session.scalar(select(func.count(IndicatorValue.id)).join(Area).where(Area.level == "wijk"))
    assert get_json(client, "/ogc/collections/indicatoren-wijken/items")["numberMatched"] == values > 0


def test_paging_with_next_and_prev(client, session):
    first = get_json(client, "/ogc/collections/fiches-herentals/items")
    assert first["numberReturned"] == 10 and len(first["features"]) == 10  # default limit
    assert "timeStamp" in first and not any(link["rel"] == "prev" for link in first["links"])
    features = all_features(client, "/ogc/collections/fiches-herentals/items?limit=25")
    ids = [f["id"] for f in features]
    assert len(ids) == len(set(ids)) == 110
    assert set(ids) == {f.id for f in public_fiches(session)}
    second = get_json(client, "/ogc/collections/fiches-herentals/items?limit=25&offset=25")
    prev = next(link["href"] for link in second["links"] if link["rel"] == "prev")
    assert "offset=0" in prev
    last = get_json(client, "/ogc/collections/fiches-herentals/items?limit=25&offset=100")
    assert last["numberReturned"] == 10 and not any(link["rel"] == "next" for link in last["links"])


def test_fiches_with_a_place_come_first(client):
    """QGIS 3.22 takes a layer's geometry type from the first page (limit=10):
    a first page of fiches without a place made it a table without geometry."""
    placed = [f["geometry"] is not None for f in all_features(client, "/ogc/collections/fiches-herentals/items?limit=1000")]
    assert placed[0] and placed == sorted(placed, reverse=True)


@pytest.mark.parametrize("query", ["limit=0", "limit=10001", "limit=tien", "offset=-1", "offset=1.5"])
def test_bad_paging_is_400(client, query):
    doc = get_json(client, f"/ogc/collections/wijken/items?{query}", 400)
    assert doc["code"] == "InvalidParameterValue" and doc["description"]


# -- CRS and axis order --------------------------------------------------------------

def test_lambert72_output_matches_the_database_to_a_millimetre(client, session):
    response = client.get(f"/ogc/collections/fiches-herentals/items?limit=200&crs={EPSG.format(31370)}")
    assert response.headers["Content-Crs"] == f"<{EPSG.format(31370)}>"
    stored = {f.id: from_db(f.geom) for f in public_fiches(session)}
    checked = 0
    for feature in response.get_json()["features"]:
        geom = feature["geometry"]
        if geom is None:
            assert stored[feature["id"]] is None
            continue
        assert shapely.geometry.shape(geom).equals_exact(stored[feature["id"]], tolerance=0.001)
        checked += 1
    assert checked == sum(1 for g in stored.values() if g is not None) > 0


def test_axis_order_crs84_lon_lat_and_epsg4326_lat_lon(client, session):
    fiche = next(f for f in public_fiches(session) if f.geom is not None and from_db(f.geom).geom_type == "Point")
    point = from_db(fiche.geom)
    # pyproj in the EPSG axis order (no always_xy): latitude first. WGS 84 is
    # written as ETRS89 through the NGI grid (app.crs.THROUGH_ETRS89).
    lat, lon = Transformer.from_crs("EPSG:31370", "EPSG:4258").transform(point.x, point.y)
    url = f"/ogc/collections/fiches-herentals/items/{fiche.id}"
    crs84 = client.get(url)
    assert crs84.headers["Content-Crs"] == f"<{CRS84}>"
    assert crs84.get_json()["geometry"]["coordinates"] == pytest.approx([lon, lat], abs=1e-7)
    epsg4326 = client.get(f"{url}?crs={EPSG.format(4326)}")
    assert epsg4326.headers["Content-Crs"] == f"<{EPSG.format(4326)}>"
    assert epsg4326.get_json()["geometry"]["coordinates"] == pytest.approx([lat, lon], abs=1e-7)
    x, y = Transformer.from_crs("EPSG:31370", "EPSG:3812", always_xy=True).transform(point.x, point.y)
    lambert2008 = client.get(f"{url}?crs={EPSG.format(3812)}").get_json()["geometry"]["coordinates"]
    assert lambert2008 == pytest.approx([x, y], abs=0.001)


def test_short_crs_forms_are_accepted(client):
    for value in ("EPSG:31370", "[EPSG:31370]", "https://www.opengis.net/def/crs/EPSG/0/31370"):
        response = client.get(f"/ogc/collections/wijken/items?limit=1&crs={value}")
        assert response.headers["Content-Crs"] == f"<{EPSG.format(31370)}>"


@pytest.mark.parametrize("query", [
    "crs=EPSG:28992", f"crs={EPSG.format(9999)}", "bbox=1,2,3", "bbox=5,51,4,52", "bbox=a,b,c,d",
    f"bbox=1,2,3,4&bbox-crs={EPSG.format(28992)}", f"bbox=200,4,201,5&bbox-crs={EPSG.format(4326)}",
])
def test_bad_crs_or_bbox_is_400(client, query):
    doc = get_json(client, f"/ogc/collections/fiches-herentals/items?{query}", 400)
    assert doc["code"] == "InvalidParameterValue"


# -- bbox -------------------------------------------------------------------------------

def test_bbox_in_each_crs_selects_what_shapely_selects(client, session):
    fiches = [f for f in public_fiches(session) if f.geom is not None]
    box31370 = shapely.box(*GROTE_MARKT_31370)
    expected = {f.ref for f in fiches if from_db(f.geom).intersects(box31370)}
    assert expected
    got = all_features(client, "/ogc/collections/fiches-herentals/items?limit=1000&bbox="
                       + ",".join(map(str, GROTE_MARKT_31370)) + f"&bbox-crs={EPSG.format(31370)}")
    assert refs(got) == expected

    # The same place as a lon/lat box: a different shape in Lambert 72, so
    # shapely answers in lon/lat.
    lon1, lat1, lon2, lat2 = (round(v, 5) for v in transform(box31370, 31370, 4326).bounds)
    lonlat_box = shapely.box(lon1, lat1, lon2, lat2)
    expected_ll = {f.ref for f in fiches if transform(from_db(f.geom), 31370, 4326).intersects(lonlat_box)}
    got_crs84 = all_features(client, f"/ogc/collections/fiches-herentals/items?limit=1000&bbox={lon1},{lat1},{lon2},{lat2}")
    got_4326 = all_features(client, f"/ogc/collections/fiches-herentals/items?limit=1000"
                                    f"&bbox={lat1},{lon1},{lat2},{lon2}&bbox-crs={EPSG.format(4326)}")
    assert refs(got_crs84) == refs(got_4326) == expected_ll and expected <= expected_ll


def test_bbox_on_phases_wijken_and_indicators(client, session):
    box = shapely.box(*GROTE_MARKT_31370)
    query = "limit=1000&bbox=" + ",".join(map(str, GROTE_MARKT_31370)) + f"&bbox-crs={EPSG.format(31370)}"
    phases = all_features(client, f"/ogc/collections/fasen/items?{query}")
    assert {f["id"] for f in phases} == {p.id for p in public_phases(session) if phase_geometry(p, session).intersects(box)}
    wijken = all_features(client, f"/ogc/collections/wijken/items?{query}")
    areas = session.scalars(select(Area).where(Area.level == "wijk")).all()
    assert {f["id"] for f in wijken} == {a.code for a in areas if from_db(a.geom).intersects(box)} != set()
    values = all_features(client, f"/ogc/collections/indicatoren-wijken/items?{query}")
    assert {f["properties"]["gebied_code"] for f in values} == {f["id"] for f in wijken}


def test_bbox_far_away_matches_nothing(client, session):
    assert get_json(client, "/ogc/collections/fiches-herentals/items?bbox=100,10,110,20")["numberMatched"] == 0
    placed = sum(1 for f in public_fiches(session) if f.geom is not None)  # no place: never in a bbox
    assert get_json(client, "/ogc/collections/fiches-herentals/items?bbox=-180,-90,180,90")["numberMatched"] == placed


# -- datetime -----------------------------------------------------------------------

def overlapping(phases, start, end):
    return {p.id for p in phases if (end is None or p.start <= end) and (start is None or p.end >= start)}


@pytest.mark.parametrize("value,start,end", [
    ("2027-05-01", dt.date(2027, 5, 1), dt.date(2027, 5, 1)),
    ("2027-05-01T12:00:00Z", dt.date(2027, 5, 1), dt.date(2027, 5, 1)),
    ("2026-01-01/2026-12-31", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    ("../2025-12-31", None, dt.date(2025, 12, 31)),
    ("2029-01-01/..", dt.date(2029, 1, 1), None),
    ("2029-01-01T/", dt.date(2029, 1, 1), None),   # GDAL writes a bare T
])
def test_datetime_on_phases(client, session, value, start, end):
    got = {f["id"] for f in all_features(client, f"/ogc/collections/fasen/items?limit=1000&datetime={value}")}
    assert got == overlapping(public_phases(session), start, end)


def test_datetime_on_fiches_uses_phases_and_budget_years(client, session):
    fiches = public_fiches(session)
    got = refs(all_features(client, "/ogc/collections/fiches-herentals/items?limit=1000&datetime=2029-03-01/2029-03-31"))
    expected = {f.ref for f in fiches
                if any(p.start and p.end and p.start <= dt.date(2029, 3, 31) and p.end >= dt.date(2029, 3, 1)
                       for p in f.phases)
                or any(line.year == 2029 for line in f.budget_lines)}
    assert got == expected and expected


@pytest.mark.parametrize("url", [
    "/ogc/collections/fasen/items?datetime=gisteren",
    "/ogc/collections/fasen/items?datetime=2027-13-01",
    "/ogc/collections/fasen/items?datetime=2028-01-01/2027-01-01",
    "/ogc/collections/wijken/items?datetime=2027-01-01",
])
def test_bad_datetime_is_400(client, url):
    assert get_json(client, url, 400)["code"] == "InvalidParameterValue"


# -- property filters -----------------------------------------------------------------

def test_property_filters(client, session):
    so = get_json(client, "/ogc/collections/fiches-herentals/items?sector=Stadsontwikkeling&limit=100")
    assert so["numberMatched"] == count_fiches(session, FicheFilters(municipality="herentals", sector="Stadsontwikkeling")) == 39
    assert {f["properties"]["sector"] for f in so["features"]} == {"Stadsontwikkeling"}
    by_code = get_json(client, "/ogc/collections/fiches-halle/items?code=V2.6")
    assert [f["properties"]["ref"] for f in by_code["features"]] == ["HAL-V2.6"]
    rwa = get_json(client, "/ogc/collections/fiches-herentals/items?q=rwa-as")
    assert refs(rwa["features"]) == {"HER-SO-05", "HER-SO-06", "HER-SO-07", "HER-SO-08"}
    illustrative = get_json(client, "/ogc/collections/fasen/items?illustratief=true&limit=1")
    assert illustrative["numberMatched"] == sum(1 for p in public_phases(session) if p.illustrative)
    values = all_features(client, "/ogc/collections/indicatoren-wijken/items?indicator_code=bevolking&limit=1000")
    assert values and {f["properties"]["indicator_code"] for f in values} == {"bevolking"}


def test_every_queryable_filters_exactly(client):
    for collection in ("fiches-herentals", "fasen", "wijken", "indicatoren-wijken"):
        names = get_json(client, f"/ogc/collections/{collection}/queryables")["properties"]
        sample = get_json(client, f"/ogc/collections/{collection}/items?limit=1")["features"][0]["properties"]
        for name in names:
            if names[name].get("format", "").startswith("geometry"):
                continue  # the spatial queryable: bbox, or filter=S_INTERSECTS(...) (tests/test_ogcapi_cql.py)
            value = sample[name]
            if value is None:
                continue
            text = str(value).lower() if isinstance(value, bool) else str(value)
            doc = get_json(client, f"/ogc/collections/{collection}/items?limit=1000&{name}={text}")
            assert doc["numberMatched"] >= 1, (collection, name)
            assert all(f["properties"][name] == value for f in doc["features"]), (collection, name)


@pytest.mark.parametrize("query", ["kleur=rood", "prioritair=misschien", "fiche_id=abc", "sdg=x"])
def test_unknown_or_bad_filter_is_400(client, query):
    collection = "fasen" if query.startswith("fiche_id") else "fiches-herentals"
    assert get_json(client, f"/ogc/collections/{collection}/items?{query}", 400)["code"] == "InvalidParameterValue"


# -- one item, errors -----------------------------------------------------------------

def test_one_item_per_collection(client, session):
    fiche = public_fiches(session)[0]
    doc = get_json(client, f"/ogc/collections/fiches-herentals/items/{fiche.id}")
    assert doc["type"] == "Feature" and doc["id"] == fiche.id and doc["properties"]["ref"] == fiche.ref
    phase = public_phases(session)[0]
    assert get_json(client, f"/ogc/collections/fasen/items/{phase.id}")["properties"]["titel"] == phase.title
    wijk = session.scalar(select(Area).where(Area.level == "wijk").order_by(Area.code))
    assert get_json(client, f"/ogc/collections/wijken/items/{wijk.code}")["properties"]["naam"] == wijk.name
    response = client.get(f"/ogc/collections/wijken/items/{wijk.code}?crs=EPSG:31370")
    assert response.headers["Content-Crs"] == f"<{EPSG.format(31370)}>"


def test_not_found_is_404_json(client, session):
    halle = select_fiches(session, FicheFilters(municipality="halle"))[0]
    for url in ("/ogc/collections/bestaat-niet", "/ogc/collections/fiches-gent/items",
                "/ogc/collections/fiches-herentals/items/999999", "/ogc/collections/fiches-herentals/items/abc",
                f"/ogc/collections/fiches-herentals/items/{halle.id}",  # a Halle fiche is not in Herentals
                "/ogc/collections/wijken/items/XXX"):
        doc = get_json(client, url, 404)
        assert doc["code"] == "NotFound" and doc["description"]


def test_headings_are_not_features(client, session):
    heading = session.scalar(select(Fiche).where(Fiche.kind.not_in(("fiche", "actieplan", "actie"))))
    assert heading is not None
    get_json(client, f"/ogc/collections/fiches-{heading.municipality.slug}/items/{heading.id}", 404)


def test_format_parameter(client):
    assert client.get("/ogc/collections?f=xml").status_code == 400
    assert client.get("/ogc/collections", headers={"Accept": "text/html"}).mimetype == "text/html"
    assert client.get("/ogc/collections", headers={"Accept": "*/*"}).mimetype == "application/json"
    assert client.get("/ogc/collections/wijken/items").mimetype == "application/geo+json"


# -- HTML ---------------------------------------------------------------------------

@pytest.mark.parametrize("url,words", [
    ("/ogc/?f=html", ["Collecties", "Documentatie"]),
    ("/ogc/collections?f=html", ["Projectfiches Herentals", "Fasen", "Wijken"]),
    ("/ogc/collections/fasen?f=html", ["Periode", "Lambert 72", "illustratief"]),
    ("/ogc/collections/fiches-herentals/items?f=html", ["van 110 kenmerken", "Volgende"]),
    ("/ogc/collections/indicatoren-wijken/items?f=html", ["Indicator", "Periode"]),
    ("/ogc/openapi?f=html", ["Coördinatenstelsels", "breedte, lengte", "ogr2ogr", "curl"]),
    ("/ogc/conformance?f=html", ["Conformiteitsklassen"]),
    ("/ogc/collections/wijken/queryables?f=html", ["filteren"]),
    ("/ogc/collections/fasen/schema?f=html", ["einde", "date", "Illustratief (voorbeeldplanning)"]),
])
def test_html_pages_are_dutch(client, url, words):
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/html"
    text = response.get_data(as_text=True)
    assert '<html lang="nl-BE">' in text
    for word in words:
        assert word in text, word


def test_html_error_page(client):
    response = client.get("/ogc/collections/bestaat-niet?f=html")
    assert response.status_code == 404 and "bestaat niet" in response.get_data(as_text=True)


# -- drafts and staff fields ----------------------------------------------------------

def test_properties_are_the_public_whitelist(client):
    fiche = get_json(client, "/ogc/collections/fiches-herentals/items?limit=1")["features"][0]["properties"]
    assert list(fiche) == [f.name for f in FICHE_FIELDS]
    phase = get_json(client, "/ogc/collections/fasen/items?limit=1")["features"][0]["properties"]
    assert list(phase) == [f.name for f in PHASE_FIELDS]
    for staff_only in ("version", "created_at", "updated_at", "published", "user", "email"):
        assert staff_only not in fiche


def test_drafts_never_appear(scratch_app):
    from app.db import get_session

    with scratch_app.app_context():
        session = get_session()
        draft = next(f for f in public_fiches(session)
                     if f.geom is not None and any(p.start and p.end for p in f.phases))
        draft_id, draft_ref, title = draft.id, draft.ref, draft.title
        phase_ids = [p.id for p in draft.phases]
        other = next(f for f in public_fiches(session) if f.id != draft_id)
        from app.models import Dependency
        other.dependencies = [*other.dependencies, Dependency(depends_on=draft)]
        draft.published = False
        session.commit()
        point = from_db(draft.geom).representative_point()
    client = scratch_app.test_client()

    features = all_features(client, "/ogc/collections/fiches-herentals/items?limit=1000")
    assert draft_id not in {f["id"] for f in features} and len(features) == 109
    assert get_json(client, "/ogc/collections/fiches-herentals/items")["numberMatched"] == 109
    assert all(draft_ref not in (f["properties"]["hangt_af_van"] or "") for f in features)
    get_json(client, f"/ogc/collections/fiches-herentals/items/{draft_id}", 404)
    phases = all_features(client, "/ogc/collections/fasen/items?limit=10000")
    assert not {f["id"] for f in phases} & set(phase_ids)
    assert all(f["properties"]["fiche_id"] != draft_id for f in phases)
    for phase_id in phase_ids:
        get_json(client, f"/ogc/collections/fasen/items/{phase_id}", 404)
    box = f"{point.x - 1},{point.y - 1},{point.x + 1},{point.y + 1}&bbox-crs={EPSG.format(31370)}"
    nearby = all_features(client, f"/ogc/collections/fiches-herentals/items?limit=1000&bbox={box}")
    assert draft_id not in {f["id"] for f in nearby}
    assert get_json(client, f"/ogc/collections/fiches-herentals/items?ref={draft_ref}")["numberMatched"] == 0
    html = client.get("/ogc/collections/fiches-herentals/items?f=html&limit=1000").get_data(as_text=True)
    assert title not in html


def test_html_escapes_text(scratch_app):
    from app.db import get_session

    with scratch_app.app_context():
        session = get_session()
        fiche = public_fiches(session)[0]
        fiche.title = '<script>alert("x")</script>'
        session.commit()
        fiche_id = fiche.id
    client = scratch_app.test_client()
    text = client.get(f"/ogc/collections/fiches-herentals/items/{fiche_id}?f=html").get_data(as_text=True)
    assert "<script>alert" not in text and "&lt;script&gt;" in text
    # JSON carries the text as the city wrote it
    assert get_json(client, f"/ogc/collections/fiches-herentals/items/{fiche_id}")["properties"]["titel"].startswith("<script>")


@pytest.mark.parametrize("bbox", [(182716.77, 207503.14, 182716.77, 207503.14),
                                  (182700.0, 207500.0, 182700.0, 207900.0),
                                  (182700.0, 207500.0, 183100.0, 207900.0)])
def test_collection_extent_of_a_point_or_a_straight_line(bbox):
    """A collection whose features are one point (or one axis-parallel line)
    still gets a CRS84 extent that contains them."""
    from app.ogcapi.documents import _crs84_bbox

    west, south, east, north = _crs84_bbox(bbox)
    lon, lat = transform(shapely.Point(bbox[0], bbox[1]), 31370, 4326).coords[0]
    assert west <= round(lon, 6) <= east and south <= round(lat, 6) <= north
    assert 4.8 < west < 4.9 and 51.1 < south < 51.2
