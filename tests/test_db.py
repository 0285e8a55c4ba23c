"""The SpatiaLite traps of SETUP-NOTES, guarded."""
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.db import sqlite_dbapi

ROOT = Path(__file__).resolve().parent.parent


def test_sqlite_module_can_load_extensions():
    assert hasattr(sqlite_dbapi().Connection, "enable_load_extension")


def test_geo_wheels_work_after_a_spatialite_connection(tmp_path):
    # In a fresh interpreter: open SpatiaLite through app.db first, then use
    # pyogrio and pyproj. With the wrong import order this segfaults or
    # raises GEOSException (SETUP-NOTES trap 2).
    script = textwrap.dedent(f"""
        from app.db import make_engine
        from sqlalchemy import text
        engine = make_engine("sqlite:///{tmp_path / 'order.sqlite'}")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT spatialite_version()")).scalar()
        import pyogrio
        frame = pyogrio.read_dataframe("{ROOT / 'geodata/areas/herentals_areas.gpkg'}", layer="wijken")
        frame = frame.to_crs(4326)
        print(len(frame), round(frame.total_bounds[0], 2))
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] == "10"


def test_spatialite_init_is_fast(tmp_path):
    import time

    from sqlalchemy import text

    from app.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'fast.sqlite'}")
    started = time.perf_counter()
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    elapsed = time.perf_counter() - started
    engine.dispose()
    # The slow path (no transaction) takes ~13 s; the fast one well under 5 s.
    assert elapsed < 5, f"SpatiaLite metadata init took {elapsed:.1f} s"


@pytest.mark.parametrize("srid", [31370, 3812])
def test_spatialite_knows_belgian_crs(tmp_path, srid):
    from sqlalchemy import text

    from app.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'srs.sqlite'}")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM spatial_ref_sys WHERE srid = :s"), {"s": srid}).scalar() == 1
    engine.dispose()
