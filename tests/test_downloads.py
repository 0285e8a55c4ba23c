"""Downloads (/<slug>/download.<fmt>, /<slug>/downloads) on both databases:
every format in every CRS through HTTP, read back with pyogrio and Debian's
ogrinfo; filters as on the map; drafts absent; and the round trip: a
GeoPackage in Lambert 72 imported again moves no geometry by 1 mm."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import subprocess
import zipfile

import pyogrio
import pytest
import shapely

from app.exports import EXPORTERS
from app.read.queries import FicheFilters, select_fiches
from app.spatial import from_db

CRSES = ("EPSG:31370", "EPSG:3812", "EPSG:4326")
OGRINFO = shutil.which("ogrinfo")
# x of Herentals' Grote Markt in each CRS: tells which CRS a WKT is in
X_RANGE = {"EPSG:31370": (150_000, 220_000), "EPSG:3812": (650_000, 720_000), "EPSG:4326": (4.0, 5.5)}


def download(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[-500:]
    return response


def csv_rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def read_fiches(path, key: str) -> tuple[set[int | None], int]:
    """(EPSG codes of the fiche layers, number of fiche rows) of one file."""
    epsgs, count = set(), 0
    if key in ("gpkg", "fgb", "geojson", "kml"):
        for name, geometry_type in pyogrio.list_layers(path):
            if key == "gpkg" and not name.startswith("fiches"):
                continue
            info = pyogrio.read_info(path, layer=name)
            count += info["features"]
            if geometry_type is not None:
                epsgs.add(pyogrio.read_dataframe(path, layer=name, max_features=1).crs.to_epsg())
        return epsgs, count
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        if key == "shp":
            for name in names:
                if name.startswith("fiches_") and name.endswith(".shp"):
                    info = pyogrio.read_info(f"/vsizip/{path}/{name}")
                    count += info["features"]
                    epsgs.add(pyogrio.read_dataframe(f"/vsizip/{path}/{name}", max_features=1).crs.to_epsg())
            if "fiches_zonder_ligging.csv" in names:
                count += len(csv_rows(archive.read("fiches_zonder_ligging.csv")))
        else:  # csv: the CRS is that of the WKT, named in LEESMIJ.txt
            rows = csv_rows(archive.read("fiches.csv"))
            count = len(rows)
            readme = archive.read("LEESMIJ.txt").decode("utf-8")
            epsgs.add(int(re.search(r"Coördinatenstelsel: EPSG:(\d+)", readme).group(1)))
            x = shapely.from_wkt(next(r["geometrie_wkt"] for r in rows if r["geometrie_wkt"])).centroid.x
            lo, hi = X_RANGE[f"EPSG:{epsgs.copy().pop()}"]
            assert lo < x < hi
    return epsgs, count


@pytest.fixture(scope="module")
def herentals(app):
    from app.db import get_session

    with app.app_context():
        fiches = select_fiches(get_session(), FicheFilters(municipality="herentals"))
        return {"count": len(fiches), "placed": sum(1 for f in fiches if f.geom is not None),
                "refs": {f.ref for f in fiches}}


@pytest.mark.parametrize("crs", CRSES)
@pytest.mark.parametrize("key", list(EXPORTERS))
def test_every_format_in_every_crs(client, herentals, tmp_path, key, crs):
    exporter = EXPORTERS[key]
    response = download(client, f"/herentals/download.{key}?crs={crs}")
    assert response.headers["Content-Type"].startswith(exporter.media_type)
    real_crs = exporter.output_crs(crs)  # GeoJSON and KML are always WGS84
    name = re.fullmatch(r'attachment; filename="(.+)"', response.headers["Content-Disposition"]).group(1)
    city, day, code = re.fullmatch(rf"fichekaart_(\w+)_(\d{{4}}-\d\d-\d\d)_(EPSG\d+)\.{re.escape(exporter.extension)}",
                                   name).groups()
    assert (city, code) == ("herentals", real_crs.replace(":", ""))
    assert abs(dt.date.fromisoformat(day) - dt.date.today()) <= dt.timedelta(days=1)  # the date in Brussels
    path = tmp_path / f"export.{exporter.extension}"
    path.write_bytes(response.data)
    epsgs, count = read_fiches(path, key)
    assert epsgs == {int(real_crs.split(":")[1])}
    assert count == (herentals["placed"] if key == "fgb" else herentals["count"])


def test_default_crs_is_lambert72_and_extension_works(client, tmp_path):
    response = download(client, "/herentals/download.shp.zip")
    assert "_EPSG31370.shp.zip" in response.headers["Content-Disposition"]
    path = tmp_path / "x.shp.zip"
    path.write_bytes(response.data)
    assert read_fiches(path, "shp")[0] == {31370}


@pytest.mark.skipif(OGRINFO is None, reason="Debian's gdal-bin (ogrinfo) is not installed")
@pytest.mark.parametrize("key,crs,name", [("gpkg", "EPSG:31370", "Belgian Lambert 72"),
                                          ("gpkg", "EPSG:3812", "Belgian Lambert 2008"),
                                          ("fgb", "EPSG:31370", "Belgian Lambert 72")])
def test_ogrinfo_36_reads_the_files(client, herentals, tmp_path, key, crs, name):
    path = tmp_path / f"export.{EXPORTERS[key].extension}"
    path.write_bytes(download(client, f"/herentals/download.{key}?crs={crs}").data)
    listing = subprocess.run([OGRINFO, "-ro", "-so", "-al", str(path)], capture_output=True, text=True, timeout=60)
    assert listing.returncode == 0, listing.stderr
    counts = [int(n) for layer, n in re.findall(r"Layer name: (fiches\S*)\n(?:.*\n)*?Feature Count: (\d+)", listing.stdout)]
    assert sum(counts) == (herentals["placed"] if key == "fgb" else herentals["count"])
    assert name in listing.stdout


def test_filters_are_those_of_the_map(client, session, tmp_path):
    response = download(client, "/herentals/download.gpkg?sector=Stadsontwikkeling&q=rwa-as")
    path = tmp_path / "x.gpkg"
    path.write_bytes(response.data)
    refs = set()
    for name, _ in pyogrio.list_layers(path):
        if name.startswith("fiches"):
            refs |= set(pyogrio.read_dataframe(path, layer=name)["ref"])
    assert refs == {"HER-SO-05", "HER-SO-06", "HER-SO-07", "HER-SO-08"}
    metadata = dict(pyogrio.read_dataframe(path, layer="metadata")[["sleutel", "waarde"]].values)
    assert "sector: Stadsontwikkeling" in metadata["filters"] and "zoekterm: rwa-as" in metadata["filters"]
    assert "Statbel" in metadata["bron"] and "illustratief" in metadata["illustratief"].lower()
    phase_refs = set()
    for layer in ("fasen_punten", "fasen_lijnen", "fasen_vlakken", "fasen_zonder_ligging"):
        phase_refs |= set(pyogrio.read_dataframe(path, layer=layer)["fiche_ref"])
    assert phase_refs and phase_refs <= refs


@pytest.mark.parametrize("url,status", [
    ("/herentals/download.xls", 400), ("/herentals/download.gpkg?crs=EPSG:28992", 400),
    ("/gent/download.gpkg", 404), ("/gent/downloads", 404),
])
def test_bad_requests(client, url, status):
    assert client.get(url).status_code == status


def test_download_page(client, session):
    response = client.get("/herentals/downloads?sector=Stadsontwikkeling&status=voorstel&crs=EPSG:3812")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    for exporter in EXPORTERS.values():
        assert exporter.label.split(":")[0] in text
        assert f"/herentals/download.{exporter.key}" in text
    assert 'name="sector" value="Stadsontwikkeling"' in text and 'name="status" value="voorstel"' in text
    assert 'value="EPSG:3812" checked' in text
    assert "Statbel" in text and "illustratief" in text and "Lambert 72" in text
    assert "sector=Stadsontwikkeling" in text  # the direct links carry the filters too
    assert '<html lang="nl-BE">' in text


def test_drafts_are_not_downloaded(scratch_app, tmp_path):
    from app.db import get_session

    with scratch_app.app_context():
        session = get_session()
        draft = next(f for f in select_fiches(session, FicheFilters(municipality="herentals"))
                     if f.phases and f.budget_lines)
        draft.published = False
        session.commit()
        draft_id, draft_ref = draft.id, draft.ref
    client = scratch_app.test_client()
    path = tmp_path / "x.gpkg"
    path.write_bytes(download(client, "/herentals/download.gpkg").data)
    refs = []
    for name, _ in pyogrio.list_layers(path):
        if name.startswith("fiches"):
            refs += list(pyogrio.read_dataframe(path, layer=name)["ref"])
    assert draft_ref not in refs and len(refs) == 109
    for layer in ("fasen_punten", "fasen_lijnen", "fasen_vlakken", "fasen_zonder_ligging", "budgetlijnen"):
        assert draft_id not in set(pyogrio.read_dataframe(path, layer=layer)["fiche_id"])
    geojson = download(client, "/herentals/download.geojson").get_json(force=True)
    assert draft_ref not in {f["properties"]["ref"] for f in geojson["features"]}
    rows = csv_rows(zipfile.ZipFile(io.BytesIO(download(client, "/herentals/download.csv").data)).read("fiches.csv"))
    assert draft_ref not in {r["ref"] for r in rows}


def test_geopackage_round_trip_moves_nothing(scratch_app, tmp_path):
    """Export in Lambert 72, wipe the places, import the file again through
    the city's own importer: every geometry is back within 1 mm."""
    from app.db import get_session
    from app.write.imports.fiches import import_fiches

    body = download(scratch_app.test_client(), "/herentals/download.gpkg?crs=EPSG:31370").data
    path = tmp_path / "export.gpkg"
    path.write_bytes(body)
    layers = [name for name, _ in pyogrio.list_layers(path) if name.startswith("fiches")]
    with scratch_app.app_context():
        session = get_session()
        fiches = select_fiches(session, FicheFilters(municipality="herentals"))
        before = {f.ref: from_db(f.geom) for f in fiches}
        budgets = {f.ref: sorted((b.year, b.amount_eur) for b in f.budget_lines) for f in fiches}
        for fiche in fiches:
            fiche.geom = None
        session.commit()

    with scratch_app.app_context():
        session = get_session()
        total = sum(import_fiches(session, body, municipality="herentals", filename="export.gpkg", layer=layer).total
                    for layer in layers)
        session.commit()
        assert total == len(before)
        after = {f.ref: f for f in select_fiches(session, FicheFilters(municipality="herentals"))}
        assert set(after) == set(before)
        moved = []
        for ref, geom in before.items():
            new = from_db(after[ref].geom)
            if geom is None:
                assert new is None, ref
                continue
            # a single may come back as a multi (one declared type per layer); the place is the same
            assert new.geom_type.removeprefix("Multi") == geom.geom_type.removeprefix("Multi"), ref
            if geom.hausdorff_distance(new) >= 0.001:
                moved.append((ref, geom.hausdorff_distance(new)))
        assert not moved
        # the children were not in the file and stay as they were
        assert {ref: sorted((b.year, b.amount_eur) for b in f.budget_lines) for ref, f in after.items()} == budgets
