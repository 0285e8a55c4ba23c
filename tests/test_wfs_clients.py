"""The WFS read by real clients on both databases: GDAL's WFS driver
(pyogrio's GDAL 3.12 and Debian's ogrinfo/ogr2ogr, GDAL 3.6), OWSLib and,
where Debian's python3-qgis is installed, QGIS 3.22 (headless, in a child
process).

The app runs in a child process (test_ogcapi_clients.Server: a server
thread would deadlock with pyogrio holding the GIL)."""
from __future__ import annotations

import json
import re
import shutil
import subprocess

import numpy as np
import pyogrio
import pytest
import shapely
from test_ogcapi_clients import Server
from wfs_helpers import expected_features

GEOMETRY_TYPES = {"punten": "MultiPoint", "lijnen": "MultiLineString", "vlakken": "MultiPolygon",
                  "wijken": "MultiPolygon"}
GROTE_MARKT_31370 = (182_400, 207_200, 183_000, 207_800)
# GDAL 3.6 types gml:MultiCurve/MultiSurfacePropertyType as curve types (3.12 as linear ones)
GDAL36_NAMES = {"MultiPoint": "Multi Point", "MultiLineString": "Multi Curve", "MultiPolygon": "Multi Surface"}


@pytest.fixture(scope="module")
def server(app, tmp_path_factory):
    running = Server(app.config["DATABASE_URL"], tmp_path_factory.mktemp("wfs") / "requests.log")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def wfs(server):
    return "WFS:" + server.root.removesuffix("/ogc") + "/wfs"


@pytest.fixture(scope="module")
def expected(app):
    from app.db import get_session

    with app.app_context():
        return expected_features(get_session())


def geometry_type(name: str) -> str:
    return GEOMETRY_TYPES[name.rsplit("-", 1)[-1]]


# -- GDAL 3.12 (pyogrio) ----------------------------------------------------------

def test_gdal_lists_every_type_with_its_geometry_type(wfs, expected):
    layers = dict(pyogrio.list_layers(wfs))
    assert layers == {f"fk:{name}": geometry_type(name) for name in expected}


def test_gdal_reads_every_type_completely_in_lambert72(wfs, expected, server):
    for name, stored in expected.items():
        frame = pyogrio.read_dataframe(wfs, layer=f"fk:{name}")
        assert len(frame) == len(stored), name
        assert pyogrio.read_info(wfs, layer=f"fk:{name}")["features"] == len(stored), name
        if not stored:
            continue
        assert frame.crs.to_epsg() == 31370, name
        key = "code" if name == "wijken" else "id"
        for feature_id, geom in zip(frame[key], frame.geometry):
            want = stored[feature_id]
            assert geom.geom_type == geometry_type(name), name
            got, exact = shapely.get_coordinates(geom), shapely.get_coordinates(want)
            assert len(got) == len(exact) and abs(got - exact).max() <= 0.001, (name, feature_id)
    asked = server.requests()
    assert any("RESULTTYPE=hits" in r for r in asked)  # the feature count: one question, not all pages


def test_gdal_pages_with_startindex(wfs, expected, server):
    name = max((n for n in expected if n.startswith("fiches-")), key=lambda n: len(expected[n]))
    pyogrio.set_gdal_config_options({"OGR_WFS_PAGE_SIZE": "10", "OGR_WFS_PAGING_ALLOWED": "ON"})
    try:
        frame = pyogrio.read_dataframe(wfs, layer=f"fk:{name}")
    finally:
        pyogrio.set_gdal_config_options({"OGR_WFS_PAGE_SIZE": None, "OGR_WFS_PAGING_ALLOWED": None})
    assert sorted(frame["id"]) == sorted(expected[name])
    assert any("STARTINDEX=10&COUNT=10" in r for r in server.requests())


def test_gdal_bbox(wfs, expected):
    name = "fiches-herentals-punten"
    box = shapely.box(*GROTE_MARKT_31370)
    want = {k for k, g in expected[name].items() if g.intersects(box)}
    frame = pyogrio.read_dataframe(wfs, layer=f"fk:{name}", bbox=GROTE_MARKT_31370)
    assert set(frame["id"]) == want and want


# -- OWSLib (the Python WFS client of many portals and plugins) -------------------------

def test_owslib_reads_capabilities_and_features(wfs, expected):
    from lxml import etree
    from owslib.wfs import WebFeatureService

    service = WebFeatureService(wfs.removeprefix("WFS:"), version="2.0.0")
    assert set(service.contents) == {f"fk:{name}" for name in expected}
    lines = service.contents["fk:fiches-herentals-lijnen"]
    assert [str(c) for c in lines.crsOptions] == ["urn:ogc:def:crs:EPSG::31370", "urn:ogc:def:crs:EPSG::3812",
                                                  "urn:ogc:def:crs:EPSG::4326"]
    lon1, lat1, lon2, lat2 = lines.boundingBoxWGS84
    assert 4.7 < lon1 < lon2 < 5.0 and 51.0 < lat1 < lat2 < 51.3  # Herentals, lon/lat
    # OWSLib's get_schema knows no gml:MultiCurvePropertyType (and calls MultiSurface "3D MultiPolygon"),
    # but it reads the fields
    assert service.get_schema("fk:fiches-herentals-lijnen")["properties"]["ref"] == "string"
    box = shapely.box(*GROTE_MARKT_31370)
    want = {k for k, g in expected["fiches-herentals-punten"].items() if g.intersects(box)}
    answer = service.getfeature(typename="fk:fiches-herentals-punten",
                                bbox=(*GROTE_MARKT_31370, "urn:ogc:def:crs:EPSG::31370"))
    got = etree.fromstring(answer.read()).iter("{urn:fichekaart:wfs}fiches-herentals-punten")
    assert {int(f.get("{http://www.opengis.net/gml/3.2}id").split(".")[1]) for f in got} == want and want
    geojson = json.loads(service.getfeature(typename="fk:wijken", outputFormat="application/json",
                                            maxfeatures=2).read())
    assert geojson["numberMatched"] == len(expected["wijken"]) and len(geojson["features"]) == 2


# -- GDAL 3.6 (Debian's ogrinfo) ----------------------------------------------------

OGRINFO = shutil.which("ogrinfo")


@pytest.mark.skipif(OGRINFO is None, reason="Debian's gdal-bin (ogrinfo) is not installed")
def test_ogrinfo_36_lists_types_and_counts(wfs, expected):
    result = subprocess.run([OGRINFO, "-ro", "-so", wfs], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    for name in expected:
        listed = re.search(rf": fk:{re.escape(name)} \(title: .*\) \(([A-Za-z ]+)\)\n", result.stdout)
        assert listed and listed.group(1) == GDAL36_NAMES[geometry_type(name)], name
    for name in ("fiches-herentals-lijnen", "wijken"):
        summary = subprocess.run([OGRINFO, "-ro", "-so", wfs, f"fk:{name}"], capture_output=True, text=True,
                                 timeout=120).stdout
        assert f"Feature Count: {len(expected[name])}" in summary, summary[:2000]
        assert 'ID["EPSG",31370]' in summary


@pytest.mark.skipif(OGRINFO is None, reason="Debian's gdal-bin (ogr2ogr) is not installed")
def test_ogr2ogr_36_writes_linear_layers_on_request(wfs, expected, tmp_path):
    """What docs/ogcapi.md tells a partner with GDAL 3.6: -nlt MULTIPOLYGON."""
    target = tmp_path / "vlakken.gpkg"
    result = subprocess.run([shutil.which("ogr2ogr"), "-f", "GPKG", str(target), wfs, "fk:fiches-herentals-vlakken",
                             "-nlt", "MULTIPOLYGON"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    info = pyogrio.read_info(target)
    assert info["geometry_type"] == "MultiPolygon" and info["crs"] == "EPSG:31370"
    assert info["features"] == len(expected["fiches-herentals-vlakken"]) > 0


# -- QGIS 3.22 (Debian's python3-qgis), where installed ------------------------------

QGIS_SCRIPT = """
import json, os, sys
from qgis.core import QgsApplication, QgsVectorLayer, QgsWkbTypes
app = QgsApplication([], False)
app.initQgis()
out = {}
for name in json.loads(sys.argv[2]):
    uri = f"pagingEnabled='true' srsname='EPSG:31370' typename='fk:{name}' url='{sys.argv[1]}' version='2.0.0'"
    layer = QgsVectorLayer(uri, name, "WFS")
    key = "code" if name == "wijken" else "id"
    out[name] = {"valid": layer.isValid(), "type": QgsWkbTypes.displayString(layer.wkbType()),
                 "crs": layer.crs().authid(),
                 "features": {str(f[key]): [(v.x(), v.y()) for v in f.geometry().vertices()]
                              for f in layer.getFeatures()}}
print(json.dumps(out), flush=True)
os._exit(0)  # QGIS 3.22's exitQgis() crashes (SIGSEGV) after WFS layers in a headless run; nothing left to do
"""


def qgis_python() -> str | None:
    """Debian's python3 with its qgis module (not the venv's)."""
    python = shutil.which("python3", path="/usr/bin")
    if python is None:
        return None
    found = subprocess.run([python, "-c", "import qgis.core"], capture_output=True)
    return python if found.returncode == 0 else None


QGIS = qgis_python()


@pytest.mark.skipif(QGIS is None, reason="QGIS (Debian's python3-qgis) is not installed")
def test_qgis_loads_every_type_with_its_geometry_type_and_count(wfs, expected, tmp_path):
    names = [n for n in expected if expected[n]]  # QGIS types an empty layer from its schema too, but counts 0
    result = subprocess.run([QGIS, "-c", QGIS_SCRIPT, wfs.removeprefix("WFS:"), json.dumps(sorted(expected))],
                            capture_output=True, text=True, timeout=600,
                            env={"QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path), "PATH": "/usr/bin:/bin",
                                 "XDG_RUNTIME_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr[-2000:]
    layers = json.loads(result.stdout.strip().splitlines()[-1])
    for name in expected:
        layer = layers[name]
        assert layer["valid"] and layer["crs"] == "EPSG:31370", (name, layer)
        assert layer["type"] == geometry_type(name), (name, layer)
        assert set(layer["features"]) == {str(k) for k in expected[name]}, name
        for key, vertices in layer["features"].items():
            want = shapely.get_coordinates(expected[name][key if name == "wijken" else int(key)])
            assert len(vertices) == len(want), (name, key)
            assert abs(np.array(vertices) - want).max() <= 0.001, (name, key)
    assert names
