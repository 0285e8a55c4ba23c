"""The SpatiaLite traps of SETUP-NOTES, guarded."""
import os
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


def test_a_forked_worker_opens_its_own_connections(tmp_path):
    """gunicorn --preload forks workers from a master that may have used the
    database: the child must not reuse the parent's pooled connection."""
    from sqlalchemy import text

    from app.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'fork.sqlite'}")
    with engine.connect() as conn:
        parent_connection = id(conn.connection.dbapi_connection)
    assert engine.pool.checkedin() == 1  # the parent keeps it pooled
    child = os.fork()
    if child == 0:  # the worker
        try:
            fresh_pool = engine.pool.checkedin() == 0
            with engine.connect() as conn:
                works = conn.execute(text("SELECT spatialite_version() IS NOT NULL")).scalar() == 1
                own = id(conn.connection.dbapi_connection) != parent_connection
            os._exit(0 if fresh_pool and works and own else 1)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    with engine.connect() as conn:  # the parent's connection is still open and usable
        assert conn.execute(text("SELECT 1")).scalar() == 1
    engine.dispose()
