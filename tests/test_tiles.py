"""Vector tiles /api/tiles/<layer>/<z>/<x>/<y>.mvt: decoded with
mapbox-vector-tile on PostGIS (what they hold, clusters at low zoom, drafts
absent, caching); a clear Dutch 404 on SpatiaLite."""
from __future__ import annotations

import gzip
import math

import mapbox_vector_tile
import pytest
import shapely
from sqlalchemy import create_engine, event, select, text

from app.crs import transform
from app.models import Fiche, Municipality
from app.read.queries import PROJECT_KINDS
from app.spatial import from_db
from app.read.tiles import CLUSTER_MAX_ZOOM
from conftest import dispose, make_test_app


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def placed_fiches(session, slug: str | None = None) -> list[Fiche]:
    stmt = select(Fiche).where(Fiche.published.is_(True), Fiche.geom.is_not(None), Fiche.kind.in_(PROJECT_KINDS))
    if slug:
        stmt = stmt.join(Municipality).where(Municipality.slug == slug)
    return list(session.scalars(stmt.order_by(Fiche.id)))


def a_point_fiche(session) -> tuple[Fiche, shapely.Point]:
    for fiche in placed_fiches(session, "herentals"):
        geom = from_db(fiche.geom)
        if geom.geom_type == "Point":
            return fiche, transform(geom, 31370, 4326)
    raise AssertionError("the demo has a Herentals point fiche")


def decode(response) -> dict:
    assert response.status_code == 200, response.data
    assert response.mimetype == "application/vnd.mapbox-vector-tile"
    body = gzip.decompress(response.data) if response.headers.get("Content-Encoding") == "gzip" else response.data
    return mapbox_vector_tile.decode(body)


def fiche_ids(response) -> set[int]:
    if response.status_code == 204:  # nothing in the tile
        return set()
    return {f["properties"]["id"] for f in decode(response)["fiches"]["features"]}


@pytest.fixture
def postgis(backend):
    if backend != "postgis":
        pytest.skip("vector tiles are made by PostGIS")


def test_street_tile_holds_the_fiche_with_its_title(postgis, client, session):
    fiche, point = a_point_fiche(session)
    x, y = tile_of(point.x, point.y, 15)
    tile = decode(client.get(f"/api/tiles/fiches/15/{x}/{y}.mvt"))
    features = {f["properties"]["id"]: f["properties"] for f in tile["fiches"]["features"]}
    assert fiche.id in features
    assert features[fiche.id]["title"] == fiche.title
    assert features[fiche.id]["m"] == "herentals"
    assert features[fiche.id]["status"] == fiche.status
    assert features[fiche.id]["indicative"] is (fiche.geometry_precision == "indicatief")
    assert features[fiche.id]["d"] == 0  # a point: the style draws a dot


def test_low_zoom_tiles_are_clusters_that_count_every_fiche(postgis, client, session):
    tile = decode(client.get("/api/tiles/fiches/0/0/0.mvt"))
    clusters = tile["fiches"]["features"]
    assert all(set(c["properties"]) == {"count", "status"} for c in clusters)
    assert sum(c["properties"]["count"] for c in clusters) == len(placed_fiches(session))
    # Herentals and Halle lie ~50 km apart: at zoom 8 they are separate clusters.
    assert len(decode(client.get("/api/tiles/fiches/8/131/85.mvt"))["fiches"]["features"]) >= 1
    assert CLUSTER_MAX_ZOOM < 15


def test_wijken_tile_holds_the_wijken(postgis, client):
    x, y = tile_of(4.83, 51.18, 12)
    tile = decode(client.get(f"/api/tiles/wijken/12/{x}/{y}.mvt"))
    codes = {f["properties"]["code"] for f in tile["wijken"]["features"]}
    assert codes and all(c.startswith("13011") for c in codes)
    assert all(f["properties"]["municipality"] == "Herentals" for f in tile["wijken"]["features"])


def test_drafts_are_not_in_tiles(postgis, scratch_app, scratch_session):
    fiche, point = a_point_fiche(scratch_session)
    fiche.published = False
    scratch_session.commit()
    client = scratch_app.test_client()
    x, y = tile_of(point.x, point.y, 15)
    assert fiche.id not in fiche_ids(client.get(f"/api/tiles/fiches/15/{x}/{y}.mvt"))
    clusters = decode(client.get("/api/tiles/fiches/0/0/0.mvt"))["fiches"]["features"]
    assert sum(c["properties"]["count"] for c in clusters) == len(placed_fiches(scratch_session))


def test_filters_apply_to_tiles(postgis, client, session):
    fiche, point = a_point_fiche(session)
    x, y = tile_of(point.x, point.y, 15)
    other = "geschrapt" if fiche.status != "geschrapt" else "lopend"
    assert fiche.id in fiche_ids(client.get(f"/api/tiles/fiches/15/{x}/{y}.mvt"))
    assert fiche.id not in fiche_ids(client.get(f"/api/tiles/fiches/15/{x}/{y}.mvt?status={other}"))


def test_empty_tile_is_204(postgis, client):
    response = client.get("/api/tiles/fiches/10/0/0.mvt")
    assert response.status_code == 204
    assert response.data == b""


def test_tiles_are_cached_and_compressed(postgis, client):
    url = "/api/tiles/wijken/8/131/85.mvt"
    plain = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data
    assert "public" in plain.headers["Cache-Control"]
    assert client.get(url, headers={"If-None-Match": plain.headers["ETag"]}).status_code == 304


def retitle_behind_the_apps_back(url: str, fiche_id: int, title: str) -> None:
    """A change the data version does not see (as a restored backup or a hand
    edit would be): what a kept tile keeps showing and a fresh tile shows."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE fiches SET title = :t WHERE id = :i"), {"t": title, "i": fiche_id})
    engine.dispose()


def tile_titles(client, url: str) -> dict[int, str]:
    return {f["properties"]["id"]: f["properties"]["title"] for f in decode(client.get(url))["fiches"]["features"]}


def test_tile_cache_size_0_makes_every_tile_afresh(postgis, scratch_app, scratch_session):
    fiche, point = a_point_fiche(scratch_session)
    x, y = tile_of(point.x, point.y, 15)
    url = f"/api/tiles/fiches/15/{x}/{y}.mvt"
    database = scratch_app.config["DATABASE_URL"]
    afresh = make_test_app(database, TILE_CACHE_SIZE="0")  # as FICHEKAART_TILE_CACHE_SIZE=0 gives it
    try:
        kept_client, afresh_client = scratch_app.test_client(), afresh.test_client()
        assert tile_titles(kept_client, url)[fiche.id] == fiche.title
        assert tile_titles(afresh_client, url)[fiche.id] == fiche.title
        retitle_behind_the_apps_back(database, fiche.id, "Nieuwe titel")
        assert tile_titles(kept_client, url)[fiche.id] == fiche.title  # the kept tile
        assert tile_titles(afresh_client, url)[fiche.id] == "Nieuwe titel"  # made again
    finally:
        dispose(afresh)


def test_a_tile_is_one_statement_outside_a_transaction(postgis, app):
    # Nothing kept; the data version read once, by the first request.
    afresh = make_test_app(app.config["DATABASE_URL"], TILE_CACHE_SIZE=0, DATA_VERSION_TTL=60)
    client, engine = afresh.test_client(), afresh.extensions["fichekaart.engine"]
    statements = []

    def note(conn, _cursor, statement, _parameters, _context, _many):
        statements.append((statement, conn.connection.dbapi_connection.autocommit))

    try:
        assert client.get("/api/tiles/fiches/12/2098/1365.mvt").status_code in (200, 204)
        event.listen(engine, "before_cursor_execute", note)
        for z, x, y in ((0, 0, 0), (8, 131, 85), (15, 16791, 10921)):  # clusters, clusters, fiches
            for layer in ("fiches", "wijken"):
                statements.clear()
                assert client.get(f"/api/tiles/{layer}/{z}/{x}/{y}.mvt").status_code in (200, 204)
                assert len(statements) == 1, statements
                # psycopg in autocommit mode: no BEGIN sent before it, no ROLLBACK after it
                assert "ST_AsMVT(" in statements[0][0] and statements[0][1] is True
    finally:
        dispose(afresh)


def test_the_apps_postgresql_connections_run_without_jit(postgis, session):
    # JIT compiled a 500 ms cluster tile for 700 ms; off per connection, it costs no statement per tile.
    assert session.execute(text("SHOW jit")).scalar() == "off"


@pytest.mark.parametrize("path, word", [
    ("/api/tiles/straten/8/131/85.mvt", "Onbekende laag"),
    ("/api/tiles/fiches/8/300/85.mvt", "bestaat niet"),
    ("/api/tiles/fiches/23/0/0.mvt", "Zoomniveau"),
    ("/api/tiles/fiches/8/131/85.mvt?gemeente=nergensdorp", "Onbekende gemeente"),
])
def test_bad_tile_addresses_are_a_dutch_404(postgis, client, path, word):
    response = client.get(path)
    assert response.status_code == 404
    assert word in response.get_json()["description"]


def test_spatialite_says_tiles_need_postgis(backend, client):
    if backend != "spatialite":
        pytest.skip("SpatiaLite only")
    response = client.get("/api/tiles/fiches/8/131/85.mvt")
    assert response.status_code == 404
    body = response.get_json()
    assert body["status"] == 404
    assert "PostGIS" in body["description"] and "GeoJSON" in body["description"]
