"""Exports: every format in every CRS, read back with pyogrio and with the
system's ogrinfo (Debian GDAL, an older reader), and with our own importer.
No database: the exporters take frames and give bytes."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import sqlite3
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import CRS, Transformer

from app.columns import FICHE_COLUMNS, GEOMETRY_WKT_COLUMN
from app.exports import (
    EXPORTERS, ExportData, ExportError, ExportMetadata, export_filename, get_exporter, normalise_crs,
)
from app.exports.describe import METADATA_KEYS
from app.exports.frames import FICHE_ORDER, PHASE_ORDER, tidy
from app.read.records import PHASE_FIELDS
from app.exports.kml import xml_text
from app.exports.shapefile import SHORT_NAMES, shapefile_field_names
from app.exports.tabular import format_cell, neutralise
from app.write.imports.errors import RowCollector
from app.write.imports.fiches import _parse_fiche_row
from app.write.imports.archives import LayerChoiceNeeded
from app.write.imports.tables import read_table

X, Y = 182716.77, 207503.14                     # Herentals, EPSG:31370
CRSES = ("EPSG:31370", "EPSG:3812", "EPSG:4326")
XSS = "<img src=x onerror=alert(1)>"
FORMULA = '=HYPERLINK("http://evil","x")'
LONG_TEXT = "Belgiëlaan " * 30                   # 330 bytes: too long for a .dbf field
NOTE = "Het budget van HER-03 en de fase 'Uitvoering' zijn illustratief."
EXPORT_DATE = dt.datetime(2026, 11, 22, 14, 3)


# Test data ----------------------------------------------------------------

def _fiche(i: int, ref: str, title: str, geom, **extra) -> dict:
    row = {header: None for header in FICHE_COLUMNS.values()}
    row.update(
        ref=ref, titel=title, soort="fiche", status="lopend", sector="Mobiliteit", sdgs="3;11",
        sdgs_illustratief=False, prioritair=i % 2 == 0, gepubliceerd=True, voortgang_pct=10 * i,
        samenvatting="Heraanleg van de Belgiëlaan", id=i, gemeente="13011", wijken="1301101;1301102",
        budget_totaal_eur=1250000.5, budget_illustratief=i == 3, jaar_start=2025,
        jaar_einde=None if i == 2 else 2027, geometry=geom,
    )
    row.update(extra)
    return row


def build_data(fiches: list[dict] | None = None) -> ExportData:
    if fiches is None:
        fiches = [
            _fiche(1, "HER-01", "Fietspad Belgiëlaan", shapely.Point(X, Y)),
            _fiche(2, "HER-02", XSS, shapely.LineString([(X, Y), (X + 120, Y + 40), (X + 200, Y + 10)])),
            _fiche(3, "HER-03", "Stadspark", shapely.box(X + 10, Y + 10, X + 60, Y + 40),
                   samenvatting=FORMULA, stand_van_zaken=LONG_TEXT),
            _fiche(4, "HER-04", "Twee pleinen", shapely.MultiPolygon([
                shapely.box(X + 200, Y, X + 220, Y + 20), shapely.box(X + 300, Y, X + 320, Y + 20)])),
            _fiche(5, "HER-05", "Studie mobiliteitsplan", None, risicos="-geen", partners="@Aquafin"),
            _fiche(6, "HER-06", "Zitbanken", shapely.MultiPoint([(X + 5, Y + 5), (X + 15, Y + 5)])),
        ]
    phases = gpd.GeoDataFrame([
        {"fiche_ref": "HER-01", "volgorde": 1, "titel": "Studie", "soort": "studie", "start": "2025-01-01",
         "einde": "2025-06-30", "status": "afgerond", "illustratief": False, "id": 11, "fiche_id": 1,
         "geometry": None},
        {"fiche_ref": "HER-02", "volgorde": 1, "titel": "Uitvoering", "soort": "uitvoering", "start": "2026-01-01",
         "einde": None, "status": "gepland", "illustratief": True, "id": 12, "fiche_id": 2,
         "geometry": shapely.LineString([(X, Y), (X + 60, Y + 20)])},
    ], geometry="geometry", crs="EPSG:31370")
    budget = pd.DataFrame([
        {"fiche_ref": "HER-01", "jaar": 2025, "soort": "investering", "richting": "uitgave",
         "bedrag_eur": 250000.5, "basis": "raming", "toelichting": "+ btw", "fiche_id": 1},
        {"fiche_ref": "HER-01", "jaar": 2026, "soort": "investering", "richting": "ontvangst",
         "bedrag_eur": -1500.25, "basis": "begroot", "toelichting": None, "fiche_id": 1},
    ])
    wijken = gpd.GeoDataFrame(
        {"code": ["1301101", "1301102"], "naam": ["Centrum", "Sint-Jozef"], "niveau": ["wijk", "wijk"]},
        geometry=[shapely.MultiPolygon([shapely.box(X - 1000, Y - 1000, X + 150, Y + 1000)]),
                  shapely.MultiPolygon([shapely.box(X + 150, Y - 1000, X + 1000, Y + 1000)])],
        crs="EPSG:31370",
    )
    indicators = pd.DataFrame([
        {"gebied_code": "1301101", "indicator_code": "BEV", "indicator_naam": "Inwoners", "eenheid": "aantal",
         "periode": "2024", "waarde": 5231.0, "bron": "Statbel", "illustratief": False},
    ])
    metadata = {
        "city_name": "Herentals", "nis_code": "13011",
        "source": "Meerjarenplan 2026-2031 van de stad Herentals, goedgekeurd door de gemeenteraad",
        "licence": "Modellicentie Gratis Hergebruik Vlaanderen v1.0", "export_date": EXPORT_DATE,
        "filters": {"status": ["lopend", "gepland"]}, "illustrative_note": NOTE,
    }
    frame = gpd.GeoDataFrame(fiches, geometry="geometry", crs="EPSG:31370") if fiches else gpd.GeoDataFrame(
        {c: [] for c in FICHE_ORDER}, geometry=gpd.GeoSeries([], crs="EPSG:31370"), crs="EPSG:31370")
    return ExportData(fiches=frame, phases=phases, budget_lines=budget, wijken=wijken,
                      indicator_values=indicators, metadata=metadata)


@pytest.fixture(scope="module")
def data() -> ExportData:
    return build_data()


@pytest.fixture(scope="module")
def files(data, tmp_path_factory) -> dict[tuple[str, str], Path]:
    """Every format in every CRS, written once to disk as the app would name them."""
    out = tmp_path_factory.mktemp("exports")
    written = {}
    for key, exporter in EXPORTERS.items():
        for crs in CRSES:
            path = out / export_filename("herentals", key, crs, EXPORT_DATE)
            path.write_bytes(exporter.write(data, crs))
            written[key, crs] = path
    return written


# Helpers ------------------------------------------------------------------

def epsg(crs) -> int | None:
    return CRS.from_user_input(crs).to_epsg()


THROUGH = {"EPSG:4326": "EPSG:4258"}  # WGS 84 is written as ETRS89 (app.crs.THROUGH_ETRS89)


def assert_known_point(geom, crs: str, tolerance: float = 0.001) -> None:
    """The point of HER-01, read in `crs`, lies within `tolerance` metres of
    (X, Y) once transformed back to EPSG:31370."""
    back = Transformer.from_crs(THROUGH.get(crs, crs), "EPSG:31370", always_xy=True)  # with the NGI grid
    x, y = back.transform(geom.x, geom.y)
    assert abs(x - X) <= tolerance and abs(y - Y) <= tolerance, (x, y)


def ogrinfo(path: Path | str) -> dict[str, dict]:
    """{layer: {'count': int, 'epsg': int | None, 'geometry': str}} from
    Debian's `ogrinfo -so -al`; skips when it is not installed."""
    if shutil.which("ogrinfo") is None:
        pytest.skip("ogrinfo (gdal-bin) is not installed")
    run = subprocess.run(["ogrinfo", "-so", "-al", str(path)], capture_output=True, text=True, check=True)
    assert "Warning" not in run.stderr and "ERROR" not in run.stderr, run.stderr
    layers = {}
    for block in run.stdout.split("\nLayer name: ")[1:]:
        name = block.split("\n", 1)[0].strip()
        count = int(re.search(r"^Feature Count: (\d+)", block, re.M).group(1))
        geometry = re.search(r"^Geometry: (.+)$", block, re.M)
        wkt = re.search(r"^Layer SRS WKT:\n(.*?)\n(?:Data axis|[A-Z][a-zA-Z ]+:)", block, re.M | re.S)
        layers[name] = {
            "count": count,
            "geometry": geometry.group(1) if geometry else None,
            "epsg": epsg(wkt.group(1)) if wkt and wkt.group(1).strip() != "(unknown)" else None,
        }
    return layers


def unzip(path: Path, into: Path) -> Path:
    with zipfile.ZipFile(path) as archive:
        archive.extractall(into)
    return into


def read_csv_rows(content: bytes) -> list[dict]:
    assert content.startswith("\ufeff".encode()), "CSV without BOM"
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


# Registry, CRS and names --------------------------------------------------

def test_registry_has_every_format_with_a_dutch_label():
    assert list(EXPORTERS) == ["gpkg", "shp", "geojson", "csv", "kml", "fgb"]
    for key, exporter in EXPORTERS.items():
        assert exporter.key == key and exporter.extension and "/" in exporter.media_type
        assert exporter.label and "\n" not in exporter.label
    assert get_exporter("GPKG") is EXPORTERS["gpkg"]
    with pytest.raises(ExportError, match="Onbekend exportformaat 'xlsx'"):
        get_exporter("xlsx")


def test_crs_choice():
    assert normalise_crs(None) == "EPSG:31370"
    assert normalise_crs(3812) == normalise_crs("epsg:3812") == "EPSG:3812"
    with pytest.raises(ExportError, match="wordt niet ondersteund"):
        normalise_crs("EPSG:28992")
    with pytest.raises(ExportError):
        EXPORTERS["gpkg"].write(build_data(), "EPSG:3857")


def test_export_filename_names_the_real_crs():
    day = dt.date(2026, 11, 22)
    assert export_filename("herentals", "gpkg", "EPSG:31370", day) == "fichekaart_herentals_2026-11-22_EPSG31370.gpkg"
    assert export_filename("herentals", "shp", "EPSG:3812", EXPORT_DATE) == \
        "fichekaart_herentals_2026-11-22_EPSG3812.shp.zip"
    # GeoJSON and KML are WGS84 whatever is asked, and say so.
    assert export_filename("herentals", "geojson", "EPSG:31370", day).endswith("_EPSG4326.geojson")
    assert export_filename("herentals", "kml", None, day).endswith("_EPSG4326.kml")
    assert export_filename('Sint-Katelijne "Waver"\r\n', "csv", None, day) == \
        "fichekaart_sint-katelijne-waver_2026-11-22_EPSG31370.csv.zip"


def test_metadata_may_be_a_dict_and_frames_need_a_crs(data):
    assert isinstance(data.metadata, ExportMetadata) and data.metadata.city_name == "Herentals"
    with pytest.raises(ExportError, match="coördinatenstelsel"):
        ExportData(fiches=gpd.GeoDataFrame({"geometry": [shapely.Point(X, Y)]}), metadata=data.metadata)


# GeoPackage ---------------------------------------------------------------

# Every layer always, one Multi type each, empty if need be (the same layout for every city).
GPKG_LAYERS = {
    "fiches_punten": (2, "MultiPoint"), "fiches_lijnen": (1, "MultiLineString"),
    "fiches_vlakken": (2, "MultiPolygon"), "fiches_zonder_ligging": (1, None),
    "fasen_punten": (0, "MultiPoint"), "fasen_lijnen": (1, "MultiLineString"), "fasen_vlakken": (0, "MultiPolygon"),
    "fasen_zonder_ligging": (1, None), "budgetlijnen": (2, None), "wijken": (2, "MultiPolygon"),
    "indicatorwaarden": (1, None), "stadscijfers": (0, None), "metadata": (len(METADATA_KEYS), None),
}


@pytest.mark.parametrize("crs", CRSES)
def test_geopackage_layers_crs_and_content(files, crs):
    path = files["gpkg", crs]
    layers = pyogrio.list_layers(path)
    assert {name: geometry for name, geometry in layers} == {k: v[1] for k, v in GPKG_LAYERS.items()}
    assert layers[0][0] == "fiches_punten"   # what the importer opens by default
    for name, (count, geometry) in GPKG_LAYERS.items():
        info = pyogrio.read_info(path, layer=name)
        assert info["features"] == count, name
        if geometry:
            assert epsg(info["crs"]) == epsg(crs), name
        assert info["layer_metadata"]["licentie"] == "Modellicentie Gratis Hergebruik Vlaanderen v1.0"
    points = pyogrio.read_dataframe(path, layer="fiches_punten")
    # HER-01 was a Point and sits with the MultiPoint of HER-06: promoted to a one-point MultiPoint.
    her01 = points.set_index("ref").geometry["HER-01"]
    assert her01.geom_type == "MultiPoint" and len(her01.geoms) == 1
    assert_known_point(her01.geoms[0], crs)
    lines = pyogrio.read_dataframe(path, layer="fiches_lijnen")
    assert lines.titel.tolist() == [XSS]
    assert lines.jaar_einde.isna().all() and points.jaar_start.tolist() == [2025, 2025]
    no_place = pyogrio.read_dataframe(path, layer="fiches_zonder_ligging")
    assert no_place.ref.tolist() == ["HER-05"] and no_place.risicos.tolist() == ["-geen"]
    polygons = pyogrio.read_dataframe(path, layer="fiches_vlakken").set_index("ref")
    assert polygons.samenvatting["HER-03"] == FORMULA          # data formats keep data as is
    assert polygons.stand_van_zaken["HER-03"] == LONG_TEXT
    assert polygons.budget_illustratief.tolist() == [True, False]
    assert polygons.prioritair.dtype == bool
    meta = dict(pyogrio.read_dataframe(path, layer="metadata")[["sleutel", "waarde"]].values)
    assert {"bron", "licentie", "exportdatum", "filters", "illustratief"} <= set(meta)
    assert meta["illustratief"] == NOTE and meta["exportdatum"] == "2026-11-22T14:03:00"
    assert meta["filters"] == "status: lopend, gepland" and meta["coordinatenstelsel"].startswith(crs)
    assert pyogrio.read_info(path, layer="metadata")["dataset_metadata"]["bron"].startswith("Meerjarenplan 2026-2031")
    with sqlite3.connect(path) as db:
        descriptions = dict(db.execute("SELECT table_name, description FROM gpkg_contents"))
        version = db.execute("PRAGMA user_version").fetchone()[0]
    assert descriptions["fiches_zonder_ligging"].startswith("Fiches van Herentals: zonder ligging")
    assert all(descriptions[name] for name in GPKG_LAYERS)
    assert version == 10200


@pytest.mark.parametrize("crs", CRSES)
def test_geopackage_with_ogrinfo(files, crs):
    layers = ogrinfo(files["gpkg", crs])
    assert {name: info["count"] for name, info in layers.items()} == {k: v[0] for k, v in GPKG_LAYERS.items()}
    for name in ("fiches_punten", "fiches_lijnen", "fiches_vlakken", "fasen_lijnen", "wijken"):
        assert layers[name]["epsg"] == epsg(crs), name
    assert layers["fiches_vlakken"]["geometry"] == "Multi Polygon"


def test_geopackage_imports_again_unchanged(files, data):
    """The importer reads each fiches layer and parses it to what went in
    (the attribute table through pyogrio: see the next test)."""
    path = files["gpkg", "EPSG:31370"]
    content = path.read_bytes()
    rows = []
    for layer in ("fiches_punten", "fiches_lijnen", "fiches_vlakken"):
        table = read_table(content, "export.gpkg", layer=layer)
        assert epsg(table.crs) == 31370
        rows += table.rows
    rows += pyogrio.read_dataframe(path, layer="fiches_zonder_ligging").to_dict("records")
    assert _parsed_rows(rows) == _parsed_rows(data.fiches.drop(columns="geometry").to_dict("records"))


def test_importer_reads_fiches_without_place_from_geopackage(files):
    table = read_table(files["gpkg", "EPSG:31370"].read_bytes(), "export.gpkg", layer="fiches_zonder_ligging")
    assert [r["ref"] for r in table.rows] == ["HER-05"]


def _parsed_rows(rows) -> dict[str, dict]:
    errors = RowCollector()
    parsed = {}
    for n, row in enumerate(rows, start=2):
        result = _parse_fiche_row(row, n, errors)
        parsed[result["ref"]] = result
    assert not errors.errors, errors.errors
    return parsed


# Shapefile ----------------------------------------------------------------

@pytest.mark.parametrize("crs", CRSES)
def test_shapefile_zip(files, crs, tmp_path):
    path = files["shp", crs]
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        for stem in ("fiches_punten", "fiches_lijnen", "fiches_vlakken"):
            for part in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
                assert stem + part in names
            assert archive.read(stem + ".cpg").decode() == "UTF-8"
        readme = archive.read("LEESMIJ.txt").decode("utf-8-sig")
        mapping = {r["volledige_naam"]: r["veldnaam_shapefile"] for r in read_csv_rows(archive.read("velden.csv"))}
        no_place = read_csv_rows(archive.read("fiches_zonder_ligging.csv"))
        phases = read_csv_rows(archive.read("fasen_zonder_ligging.csv"))
        budget = read_csv_rows(archive.read("budgetlijnen.csv"))
    assert {"velden.csv", "fasen_zonder_ligging.csv", "budgetlijnen.csv", "stadscijfers.csv", "LEESMIJ.txt",
            "wijken.shp", "fasen_punten.shp", "fasen_lijnen.shp", "fasen_vlakken.shp"} <= set(names)
    for text in ("Meerjarenplan 2026-2031", "Modellicentie Gratis Hergebruik", "2026-11-22T14:03:00", crs, NOTE):
        assert text in readme
    assert "HER-03: stand_van_zaken" in readme                    # the cut text is reported
    # The mapping is documented, complete, unique and fits dBase.
    assert list(mapping)[:len(FICHE_ORDER)] == list(FICHE_ORDER)   # then the phases' and wijken's own columns
    assert len(set(v.lower() for v in mapping.values())) == len(mapping)
    assert all(len(v) <= 10 for v in mapping.values())
    assert mapping == shapefile_field_names(list(mapping))
    assert [r["ref"] for r in no_place] == ["HER-05"] and len(phases) == 1 and len(budget) == 2
    assert phases[0]["start"] == "2025-01-01"
    expected = {"fiches_punten": 2, "fiches_lijnen": 1, "fiches_vlakken": 2, "fasen_punten": 0, "fasen_lijnen": 1,
                "fasen_vlakken": 0, "wijken": 2}
    for stem, count in expected.items():
        target = f"/vsizip/{path}/{stem}.shp"
        info = pyogrio.read_info(target)
        assert info["features"] == count and epsg(info["crs"]) == epsg(crs)
        # a shapefile has MultiPoint of its own; lines and polygons are always multi-part capable (arcs, rings)
        assert info["geometry_type"] == {"punten": "MultiPoint", "lijnen": "LineString", "vlakken": "Polygon",
                                         "wijken": "Polygon"}[stem.split("_")[-1]], stem
        assert set(info["fields"]) <= set(mapping.values())
    phase_info = pyogrio.read_info(f"/vsizip/{path}/fasen_lijnen.shp")
    assert dict(zip(phase_info["fields"], phase_info["dtypes"]))["start"] == "datetime64[D]"   # a dBase date
    points = pyogrio.read_dataframe(f"/vsizip/{path}/fiches_punten.shp").set_index("ref")
    assert points.geometry["HER-06"].geom_type == "MultiPoint" and len(points.geometry["HER-06"].geoms) == 2
    assert_known_point(points.geometry["HER-01"].geoms[0], crs)
    polygons = pyogrio.read_dataframe(f"/vsizip/{path}/fiches_vlakken.shp").set_index("ref")
    assert polygons.geometry["HER-04"].geom_type == "MultiPolygon"
    cut = polygons[mapping["stand_van_zaken"]]["HER-03"]
    assert LONG_TEXT.startswith(cut) and len(cut.encode()) <= 254 and "�" not in cut
    assert polygons[mapping["samenvatting"]]["HER-03"] == FORMULA
    lines = pyogrio.read_dataframe(f"/vsizip/{path}/fiches_lijnen.shp")
    assert lines.titel.tolist() == [XSS]
    # Renaming with velden.csv gives back the full column names.
    restored = lines.rename(columns={v: k for k, v in mapping.items()})
    assert set(FICHE_ORDER) <= set(restored.columns)
    # ...and the Debian ogrinfo reads the same.
    layers = ogrinfo(unzip(path, tmp_path))
    assert {n: layers[n]["count"] for n in expected} == expected
    assert all(layers[n]["epsg"] == epsg(crs) for n in expected)


def test_shapefile_zip_is_read_by_the_importer(files):
    # One shapefile per geometry type: the importer asks which layer (issue 12), then reads it.
    with pytest.raises(LayerChoiceNeeded, match="fiches_punten"):
        read_table(files["shp", "EPSG:3812"].read_bytes(), "fiches.shp.zip")
    table = read_table(files["shp", "EPSG:3812"].read_bytes(), "fiches.shp.zip", "fiches_punten")
    assert epsg(table.crs) == 3812
    assert [r["ref"] for r in table.rows] == ["HER-01", "HER-06"]
    assert table.rows[0]["titel"] == "Fietspad Belgiëlaan"


def test_shapefile_field_names_are_deterministic_and_unique():
    columns = ["abcdefghijkl", "abcdefghijxy", "ABCDEFGHIJ", "naam met spatie", "samenvatting"]
    first = shapefile_field_names(columns)
    assert first == shapefile_field_names(columns)
    assert first == {"abcdefghijkl": "abcdefghij", "abcdefghijxy": "abcdefgh_1", "ABCDEFGHIJ": "ABCDEFGH_2",
                     "naam met spatie": "naam_met_s", "samenvatting": "samenvat"}
    every = shapefile_field_names([*FICHE_ORDER, *PHASE_ORDER])
    assert len({v.lower() for v in every.values()}) == len(every)
    assert set(SHORT_NAMES) <= set(FICHE_ORDER) | set(PHASE_ORDER) | {f.name for f in PHASE_FIELDS}  # none stale


# GeoJSON ------------------------------------------------------------------

def test_geojson_is_rfc7946_wgs84_whatever_is_asked(files):
    bodies = {files["geojson", crs].read_bytes() for crs in CRSES}
    assert len(bodies) == 1
    doc = json.loads(bodies.pop())
    assert doc["type"] == "FeatureCollection" and "crs" not in doc
    meta = doc["metadata"]
    assert meta["licentie"].startswith("Modellicentie") and meta["illustratief"] == NOTE
    assert meta["bron"].startswith("Meerjarenplan") and meta["exportdatum"] == "2026-11-22T14:03:00"
    features = {f["properties"]["ref"]: f for f in doc["features"]}
    assert len(features) == 6 and features["HER-05"]["geometry"] is None
    assert features["HER-02"]["properties"]["titel"] == XSS
    assert features["HER-01"]["properties"]["prioritair"] is False
    assert features["HER-01"]["id"] == 1
    coordinates = re.findall(r"-?\d+\.\d+", json.dumps([f["geometry"] for f in doc["features"]]))
    assert coordinates and all(len(c.split(".")[1]) <= 7 for c in coordinates)
    # 7 decimals are ~1 cm in latitude: the known point is checked to 1 cm here.
    lon, lat = features["HER-01"]["geometry"]["coordinates"]
    assert_known_point(shapely.Point(lon, lat), "EPSG:4326", tolerance=0.01)
    exterior = shapely.geometry.shape(features["HER-03"]["geometry"]).exterior
    assert exterior.is_ccw                                          # RFC 7946 right-hand rule
    her01 = features["HER-01"]["properties"]
    assert [b["bedrag_eur"] for b in her01["budgetlijnen"]] == [250000.5, -1500.25]
    assert her01["fasen"][0]["titel"] == "Studie" and her01["fasen"][0]["geometrie"] is None
    assert features["HER-02"]["properties"]["fasen"][0]["geometrie"]["type"] == "LineString"


def test_geojson_read_back(files):
    path = files["geojson", "EPSG:31370"]
    info = pyogrio.read_info(path)
    assert info["features"] == 6 and epsg(info["crs"]) == 4326
    frame = pyogrio.read_dataframe(path)
    assert "Belgiëlaan" in frame.titel[0] and frame.geometry.isna().sum() == 1
    layers = ogrinfo(path)
    assert layers["fiches"]["count"] == 6 and layers["fiches"]["epsg"] == 4326


# CSV ----------------------------------------------------------------------

@pytest.mark.parametrize("crs", CRSES)
def test_csv_zip(files, crs):
    with zipfile.ZipFile(files["csv", crs]) as archive:
        assert archive.namelist() == ["LEESMIJ.txt", "fiches.csv", "fasen.csv", "budgetlijnen.csv",
                                      "indicatorwaarden.csv", "stadscijfers.csv"]
        raw = archive.read("fiches.csv")
        budget = read_csv_rows(archive.read("budgetlijnen.csv"))
        readme = archive.read("LEESMIJ.txt").decode("utf-8-sig")
    rows = {r["ref"]: r for r in read_csv_rows(raw)}
    assert raw.decode("utf-8-sig").split("\r\n", 1)[0].count(";") == len(FICHE_ORDER)
    assert list(rows["HER-01"])[-1] == GEOMETRY_WKT_COLUMN
    assert rows["HER-03"]["samenvatting"] == "'" + FORMULA
    assert rows["HER-05"]["risicos"] == "'-geen" and rows["HER-05"]["partners"] == "'@Aquafin"
    assert rows["HER-02"]["titel"] == XSS and rows["HER-01"]["titel"] == "Fietspad Belgiëlaan"
    assert rows["HER-01"]["prioritair"] == "nee" and rows["HER-01"]["budget_totaal_eur"] == "1250000,5"
    assert rows["HER-02"]["jaar_einde"] == "" and rows["HER-05"][GEOMETRY_WKT_COLUMN] == ""
    assert [b["bedrag_eur"] for b in budget] == ["250000,5", "-1500,25"]     # a number, not neutralised
    assert budget[0]["toelichting"] == "'+ btw"
    assert_known_point(shapely.from_wkt(rows["HER-01"][GEOMETRY_WKT_COLUMN]), crs)
    assert shapely.from_wkt(rows["HER-04"][GEOMETRY_WKT_COLUMN]).geom_type == "MultiPolygon"
    for text in ("Modellicentie", "Meerjarenplan", NOTE, crs, "puntkomma"):
        assert text in readme


def test_csv_imports_again(files, data):
    """fiches.csv goes through the importer's reader and row parser and gives
    back exactly what was exported: the importer undoes the formula guard."""
    with zipfile.ZipFile(files["csv", "EPSG:31370"]) as archive:
        raw = archive.read("fiches.csv").decode("utf-8-sig")
        table = read_table(archive.read("fiches.csv"), "fiches.csv")
    assert "'" + FORMULA.replace('"', '""') in raw          # guarded in the file itself
    assert table.columns[-1] == GEOMETRY_WKT_COLUMN
    parsed = _parsed_rows(table.rows)
    original = _parsed_rows(data.fiches.drop(columns="geometry").to_dict("records"))
    assert parsed["HER-03"]["summary"] == FORMULA and parsed["HER-05"]["partners"] == ["@Aquafin"]
    assert parsed == original
    wkt = {r["ref"]: r[GEOMETRY_WKT_COLUMN] for r in table.rows}
    assert shapely.from_wkt(wkt["HER-03"]).equals_exact(data.fiches.set_index("ref").geometry["HER-03"], 0)


def test_cells_are_neutralised_but_numbers_are_not():
    for dangerous in ("=1+1", "+32 14 00 00 00", "-x", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(dangerous) == "'" + dangerous
        assert format_cell(dangerous) == "'" + dangerous
    assert format_cell("a=b") == "a=b"
    assert format_cell(-1500.25) == "-1500,25" and format_cell(-3) == "-3" and format_cell(2.0) == "2"
    assert format_cell(True) == "ja" and format_cell(None) == "" and format_cell(float("nan")) == ""


# KML ----------------------------------------------------------------------

def test_kml(files):
    bodies = {files["kml", crs].read_bytes() for crs in CRSES}
    assert len(bodies) == 1
    body = bodies.pop()
    assert b"<img" not in body and b"&lt;img src=x onerror=alert(1)&gt;" in body
    root = ElementTree.fromstring(body)                              # well-formed
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    assert root.find("k:Document/k:name", ns).text == "Fichekaart – Herentals"
    assert "Modellicentie" in root.find("k:Document/k:description", ns).text
    placemarks = root.findall("k:Document/k:Folder/k:Placemark", ns)
    assert [p.find("k:name", ns).text for p in placemarks][1] == XSS
    path = files["kml", "EPSG:31370"]
    info = pyogrio.read_info(path)
    assert info["features"] == 6 and epsg(info["crs"]) == 4326
    frame = pyogrio.read_dataframe(path).set_index("ref")
    assert frame.Name["HER-02"] == XSS and frame.titel["HER-01"] == "Fietspad Belgiëlaan"
    assert frame.prioritair["HER-02"] == "ja" and frame.geometry["HER-05"] is None
    assert_known_point(frame.geometry["HER-01"], "EPSG:4326")
    assert frame.geometry["HER-04"].geom_type == "MultiPolygon"
    layers = ogrinfo(path)
    assert layers["fiches"]["count"] == 6 and layers["fiches"]["epsg"] == 4326


def test_xml_text_drops_what_xml_cannot_hold():
    assert xml_text("a\x00b\x0b<c> & d\n") == "ab&lt;c&gt; &amp; d\n"


# FlatGeobuf ---------------------------------------------------------------

@pytest.mark.parametrize("crs", CRSES)
def test_flatgeobuf(files, crs):
    path = files["fgb", crs]
    info = pyogrio.read_info(path)
    assert info["geometry_type"] == "Unknown" and info["features"] == 5    # HER-05 has no place
    assert epsg(info["crs"]) == epsg(crs)
    assert info["capabilities"]["fast_spatial_filter"]                  # the packed R-tree is there
    assert "zonder ligging" in info["layer_metadata"]["DESCRIPTION"]
    frame = pyogrio.read_dataframe(path).set_index("ref")
    assert set(frame.geometry.geom_type) == {"Point", "LineString", "Polygon", "MultiPolygon", "MultiPoint"}
    assert_known_point(frame.geometry["HER-01"], crs)
    assert frame.titel["HER-02"] == XSS
    in_box = pyogrio.read_dataframe(path, bbox=frame.geometry["HER-04"].bounds)
    assert "HER-04" in in_box.ref.tolist() and "HER-06" not in in_box.ref.tolist()
    layers = ogrinfo(path)
    assert layers["fiches"]["count"] == 5 and layers["fiches"]["epsg"] == epsg(crs)


# Edge cases ---------------------------------------------------------------

@pytest.mark.parametrize("key", list(EXPORTERS))
def test_an_empty_selection_still_exports(key):
    data = build_data(fiches=[])
    body = EXPORTERS[key].write(data, "EPSG:3812")
    assert body


def test_tidy_gives_gdal_friendly_types():
    frame = pd.DataFrame({
        "jaar_einde": [2027, None], "illustratief": [True, None], "voortgang_pct": [None, None],
        "start": [dt.date(2025, 1, 1), None], "telling": pd.Series([3, None], dtype=object),
    })
    tidied = tidy(frame)
    assert str(tidied.jaar_einde.dtype) == "Int64" and str(tidied.telling.dtype) == "Int64"
    assert str(tidied.illustratief.dtype) == "boolean" and str(tidied.voortgang_pct.dtype) == "Int64"
    assert tidied.start.tolist() == [dt.date(2025, 1, 1), None]   # dates stay dates: a Date field in the files


def test_a_single_point_is_a_one_part_multipoint_in_an_otherwise_empty_layout(tmp_path):
    data = build_data([_fiche(1, "HER-01", "Eén punt", shapely.Point(X, Y))])
    path = tmp_path / "x.gpkg"
    path.write_bytes(EXPORTERS["gpkg"].write(data))
    layers = dict(tuple(layer) for layer in pyogrio.list_layers(path))
    assert layers == {k: v[1] for k, v in GPKG_LAYERS.items()}       # every layer, empty ones too
    points = pyogrio.read_dataframe(path, layer="fiches_punten")
    assert points.geometry[0].geom_type == "MultiPoint" and len(points.geometry[0].geoms) == 1
    assert pyogrio.read_info(path, layer="fiches_lijnen")["features"] == 0
