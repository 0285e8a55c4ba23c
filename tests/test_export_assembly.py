"""What makes the all-cities download fast without changing it (docs/bench.md,
exports): every city's indicator values, figures and settings in a fixed
number of statements, the garbage collector paused and SQLite's scratch
settings only for the block that asks, Multi geometries and text columns
made in bulk with the same values as one by one."""
from __future__ import annotations

import datetime as dt
import gc
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from app.exports.base import paused_gc
from conftest import statements_before_and_after_adding_cities
from app.exports.frames import _as_date, _as_text, typed
from app.exports import EXPORTERS
from app.exports.ogr import SCRATCH_DIR, SCRATCH_SQLITE, scratch_sqlite
from app.geometry_families import as_multi, as_multi_many
from app.read.city_settings import city_profile, city_profiles
from app.read.pages import (
    all_municipalities,
    cities_real_figures,
    city_wijk_indicator_values,
    real_city_figures,
    wijk_indicator_values,
)


def test_the_all_cities_download_costs_the_same_statements_with_more_cities(scratch_app):
    before, after = statements_before_and_after_adding_cities(scratch_app, "/alle-steden/download.csv")
    assert after == before     # it was four or five statements more for every city


def test_every_citys_values_figures_and_settings_as_city_after_city(session):
    cities = all_municipalities(session)
    assert len(cities) >= 2
    for ordered in (cities, cities[::-1]):
        values = wijk_indicator_values(session, ordered)
        assert values and values == [v for c in ordered for v in city_wijk_indicator_values(session, c)]
        assert {v.area.level for v in values} == {"wijk"}
        figures = cities_real_figures(session, ordered)
        assert figures == [v for c in ordered for v in real_city_figures(session, c)]
        assert not any(v.illustrative for v in figures) and {v.area.level for v in figures} <= {"gemeente"}
        assert city_profiles(session, ordered) == [city_profile(session, c) for c in ordered]


def test_paused_gc_gives_the_collector_back_as_it_was():
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), paused_gc():
        raise RuntimeError("an export that fails")
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()      # someone else's pause is left alone
    finally:
        gc.enable()


def test_scratch_sqlite_is_set_for_the_block_only():
    assert pyogrio.get_gdal_config_option("OGR_SQLITE_SYNCHRONOUS") is None
    with scratch_sqlite():
        assert pyogrio.get_gdal_config_option("OGR_SQLITE_SYNCHRONOUS") is False    # OFF, as pyogrio reads it
        assert pyogrio.get_gdal_config_option("OGR_SQLITE_JOURNAL") == SCRATCH_SQLITE["OGR_SQLITE_JOURNAL"]
    assert pyogrio.get_gdal_config_option("OGR_SQLITE_SYNCHRONOUS") is None
    assert pyogrio.get_gdal_config_option("OGR_SQLITE_JOURNAL") is None


def test_the_geopackage_scratch_file_is_gone_afterwards(tmp_path):
    from test_exports import build_data

    scratch = Path(SCRATCH_DIR or tempfile.gettempdir())
    before = set(scratch.glob("fichekaart-gpkg-*"))
    body = EXPORTERS["gpkg"].write(build_data())
    assert set(scratch.glob("fichekaart-gpkg-*")) == before    # in memory (/dev/shm) it would hold RAM
    (tmp_path / "x.gpkg").write_bytes(body)
    assert pyogrio.read_info(tmp_path / "x.gpkg", layer="fiches_punten")["features"] >= 1


def test_as_multi_many_equals_as_multi_one_by_one():
    geoms = np.array([
        shapely.Point(1, 2), None, shapely.LineString([(0, 0), (1, 1)]), shapely.box(0, 0, 1, 1),
        shapely.MultiPoint([(1, 1), (2, 2)]), shapely.MultiLineString([[(0, 0), (1, 0)], [(2, 2), (3, 3)]]),
        shapely.Point(5, 6), shapely.GeometryCollection([shapely.Point(1, 1)]),
    ], dtype=object)
    many = as_multi_many(geoms)
    assert geoms[0].geom_type == "Point"        # the input is left as it was
    for got, want in zip(many, (as_multi(g) for g in geoms)):
        if want is None:
            assert got is None
        else:
            assert got.geom_type == want.geom_type and shapely.equals_exact(got, want, 0)
    assert [g.geom_type if g is not None else None for g in many] == [
        "MultiPoint", None, "MultiLineString", "MultiPolygon", "MultiPoint", "MultiLineString", "MultiPoint",
        "GeometryCollection"]


def _per_value(column: pd.Series, kind: str) -> pd.Series:
    """What typed() gave before its one-pass path: a Python call per value."""
    return column.astype(object).map(_as_text if kind == "string" else _as_date).astype(object)


@pytest.mark.parametrize("values, kind", [
    (["a", None, "b", float("nan")], "string"),
    (pd.array(["a", None, "c"], dtype="str"), "string"),
    (["a", 3, None, 2.5, dt.date(2024, 1, 2)], "string"),          # mixed: the per-value path itself
    ([None, None], "string"),
    ([float("nan")], "string"),
    ([], "string"),
    ([dt.date(2024, 1, 2), None, dt.date(2025, 3, 4)], "date"),
    ([None], "date"),
    ([dt.datetime(2024, 1, 2, 3, 4), "2025-03-04", None], "date"),  # mixed: the per-value path itself
])
def test_typed_text_and_dates_as_the_per_value_rule_gave_them(values, kind):
    column = pd.Series(values, name="x", dtype=None if isinstance(values, pd.api.extensions.ExtensionArray)
                       else object)
    got, want = typed(column, kind), _per_value(column, kind)
    pd.testing.assert_series_equal(got, want)
    # None and NaN alike: assert_series_equal takes them as equal, the writers may not
    assert [type(v) for v in got] == [type(v) for v in want]
