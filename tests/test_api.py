"""The map data endpoints /api/<slug>/{fiches,fasen,wijken}.geojson on both
databases: what they hold (published fiches only, the map's filters, bbox),
what zoom does to the geometry, HTTP caching and compression, bad input."""
from __future__ import annotations

import gzip
import re

import orjson
import pytest
import shapely
from shapely.geometry import shape
from sqlalchemy import select

from app.crs import transform
from app.models import Area, Fiche, Municipality
from app.read.queries import PROJECT_KINDS
from app.spatial import from_db

HERENTALS_BOX = "4.78,51.15,4.90,51.22"


def geojson(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.data
    assert response.mimetype == "application/geo+json"
    return orjson.loads(response.data)


def published_placed(session, slug):
    city = session.scalar(select(Municipality).where(Municipality.slug == slug))
    return list(session.scalars(select(Fiche).where(
        Fiche.municipality_id == city.id, Fiche.published.is_(True), Fiche.geom.is_not(None),
        Fiche.kind.in_(PROJECT_KINDS))))


def coordinate_count(collection) -> int:
    return sum(int(shapely.get_num_coordinates(shape(f["geometry"]))) for f in collection["features"])


def max_decimals(collection) -> int:
    text = orjson.dumps([f["geometry"] for f in collection["features"]]).decode()
    return max(len(d) for d in re.findall(r"\.(\d+)", text))


def test_fiches_are_the_published_placed_project_fiches(client, session):
    data = geojson(client, "/api/herentals/fiches.geojson")
    expected = published_placed(session, "herentals")
    assert expected, "the demo has placed Herentals fiches"
    assert sorted(f["id"] for f in data["features"]) == sorted(f.id for f in expected)
    one = data["features"][0]
    assert set(one["properties"]) >= {"id", "title", "status", "url", "municipality"}
    assert one["properties"]["url"] == f"/herentals/fiches/{one['id']}"
    # Exact geometry without a zoom: the database's shape in EPSG:4326.
    fiche = next(f for f in expected if f.id == one["id"])
    exact = transform(from_db(fiche.geom), 31370, 4326)
    assert shape(one["geometry"]).equals_exact(exact, 1e-6)


def test_map_filters_apply(client, session):
    everything = geojson(client, "/api/herentals/fiches.geojson")["features"]
    status = everything[0]["properties"]["status"]
    only = geojson(client, f"/api/herentals/fiches.geojson?status={status}")["features"]
    assert only and all(f["properties"]["status"] == status for f in only)
    assert len(only) == sum(f["properties"]["status"] == status for f in everything)
    assert geojson(client, "/api/herentals/fiches.geojson?q=zzzgeenenkeletitel")["features"] == []


def test_bbox_selects_what_intersects_it(client):
    everything = geojson(client, "/api/regio/fiches.geojson")["features"]
    halle = [f for f in everything if f["properties"]["municipality"] == "Halle"]
    herentals = [f for f in everything if f["properties"]["municipality"] == "Herentals"]
    assert halle and herentals
    boxed = geojson(client, f"/api/regio/fiches.geojson?bbox={HERENTALS_BOX}")["features"]
    box = shapely.box(*map(float, HERENTALS_BOX.split(",")))
    assert {f["id"] for f in boxed} == {f["id"] for f in everything if shape(f["geometry"]).intersects(box)}
    assert not {f["id"] for f in halle} & {f["id"] for f in boxed}
    assert geojson(client, "/api/regio/fiches.geojson?bbox=2.0,49.0,2.1,49.1")["features"] == []


def test_region_wijken_cover_every_municipality(client, session):
    data = geojson(client, "/api/regio/wijken.geojson")
    codes = {f["properties"]["code"] for f in data["features"]}
    assert codes == set(session.scalars(select(Area.code).where(Area.level == "wijk")))
    assert {c[:5] for c in codes} >= {"13011", "23027"}
    boxed = geojson(client, f"/api/regio/wijken.geojson?bbox={HERENTALS_BOX}&zoom=12")
    assert {f["properties"]["code"][:5] for f in boxed["features"]} == {"13011"}


def test_zoom_simplifies_and_rounds(client):
    exact = geojson(client, "/api/herentals/wijken.geojson")
    street = geojson(client, "/api/herentals/wijken.geojson?zoom=15")
    region = geojson(client, "/api/herentals/wijken.geojson?zoom=8")
    assert len(exact["features"]) == len(street["features"]) == len(region["features"]) == 10
    assert coordinate_count(region) < coordinate_count(street) <= coordinate_count(exact)
    assert coordinate_count(region) < coordinate_count(exact) / 2
    assert max_decimals(region) <= 3
    assert max_decimals(street) <= 5
    assert max_decimals(exact) > 5
    # Simplified shapes stay where they were: within a zoom-8 pixel (~600 m) of the exact ones.
    for a, b in zip(exact["features"], region["features"]):
        assert shape(a["geometry"]).hausdorff_distance(shape(b["geometry"])) < 0.01


def test_low_zoom_fiches_are_lean(client):
    detailed = geojson(client, "/api/herentals/fiches.geojson?zoom=14")["features"]
    lean = geojson(client, "/api/herentals/fiches.geojson?zoom=9")["features"]
    assert [f["id"] for f in lean] == [f["id"] for f in detailed]
    assert "title" in detailed[0]["properties"]
    assert set(lean[0]["properties"]) == {"id", "status", "url"}


def test_phases_belong_to_published_fiches(client, session):
    data = geojson(client, "/api/herentals/fasen.geojson?zoom=14")
    published = {f.id for f in session.scalars(select(Fiche).where(Fiche.published.is_(True)))}
    assert data["features"]
    for feature in data["features"]:
        p = feature["properties"]
        assert p["fiche_id"] in published
        assert p["start"] <= p["end"]
        assert p["url"].startswith("/herentals/fiches/")


def test_drafts_never_appear(scratch_app, scratch_session):
    draft = published_placed(scratch_session, "herentals")[0]
    assert draft.phases, "a placed demo fiche has phases"
    draft.published = False
    scratch_session.commit()
    client = scratch_app.test_client()
    for url in ("/api/herentals/fiches.geojson", "/api/regio/fiches.geojson?zoom=12",
                f"/api/regio/fiches.geojson?bbox={HERENTALS_BOX}&zoom=15"):
        assert draft.id not in {f["id"] for f in geojson(client, url)["features"]}
    phases = geojson(client, "/api/herentals/fasen.geojson")["features"]
    assert draft.id not in {f["properties"]["fiche_id"] for f in phases}


def test_etag_and_last_modified_give_304(client):
    url = "/api/herentals/fiches.geojson?zoom=12"
    first = client.get(url)
    assert first.status_code == 200
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag.startswith('W/"')
    assert "max-age=" in first.headers["Cache-Control"] and "public" in first.headers["Cache-Control"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304
    assert client.get(url, headers={"If-None-Match": 'W/"something-else"'}).status_code == 200
    other = client.get("/api/herentals/fiches.geojson?zoom=13")
    assert other.headers["ETag"] != etag


def test_an_edit_changes_the_etag(scratch_app, scratch_session):
    scratch_app.config["DATA_VERSION_TTL"] = 0
    client = scratch_app.test_client()
    url = "/api/herentals/fiches.geojson"
    etag = client.get(url).headers["ETag"]
    fiche = published_placed(scratch_session, "herentals")[0]
    fiche.title = "Nieuwe titel na een bewerking"
    scratch_session.commit()
    answer = client.get(url, headers={"If-None-Match": etag})
    assert answer.status_code == 200
    assert answer.headers["ETag"] != etag
    assert "Nieuwe titel na een bewerking" in answer.get_data(as_text=True)


def test_gzip_when_asked(client):
    url = "/api/regio/wijken.geojson"
    plain = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.data) == plain.data
    assert len(packed.data) < len(plain.data) / 2
    # The weak ETag is the same for both: one representation of the same data.
    assert packed.headers["ETag"] == plain.headers["ETag"]
    assert client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": plain.headers["ETag"]}
                      ).status_code == 304


def test_gzip_is_written_by_zlib_ng(client):
    """Answers are gzipped by zlib-ng (app/http/compression.py): its deflate
    stream differs from the standard zlib's at the same level, so compare the
    bodies after the 10-byte gzip header (which holds a time)."""
    from zlib_ng import gzip_ng

    from app.http.compression import GZIP_LEVEL

    url = "/api/regio/wijken.geojson"
    plain = client.get(url).data
    packed = client.get(url, headers={"Accept-Encoding": "gzip"}).data
    assert packed[10:] == gzip_ng.compress(plain, GZIP_LEVEL)[10:]
    assert packed[10:] != gzip.compress(plain, GZIP_LEVEL)[10:]
    # browsers that offer zstd get zstd, as before
    assert client.get(url, headers={"Accept-Encoding": "gzip, deflate, br, zstd"}
                      ).headers["Content-Encoding"] == "zstd"


def test_pages_are_compressed_and_keep_their_nonce(client):
    page = client.get("/regio", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"
    html = gzip.decompress(page.data).decode()
    nonce = re.search(r"'nonce-([^']+)'", page.headers["Content-Security-Policy"]).group(1)
    scripts = re.findall(r"<script\b([^>]*)>", html)
    inline = [attrs for attrs in scripts if "src=" not in attrs]
    assert inline and all(f'nonce="{nonce}"' in attrs for attrs in inline)


@pytest.mark.parametrize("query, word", [
    ("bbox=1,2,3", "bbox"),
    ("bbox=a,b,c,d", "bbox"),
    ("bbox=5,51,4,52", "bbox"),
    ("bbox=4,51,5,95", "bbox"),
    ("bbox=nan,51,5,52", "bbox"),
    ("zoom=23", "zoom"),
    ("zoom=-1", "zoom"),
    ("zoom=veel", "zoom"),
])
def test_bad_arguments_are_a_dutch_400(client, query, word):
    response = client.get(f"/api/regio/fiches.geojson?{query}")
    assert response.status_code == 400
    body = response.get_json()
    assert body["status"] == 400 and body["code"] == "Ongeldige aanvraag"
    assert body["description"].startswith(word + ":")


def test_unknown_city_is_a_dutch_404(client):
    response = client.get("/api/nergensdorp/fiches.geojson")
    assert response.status_code == 404
    assert "Onbekende gemeente" in response.get_json()["description"]
