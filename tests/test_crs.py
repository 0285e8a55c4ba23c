"""app/crs.py: the NGI grid is used for every Lambert 72 <-> ETRS89 transformation.

The reference is an explicit PROJ pipeline through the grid (inverse Lambert 72,
the NGI horizontal grid shift, Lambert 2008), built here independently of
PROJ's own choice of operation; the figures of geodata/proj/README.md anchor it.
"""
from __future__ import annotations

import geopandas as gpd
import pyproj
import pytest
import shapely
from pyproj import Transformer

from app.crs import NGI_GRID, NGI_GRID_DIR, from_storage, transform

LAMBERT_72 = ("+proj=lcc +lat_0=90 +lon_0=4.36748666666667 +lat_1=51.1666672333333 +lat_2=49.8333339 "
              "+x_0=150000.013 +y_0=5400088.438 +ellps=intl")
LAMBERT_2008 = ("+proj=lcc +lat_0=50.797815 +lon_0=4.35921583333333 +lat_1=49.8333333333333 "
                "+lat_2=51.1666666666667 +x_0=649328 +y_0=665262 +ellps=GRS80")
GRID_PIPELINE = (f"+proj=pipeline +step +inv {LAMBERT_72} +step +proj=hgridshift +grids={NGI_GRID_DIR / NGI_GRID} "
                 f"+step {LAMBERT_2008}")

# Herentals (geodata/proj/README.md), Halle, De Panne, Arlon, Maaseik: EPSG:31370.
POINTS = [(182716.77, 207503.14), (140000.0, 160000.0), (25000.0, 200000.0), (255000.0, 40000.0),
          (245000.0, 195000.0)]


def test_grid_file_is_shipped_with_its_credit():
    assert (NGI_GRID_DIR / NGI_GRID).stat().st_size > 700_000
    assert "Nicolas SIMON" in (NGI_GRID_DIR / "README.md").read_text()


def test_herentals_matches_the_published_grid_result_not_helmert():
    p = transform(shapely.Point(182716.77, 207503.14), 31370, 3812)
    assert p.x == pytest.approx(682711.770, abs=0.001) and p.y == pytest.approx(707507.231, abs=0.001)
    # PROJ's Helmert fallback ("BD72 to ETRS89 (2)") lands ~0.1 m away.
    assert shapely.Point(682711.726, 707507.146).distance(p) > 0.05


@pytest.mark.parametrize("x, y", POINTS)
def test_every_path_matches_the_explicit_grid_pipeline(x, y):
    expected = Transformer.from_pipeline(GRID_PIPELINE).transform(x, y)
    one = transform(shapely.Point(x, y), 31370, 3812)
    many = from_storage([shapely.Point(x, y)], 3812)[0]
    frame = gpd.GeoSeries([shapely.Point(x, y)], crs=31370).to_crs(3812).iloc[0]  # exports use geopandas
    for p in (one, many, frame):
        assert shapely.Point(expected).distance(p) < 0.001


def test_back_and_forth_through_wgs84_stays_within_a_millimetre():
    there = transform(shapely.Point(*POINTS[0]), 31370, 4326)
    back = transform(there, 4326, 31370)
    assert back.distance(shapely.Point(*POINTS[0])) < 0.001


@pytest.mark.parametrize("x, y", POINTS)
def test_wgs84_goes_through_etrs89_and_the_grid_not_a_helmert(x, y):
    """31370 -> 4326 equals 31370 -> ETRS89 (4258) through the NGI grid, in
    every path (single, many, the exports' reprojection), and back; PROJ's
    own BD72 -> WGS 84 choice (a Helmert) lies 0.1-0.2 m away."""
    from app.exports.frames import reproject

    grid_lon, grid_lat = Transformer.from_crs(31370, 4258, always_xy=True).transform(x, y)
    expected = shapely.Point(grid_lon, grid_lat)
    one = transform(shapely.Point(x, y), 31370, 4326)
    many = from_storage([shapely.Point(x, y)], 4326)[0]
    frame = reproject(gpd.GeoDataFrame(geometry=[shapely.Point(x, y)], crs=31370), "EPSG:4326").geometry.iloc[0]
    for p in (one, many, frame):
        # from_storage rounds to 7 decimals (half a unit: 5e-8 degrees, ~5 mm); grid vs Helmert is ~2e-6
        assert abs(p.x - expected.x) <= 5.1e-8 and abs(p.y - expected.y) <= 5.1e-8
    back = transform(one, 4326, 31370)
    assert back.distance(shapely.Point(x, y)) < 0.001
    helmert_lon, helmert_lat = Transformer.from_crs(31370, 4326, always_xy=True).transform(x, y)
    apart = pyproj.Geod(ellps="GRS80").inv(helmert_lon, helmert_lat, one.x, one.y)[2]
    assert apart > 0.05, apart
