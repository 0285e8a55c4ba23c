"""The OGC API read by real clients, on both databases: GDAL's OAPIF driver
through pyogrio (GDAL 3.12 in the wheel) and Debian's ogrinfo (GDAL 3.6).

The app runs in a separate process on a free 127.0.0.1 port. Not in a
thread: pyogrio keeps the GIL while GDAL fetches the next page, so a server
thread in the test process would never answer (a deadlock, observed).
The server's request log shows what the clients asked for.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
import urllib.request

import pyogrio
import pytest
import shapely
from pyproj import Transformer
from sqlalchemy import func, select

from app import ROOT
from app.crs import transform
from app.models import Area, IndicatorValue
from app.read.queries import FicheFilters, select_fiches
from app.spatial import from_db

SERVER = """
import json, sys
from app import create_app
from werkzeug.serving import make_server
app = create_app({"TESTING": True, "DATABASE_URL": sys.argv[1], "SECRET_KEY": "test", **json.loads(sys.argv[2])})
server = make_server("127.0.0.1", 0, app, threaded=True)
print(server.socket.getsockname()[1], flush=True)
server.serve_forever()
"""
LAMBERT72 = "http://www.opengis.net/def/crs/EPSG/0/31370"
GROTE_MARKT_31370 = (182_400, 207_200, 183_000, 207_800)


class Server:
    """The app in a child process; `config` is added to the test config."""

    def __init__(self, url: str, log_path, **config):
        self.log_path = log_path
        self.log = open(log_path, "w")
        self.process = subprocess.Popen([sys.executable, "-c", SERVER, url, json.dumps(config)], cwd=ROOT,
                                        stdout=subprocess.PIPE, stderr=self.log, text=True)
        port = self.process.stdout.readline().strip()
        if not port.isdigit():
            self.stop()
            raise RuntimeError(f"test server did not start: {log_path.read_text()[-2000:]}")
        self.root = f"http://127.0.0.1:{port}/ogc"
        for _ in range(50):
            try:
                urllib.request.urlopen(self.root, timeout=2).close()
                break
            except OSError:
                time.sleep(0.1)

    def requests(self) -> list[str]:
        """The paths and queries the server has answered so far."""
        self.log.flush()
        return re.findall(r'"GET (\S+) HTTP', self.log_path.read_text())

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        self.log.close()


@pytest.fixture(scope="module")
def server(app, tmp_path_factory):
    running = Server(app.config["DATABASE_URL"], tmp_path_factory.mktemp("ogc") / "requests.log")
    yield running
    running.stop()


@pytest.fixture
def oapif(server):
    return f"OAPIF:{server.root}"


def expected_counts(session) -> dict[str, int]:
    from test_ogcapi import public_phases

    wijken = session.scalar(select(func.count(Area.id)).where(Area.level == "wijk"))
    values = session.scalar(select(func.count(IndicatorValue.id)).join(Area).where(Area.level == "wijk"))
    return {
        "fiches-herentals": len(select_fiches(session, FicheFilters(municipality="herentals"))),
        "fiches-halle": len(select_fiches(session, FicheFilters(municipality="halle"))),
        "fasen": len(public_phases(session)),
        "wijken": wijken,
        "indicatoren-wijken": values,
    }


# -- GDAL 3.12 (pyogrio) ----------------------------------------------------------

def test_gdal_lists_every_collection(oapif):
    layers = dict(pyogrio.list_layers(oapif))
    assert {"fiches-herentals", "fiches-halle", "fasen", "wijken", "indicatoren-wijken"} <= set(layers)
    assert layers["wijken"] == "MultiPolygon"


def test_gdal_reads_every_collection_completely(oapif, session, server):
    for layer, count in expected_counts(session).items():
        frame = pyogrio.read_dataframe(oapif, layer=layer)
        assert len(frame) == count, layer
        # GDAL >= 3.7 reads in the storageCrs by default: Lambert 72, asked with crs=
        assert frame.crs.to_epsg() == 31370, layer
        assert pyogrio.read_info(oapif, layer=layer)["features"] == count, layer
    asked = [r for r in server.requests() if "/items?" in r and "limit=1000" in r]
    assert asked and all(f"crs={LAMBERT72}" in r for r in asked)  # pages of 1000 (our OpenAPI maximum is 10000)


# Fields that the first pages of fiches-herentals leave empty: typed from the data alone, GDAL would make
# them String. The collection's JSON schema (link rel describedBy) gives their types.
TYPED_BY_THE_SCHEMA = {"prioritair": "bool", "voortgang_pct": "int32", "bijgewerkt": "datetime64[ms]"}


def test_gdal_types_fields_from_the_schema(oapif, server):
    info = pyogrio.read_info(oapif, layer="fiches-herentals")
    assert {k: v for k, v in zip(info["fields"], info["dtypes"]) if k in TYPED_BY_THE_SCHEMA} == TYPED_BY_THE_SCHEMA
    assert any("/collections/fiches-herentals/schema" in r for r in server.requests())


def test_gdal_points_match_the_database_to_a_millimetre(oapif, session):
    stored = {f.ref: from_db(f.geom) for f in select_fiches(session, FicheFilters(municipality="herentals"))}
    frame = pyogrio.read_dataframe(oapif, layer="fiches-herentals", CRS="EPSG:31370")
    assert frame.crs.to_epsg() == 31370
    points = 0
    for ref, geom in zip(frame["ref"], frame.geometry):
        if stored[ref] is None:
            assert geom is None
            continue
        assert geom.equals_exact(stored[ref], tolerance=0.001), ref
        if geom.geom_type == "Point":
            assert abs(geom.x - stored[ref].x) < 0.001 and abs(geom.y - stored[ref].y) < 0.001
            points += 1
    assert points > 0


def test_gdal_bbox_selects_what_shapely_selects(oapif, session):
    box = shapely.box(*GROTE_MARKT_31370)
    fiches = select_fiches(session, FicheFilters(municipality="herentals"))
    expected = {f.ref for f in fiches if f.geom is not None and from_db(f.geom).intersects(box)}
    frame = pyogrio.read_dataframe(oapif, layer="fiches-herentals", bbox=GROTE_MARKT_31370)
    assert set(frame["ref"]) == expected and expected


def test_gdal_other_crs_on_request(oapif, session):
    fiche = next(f for f in select_fiches(session, FicheFilters(municipality="herentals"))
                 if f.geom is not None and from_db(f.geom).geom_type == "Point")
    point = from_db(fiche.geom)
    lambert2008 = pyogrio.read_dataframe(oapif, layer="fiches-herentals", CRS="EPSG:3812",
                                         where=f"ref = '{fiche.ref}'")
    assert lambert2008.crs.to_epsg() == 3812
    x, y = Transformer.from_crs(31370, 3812, always_xy=True).transform(point.x, point.y)
    assert lambert2008.geometry.iloc[0].x == pytest.approx(x, abs=0.001)
    assert lambert2008.geometry.iloc[0].y == pytest.approx(y, abs=0.001)
    # GDAL matches EPSG:4326 with the first equivalent entry of our crs list,
    # CRS84, and keeps longitude first in its traditional GIS order.
    wgs84 = pyogrio.read_dataframe(oapif, layer="fiches-herentals", PREFERRED_CRS="EPSG:4326",
                                   where=f"ref = '{fiche.ref}'")
    expected = transform(point, 31370, 4326)
    assert wgs84.geometry.iloc[0].x == pytest.approx(expected.x, abs=1e-7)
    assert wgs84.geometry.iloc[0].y == pytest.approx(expected.y, abs=1e-7)


def test_gdal_sends_attribute_filters_to_the_server(oapif, session, server):
    frame = pyogrio.read_dataframe(oapif, layer="fiches-herentals", where="sector = 'Stadsontwikkeling'")
    assert len(frame) == 39
    assert any("sector=Stadsontwikkeling" in r for r in server.requests())


def test_gdal_where_beyond_exact_matches_stays_right(oapif, session):
    """A -where that is no exact match (LIKE, IS NOT NULL). GDAL 3.12 did not
    send it as filter= although /conformance declares cql2-text (observed:
    only the page requests, filtered on its side); the answer must be right
    either way."""
    where = "ref LIKE 'HER-VT-%' AND ligging IS NOT NULL"
    frame = pyogrio.read_dataframe(oapif, layer="fiches-herentals", where=where)
    fiches = select_fiches(session, FicheFilters(municipality="herentals"))
    expected = sum(1 for f in fiches if f.ref.startswith("HER-VT-") and f.geometry_precision is not None)
    assert 0 < len(frame) == expected


# -- GDAL 3.6 (Debian's ogrinfo) --------------------------------------------------------

OGRINFO = shutil.which("ogrinfo")


def ogrinfo(*args) -> str:
    result = subprocess.run([OGRINFO, "-ro", *args], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.skipif(OGRINFO is None, reason="Debian's gdal-bin (ogrinfo) is not installed")
def test_ogrinfo_36_lists_and_counts(oapif, session):
    listing = ogrinfo("-so", oapif)
    for name in ("fiches-herentals", "fiches-halle", "fasen", "wijken", "indicatoren-wijken"):
        assert f": {name} (title: " in listing
    summary = ogrinfo("-so", oapif, "fiches-herentals")
    assert "Feature Count: 110" in summary
    # GDAL 3.6 predates Part 2: it reads WGS 84 (CRS84) and ignores storageCrs
    assert 'ID["EPSG",4326]' in summary and "Data axis to CRS axis mapping: 2,1" in summary


@pytest.mark.skipif(OGRINFO is None, reason="Debian's gdal-bin (ogrinfo) is not installed")
def test_ogrinfo_36_types_fields_from_the_schema(oapif):
    """GDAL 3.6 follows the schema link only when its rel is spelled "describedBy"."""
    summary = ogrinfo("-so", oapif, "fiches-herentals")
    assert re.search(r"^prioritair: Integer\(Boolean\) ", summary, re.M), summary
    assert re.search(r"^voortgang_pct: Integer ", summary, re.M) and re.search(r"^bijgewerkt: DateTime ", summary, re.M)


@pytest.mark.skipif(OGRINFO is None, reason="Debian's gdal-bin (ogrinfo) is not installed")
def test_ogrinfo_36_reads_lon_lat(oapif, session):
    fiche = next(f for f in select_fiches(session, FicheFilters(municipality="herentals"))
                 if f.geom is not None and from_db(f.geom).geom_type == "Point")
    out = ogrinfo("-q", oapif, "fiches-herentals", "-where", f"ref = '{fiche.ref}'")
    x, y = map(float, re.search(r"POINT \(([-\d.]+) ([-\d.]+)\)", out).groups())
    expected = transform(from_db(fiche.geom), 31370, 4326)
    assert (x, y) == pytest.approx((expected.x, expected.y), abs=1e-6)
