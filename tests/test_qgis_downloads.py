"""QGIS 3.22 (Debian's python3-qgis, headless) opens each city's GeoPackage
download: every layer valid, in EPSG:31370, with one declared geometry type
(the same in both cities) and as many features as GDAL reads (issue 11).
Skipped, saying so, where QGIS is not installed; scripts/test installs it."""
from __future__ import annotations

import json
import subprocess

import pyogrio
import pytest

from test_wfs_clients import QGIS

CITIES = ("herentals", "halle")
QGIS_SCRIPT = """
import json, os, sys
from qgis.core import QgsApplication, QgsVectorLayer, QgsWkbTypes
app = QgsApplication([], False)
app.initQgis()
out = {}
for name in json.loads(sys.argv[2]):
    layer = QgsVectorLayer(f"{sys.argv[1]}|layername={name}", name, "ogr")
    out[name] = {"valid": layer.isValid(), "type": QgsWkbTypes.displayString(layer.wkbType()),
                 "crs": layer.crs().authid(), "count": layer.featureCount()}
print(json.dumps(out), flush=True)
os._exit(0)  # as in test_wfs_clients: skip QGIS 3.22's exit
"""


@pytest.mark.skipif(QGIS is None, reason="QGIS (Debian's python3-qgis) is not installed")
def test_qgis_reads_every_layer_of_every_city_geopackage(client, tmp_path):
    seen = {}
    for city in CITIES:
        path = tmp_path / f"{city}.gpkg"
        response = client.get(f"/{city}/download.gpkg")
        assert response.status_code == 200
        path.write_bytes(response.data)
        spatial = {name: kind for name, kind in pyogrio.list_layers(path) if kind is not None}
        result = subprocess.run([QGIS, "-c", QGIS_SCRIPT, str(path), json.dumps(sorted(spatial))],
                                capture_output=True, text=True, timeout=300,
                                env={"QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path), "PATH": "/usr/bin:/bin",
                                     "XDG_RUNTIME_DIR": str(tmp_path)})
        assert result.returncode == 0, result.stderr[-2000:]
        layers = json.loads(result.stdout.strip().splitlines()[-1])
        for name, declared in spatial.items():
            layer = layers[name]
            assert layer["valid"] and layer["crs"] == "EPSG:31370", (city, name, layer)
            assert layer["type"] == declared, (city, name, layer)
            assert layer["count"] == pyogrio.read_info(path, layer=name)["features"], (city, name, layer)
        seen[city] = {name: layers[name]["type"] for name in spatial}
    assert seen["herentals"] == seen["halle"]  # the same layout in every city
    assert {"fiches_punten", "fiches_lijnen", "fiches_vlakken", "wijken"} <= set(seen["herentals"])
