"""One layout for every city (issue 11 items 1 and 6), on both databases:
the /ogc collections per geometry family hold one Multi type each (every
page walked), and Herentals' and Halle's downloads have identical layer
names, geometry types, column names and column types; phase dates are
dates, every fiche says when it changed, phases and budget lines carry a
natural key, and the real city figures are a collection and a layer."""
from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import zipfile

import pyogrio
import pytest
from sqlalchemy import select

from app.models import Municipality
from app.read.pages import real_city_figures
from app.read.queries import FicheFilters, select_fiches

CITIES = ("herentals", "halle")
FAMILIES = {"punten": "MultiPoint", "lijnen": "MultiLineString", "vlakken": "MultiPolygon", "zonder-ligging": None}
EPSG_31370 = "http://www.opengis.net/def/crs/EPSG/0/31370"


def get_json(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.get_data(as_text=True)[:300])
    return response.get_json()


def walk(client, url):
    """Every feature of a collection, following the next links."""
    features = []
    while url:
        doc = get_json(client, url)
        features += doc["features"]
        url = next((link["href"] for link in doc["links"] if link["rel"] == "next"), None)
    return features


# -- /ogc -----------------------------------------------------------------------

@pytest.mark.parametrize("city", CITIES)
def test_each_family_collection_holds_one_geometry_type(client, session, city):
    fiche_refs, phase_keys = [], []
    for family, geometry_type in FAMILIES.items():
        for kind, seen in (("fiches", fiche_refs), ("fasen", phase_keys)):
            collection_id = f"{kind}-{city}-{family}"
            doc = get_json(client, f"/ogc/collections/{collection_id}")
            assert doc["geometryType"] == geometry_type
            schema = get_json(client, f"/ogc/collections/{collection_id}/schema")
            geometry = schema["properties"]["geometry"]
            assert geometry.get("$ref", "null").endswith(f"/{geometry_type}.json" if geometry_type else "null")
            features = walk(client, f"/ogc/collections/{collection_id}/items?limit=7&crs={EPSG_31370}")
            for feature in features:
                actual = feature["geometry"]["type"] if feature["geometry"] else None
                assert actual == geometry_type, (collection_id, feature["id"])
            seen += [f["properties"]["ref" if kind == "fiches" else "sleutel"] for f in features]
    # the families together are the whole city, each fiche and phase once
    published = select_fiches(session, FicheFilters(municipality=city))
    assert sorted(fiche_refs) == sorted(f.ref for f in published)
    assert sorted(phase_keys) == sorted(f"{f.ref}-f{p.position}" for f in published for p in f.phases)
    whole = get_json(client, f"/ogc/collections/fiches-{city}/items?limit=1")
    assert whole["numberMatched"] == len(fiche_refs)


def test_family_collections_filter_and_404(client):
    points = get_json(client, "/ogc/collections/fiches-herentals-punten/items?limit=1000")
    some = points["features"][0]
    assert get_json(client, f"/ogc/collections/fiches-herentals-punten/items/{some['id']}")["id"] == some["id"]
    assert client.get(f"/ogc/collections/fiches-herentals-lijnen/items/{some['id']}").status_code == 404
    assert client.get("/ogc/collections/fiches-herentals-cirkels").status_code == 404
    assert client.get("/ogc/collections/fasen-herentals").status_code == 404     # phases: only per family
    sector = some["properties"]["sector"]
    filtered = get_json(client, f"/ogc/collections/fiches-herentals-punten/items?sector={sector}&limit=1000")
    assert filtered["numberMatched"] == sum(f["properties"]["sector"] == sector for f in points["features"])


def test_records_carry_the_new_fields(client, session):
    feature = get_json(client, "/ogc/collections/fiches-halle/items?limit=1")["features"][0]
    properties = feature["properties"]
    for name in ("prioritair_afgeleid", "status_volgens", "ligging_bron", "ligging_aanname", "bijgewerkt"):
        assert name in properties
    assert "interne_opmerking" not in properties
    assert dt.datetime.fromisoformat(properties["bijgewerkt"].replace("Z", "+00:00")).tzinfo is not None
    phase = get_json(client, "/ogc/collections/fasen-herentals-punten/items?limit=1")["features"][0]["properties"]
    assert phase["sleutel"] == f"{phase['fiche_ref']}-f{phase['volgorde']}"
    assert dt.date.fromisoformat(phase["start"]) and "toelichting" in phase
    schema = get_json(client, "/ogc/collections/fasen-herentals-punten/schema")["properties"]["properties"]
    assert schema["properties"]["start"]["format"] == "date"


@pytest.mark.parametrize("city", CITIES)
def test_city_figures_collection_has_every_real_figure(client, session, city):
    municipality = session.scalars(select(Municipality).where(Municipality.slug == city)).one()
    expected = real_city_figures(session, municipality)
    doc = get_json(client, f"/ogc/collections/stadscijfers/items?nis_code={municipality.nis_code}&limit=1000")
    assert doc["numberMatched"] == len(expected)
    by_id = {f["id"]: f for f in doc["features"]}
    for value in expected:
        properties = by_id[value.id]["properties"]
        assert by_id[value.id]["geometry"] is None
        assert properties["waarde"] == value.value and properties["vergelijkingswaarde"] == value.comparison_value
        assert properties["periode"] == value.period and properties["citaat"] == value.quote


# -- downloads ------------------------------------------------------------------

def download(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[-300:]
    return response.data


def schema_of(path) -> dict:
    """{layer: (geometry type, [(field, dtype)])} of a GDAL dataset."""
    out = {}
    for name, geometry_type in pyogrio.list_layers(path):
        info = pyogrio.read_info(path, layer=name)
        out[name] = (geometry_type, list(zip(info["fields"], info["dtypes"])))
    return out


def test_herentals_and_halle_geopackages_share_one_layout(client, tmp_path):
    schemas = {}
    for city in CITIES:
        path = tmp_path / f"{city}.gpkg"
        path.write_bytes(download(client, f"/{city}/download.gpkg"))
        schemas[city] = schema_of(path)
    assert schemas["herentals"] == schemas["halle"]
    layers = schemas["herentals"]
    for table in ("fiches", "fasen"):
        assert [layers[f"{table}_{f}"][0] for f in ("punten", "lijnen", "vlakken")] == [
            "MultiPoint", "MultiLineString", "MultiPolygon"]
        assert layers[f"{table}_zonder_ligging"][0] is None
    assert layers["wijken"][0] == "MultiPolygon" and layers["stadscijfers"][0] is None
    phase_types = dict(layers["fasen_punten"][1])
    assert phase_types["start"] == phase_types["einde"] == "datetime64[D]"        # Date fields
    assert dict(layers["fiches_punten"][1])["prioritair"] == "bool"
    if shutil.which("ogrinfo"):  # Debian's GDAL 3.6: one declared type per layer, dates as Date
        run = subprocess.run(["ogrinfo", "-so", "-al", str(tmp_path / "halle.gpkg")], capture_output=True,
                             text=True, check=True)
        assert "start: Date" in run.stdout
        declared = dict(re.findall(r"Layer name: (\S+)\n(?:Metadata:\n(?:  .*\n)*)?Geometry: (.+)", run.stdout))
        assert declared["fasen_vlakken"] == "Multi Polygon" and declared["fiches_lijnen"] == "Multi Line String"


def test_herentals_and_halle_shapefiles_share_one_layout(client, tmp_path):
    layouts = {}
    for city in CITIES:
        body = download(client, f"/{city}/download.shp")
        path = tmp_path / f"{city}.shp.zip"
        path.write_bytes(body)
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            names = sorted(archive.namelist())
        shapes = {}
        for name in names:
            if name.endswith(".shp"):
                info = pyogrio.read_info(f"/vsizip/{path}/{name}")
                shapes[name] = (info["geometry_type"], list(zip(info["fields"], info["dtypes"])))
        layouts[city] = (names, shapes)
    assert layouts["herentals"] == layouts["halle"]
    names, shapes = layouts["halle"]
    assert {"fasen_punten.shp", "fasen_lijnen.shp", "fasen_vlakken.shp", "wijken.shp",
            "fasen_zonder_ligging.csv", "stadscijfers.csv"} <= set(names)
    assert dict(shapes["fasen_lijnen.shp"][1])["start"] == "datetime64[D]"


def test_downloads_carry_keys_dates_and_figures(client, session, tmp_path):
    path = tmp_path / "h.gpkg"
    path.write_bytes(download(client, "/herentals/download.gpkg"))
    budget = pyogrio.read_dataframe(path, layer="budgetlijnen")
    assert budget.sleutel.is_unique
    assert all(re.fullmatch(rf"{re.escape(r.fiche_ref)}-b{r.jaar}-{r.soort}-\d+", r.sleutel)
               for r in budget.itertuples())
    figures = pyogrio.read_dataframe(path, layer="stadscijfers")
    municipality = session.scalars(select(Municipality).where(Municipality.slug == "herentals")).one()
    assert sorted(figures.waarde.tolist()) == sorted(v.value for v in real_city_figures(session, municipality))
    rows = zipfile.ZipFile(io.BytesIO(download(client, "/herentals/download.csv"))).read("fasen.csv")
    header, first = rows.decode("utf-8-sig").split("\r\n")[:2]
    start = first.split(";")[header.split(";").index("start")]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", start)


# -- caching, bbox and CRS of the downloads, all cities --------------------------

@pytest.mark.parametrize("url", ["/ogc/collections/fiches-halle-punten/items?limit=5", "/ogc/collections",
                                 "/ogc/collections/stadscijfers", "/halle/download.csv"])
def test_validators_and_304(client, url):
    first = client.get(url)
    assert first.status_code == 200
    etag, last_modified = first.headers["ETag"], first.headers.get("Last-Modified")
    assert etag.startswith('W/"') and "max-age=" in first.headers["Cache-Control"]
    assert "Accept" in first.headers["Vary"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag and not again.data
    if last_modified:
        assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304
    assert client.get(url, headers={"If-None-Match": 'W/"other"'}).status_code == 200
    html = client.get(url, headers={"Accept": "text/html", "If-None-Match": etag})
    assert html.status_code == 200    # the Accept header is in the ETag: /ogc answers HTML by it


def test_an_edit_changes_the_etag(scratch_app):
    from app.db import get_session
    from app.models import Fiche

    client = scratch_app.test_client()
    scratch_app.config["DATA_VERSION_TTL"] = 0
    url = "/ogc/collections/fiches-herentals/items?limit=1"
    etag = client.get(url).headers["ETag"]
    with scratch_app.app_context():
        session = get_session()
        fiche = session.scalars(select(Fiche).where(Fiche.published.is_(True))).first()
        fiche.summary = (fiche.summary or "") + " (bijgewerkt)"
        session.commit()
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200
    assert client.get(url).headers["ETag"] != etag


def gpkg_refs(body: bytes, tmp_path) -> set[str]:
    path = tmp_path / "x.gpkg"
    path.write_bytes(body)
    return {ref for name in ("fiches_punten", "fiches_lijnen", "fiches_vlakken", "fiches_zonder_ligging")
            for ref in pyogrio.read_dataframe(path, layer=name)["ref"]}


def test_downloads_take_the_bbox_and_crs_uris_of_ogc(client, tmp_path):
    box = "182400,207200,183000,207800"
    ogc = walk(client, f"/ogc/collections/fiches-herentals/items?limit=100&bbox={box}&bbox-crs={EPSG_31370}")
    body = download(client, f"/herentals/download.gpkg?bbox={box}&bbox-crs={EPSG_31370}&crs={EPSG_31370}")
    assert gpkg_refs(body, tmp_path) == {f["properties"]["ref"] for f in ogc} != set()
    lon_lat = "4.82,51.17,4.85,51.19"   # CRS84 by default, as /ogc
    ogc = walk(client, f"/ogc/collections/fiches-herentals/items?limit=100&bbox={lon_lat}")
    assert gpkg_refs(download(client, f"/herentals/download.gpkg?bbox={lon_lat}"), tmp_path) == {
        f["properties"]["ref"] for f in ogc}
    response = client.get("/herentals/download.gpkg?crs=http://www.opengis.net/def/crs/EPSG/0/3812")
    assert response.status_code == 200 and "EPSG3812" in response.headers["Content-Disposition"]
    assert "EPSG4326" in client.get("/herentals/download.csv?crs=OGC:CRS84").headers["Content-Disposition"]
    for bad in ("bbox=1,2,3", "bbox=5,5,1,1", "crs=http://www.opengis.net/def/crs/EPSG/0/28992", "bbox-crs=EPSG:1"):
        answer = client.get(f"/herentals/download.gpkg?{bad}")
        assert answer.status_code == 400, bad
    assert gpkg_refs(download(client, "/herentals/download.gpkg?bbox=-170,-80,-160,-70"), tmp_path) == set()


def test_all_cities_download_has_the_same_layout(client, session, tmp_path):
    (tmp_path / "all.gpkg").write_bytes(download(client, "/alle-steden/download.gpkg"))
    (tmp_path / "halle.gpkg").write_bytes(download(client, "/halle/download.gpkg"))
    assert schema_of(tmp_path / "all.gpkg") == schema_of(tmp_path / "halle.gpkg")
    refs = gpkg_refs((tmp_path / "all.gpkg").read_bytes(), tmp_path)
    assert refs == {f.ref for f in select_fiches(session, FicheFilters())}
    figures = pyogrio.read_dataframe(tmp_path / "all.gpkg", layer="stadscijfers")
    assert set(figures.gemeente) == {"Herentals", "Halle"}
    response = client.get("/alle-steden/download.geojson")
    assert response.status_code == 200 and "fichekaart_alle-steden_" in response.headers["Content-Disposition"]


# -- GDAL on the family collections ------------------------------------------------

def test_gdal_reads_one_geometry_type_per_family_collection(app, session, tmp_path):
    """GDAL 3.12 (pyogrio) and Debian's ogrinfo 3.6 against a real server:
    each family collection is a layer of its Multi type, read completely in
    Lambert 72 with that type only."""
    from test_ogcapi_clients import Server

    server = Server(app.config["DATABASE_URL"], tmp_path / "requests.log")
    try:
        oapif = f"OAPIF:{server.root}"
        layers = dict(pyogrio.list_layers(oapif))
        for city in CITIES:
            published = select_fiches(session, FicheFilters(municipality=city))
            total = 0
            for family, geometry_type in FAMILIES.items():
                layer = f"fiches-{city}-{family}"
                frame = pyogrio.read_dataframe(oapif, layer=layer)
                total += len(frame)
                if geometry_type is None:
                    assert frame.geometry.isna().all(), layer
                    continue
                # GDAL types an OAPIF layer from its features: an empty family (Halle's lines) is 'Unknown'
                assert layers[layer] == (geometry_type if len(frame) else "Unknown"), layer
                if len(frame):
                    assert frame.crs.to_epsg() == 31370 and set(frame.geometry.geom_type) == {geometry_type}, layer
            assert total == len(published)
        if shutil.which("ogrinfo"):
            run = subprocess.run(["ogrinfo", "-ro", "-so", oapif, "fasen-herentals-vlakken", "fiches-halle-punten"],
                                 capture_output=True, text=True, timeout=120)
            assert run.returncode == 0, run.stderr
            assert re.findall(r"^Geometry: (.+)$", run.stdout, re.M) == ["Multi Polygon", "Multi Point"]
    finally:
        server.stop()


def test_html_pages_of_the_new_collections(client):
    for collection_id in ("stadscijfers", "fiches-halle-zonder-ligging", "fasen-herentals-lijnen"):
        assert client.get(f"/ogc/collections/{collection_id}?f=html").status_code == 200, collection_id
        page = client.get(f"/ogc/collections/{collection_id}/items?f=html&limit=3")
        assert page.status_code == 200, collection_id
        first = get_json(client, f"/ogc/collections/{collection_id}/items?limit=1")["features"][0]
        assert client.get(f"/ogc/collections/{collection_id}/items/{first['id']}?f=html").status_code == 200
    page = client.get("/herentals/downloads").get_data(as_text=True)
    assert "/alle-steden/download.gpkg" in page and "fiches-herentals-punten" in page


def test_keys_survive_a_reimport_ids_do_not(scratch_app):
    """The city imports its own phases and budget lines again (the CSV download):
    every row gets a new id, the natural keys stay and point at the same rows."""
    from app.db import get_session
    from app.write.imports.fiches import import_budget_lines, import_phases

    client = scratch_app.test_client()

    def tables():
        archive = zipfile.ZipFile(io.BytesIO(download(client, "/herentals/download.csv")))
        return {name: archive.read(name) for name in ("fasen.csv", "budgetlijnen.csv")}

    def rows(body: bytes) -> list[dict]:
        import csv

        return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))

    before = tables()
    with scratch_app.app_context():
        session = get_session()
        import_phases(session, before["fasen.csv"], municipality="13011", filename="fasen.csv")
        import_budget_lines(session, before["budgetlijnen.csv"], municipality="13011", filename="budgetlijnen.csv")
        session.commit()
    after = tables()
    old, new = rows(before["fasen.csv"]), rows(after["fasen.csv"])
    assert {r["id"] for r in old}.isdisjoint({r["id"] for r in new})          # new ids
    assert {r["sleutel"]: (r["titel"], r["start"]) for r in old} == {r["sleutel"]: (r["titel"], r["start"]) for r in new}
    old, new = rows(before["budgetlijnen.csv"]), rows(after["budgetlijnen.csv"])
    assert {r["sleutel"]: r["bedrag_eur"] for r in old} == {r["sleutel"]: r["bedrag_eur"] for r in new}
    assert len(old) == len(new) > 0


def test_the_other_formats_share_one_layout_too(client, tmp_path):
    """FlatGeobuf (one layer, as the format has), the CSV zip and GeoJSON:
    the same fields, types and headers for Herentals and Halle."""
    fgb, csv_headers, geojson_keys = {}, {}, {}
    for city in CITIES:
        path = tmp_path / f"{city}.fgb"
        path.write_bytes(download(client, f"/{city}/download.fgb"))
        fgb[city] = schema_of(path)
        with zipfile.ZipFile(io.BytesIO(download(client, f"/{city}/download.csv"))) as archive:
            csv_headers[city] = {name: archive.read(name).decode("utf-8-sig").split("\r\n", 1)[0]
                                 for name in archive.namelist() if name.endswith(".csv")}
        features = client.get(f"/{city}/download.geojson").get_json(force=True)["features"]
        geojson_keys[city] = {tuple(f["properties"]) for f in features}
    assert fgb["herentals"] == fgb["halle"]
    assert csv_headers["herentals"] == csv_headers["halle"]
    assert geojson_keys["herentals"] == geojson_keys["halle"] and len(geojson_keys["halle"]) == 1
