"""Budget per wijk: the geometry shares (pure) and the whole query (both databases)."""
import pytest
import shapely

from app.read.apportion import WijkIndex

# Three 100 m x 100 m wijken side by side: A | B | C
A = shapely.box(0, 0, 100, 100)
B = shapely.box(100, 0, 200, 100)
C = shapely.box(200, 0, 300, 100)
INDEX = WijkIndex([("A", A), ("B", B), ("C", C)])


def test_point_goes_to_the_containing_wijk():
    assert INDEX.shares(shapely.Point(150, 50)) == {"B": 1.0}


def test_line_crossing_two_wijken_is_shared_by_length():
    line = shapely.LineString([(70, 50), (170, 50)])  # 30 m in A, 70 m in B
    shares = INDEX.shares(line)
    assert shares == pytest.approx({"A": 0.3, "B": 0.7})


def test_polygon_across_three_wijken_is_shared_by_area():
    poly = shapely.box(50, 0, 250, 50)  # 50 in A, 100 in B, 50 in C (x 50 m)
    assert INDEX.shares(poly) == pytest.approx({"A": 0.25, "B": 0.5, "C": 0.25})


def test_no_geometry_or_outside_is_citywide():
    assert INDEX.shares(None) == {}
    assert INDEX.shares(shapely.Point(1000, 1000)) == {}


def test_part_outside_the_wijken_is_not_counted():
    line = shapely.LineString([(-100, 50), (100, 50)])  # half outside, half in A
    assert INDEX.shares(line) == {"A": 1.0}


def test_multipoint_equal_shares():
    assert INDEX.shares(shapely.MultiPoint([(10, 10), (110, 10), (120, 10), (400, 10)])) == pytest.approx(
        {"A": 1 / 3, "B": 2 / 3}
    )


def test_on_a_border_the_lowest_code_and_inside_one_wijk_all_of_it():
    assert INDEX.shares(shapely.Point(100, 50)) == {"A": 1.0}
    assert INDEX.shares(shapely.box(110, 10, 190, 90)) == {"B": 1.0}
    assert INDEX.shares(B) == {"B": 1.0}  # the whole wijk touches its neighbours: shared by area all the same
    assert INDEX.shares(shapely.LineString([(150, 50), (150, 50)])) == {}  # no length anywhere


def test_many_at_once_as_one_by_one():
    """One index query for a page of fiches gives what each asks alone,
    whatever the mix and order of kinds."""
    cases = [
        (shapely.box(50, 0, 250, 50), {"A": 0.25, "B": 0.5, "C": 0.25}),
        (None, {}),
        (shapely.Point(150, 50), {"B": 1.0}),
        (shapely.LineString([(120, 10), (180, 90)]), {"B": 1.0}),
        (shapely.Point(), {}),
        (shapely.MultiPoint([(10, 10), (110, 10), (120, 10), (400, 10)]), {"A": 1 / 3, "B": 2 / 3}),
        (shapely.LineString([(70, 50), (170, 50)]), {"A": 0.3, "B": 0.7}),
        (shapely.Point(1000, 1000), {}),
        (shapely.MultiPolygon([shapely.box(10, 10, 20, 20), shapely.box(210, 10, 230, 20)]), {"A": 1 / 3, "C": 2 / 3}),
    ]
    got = INDEX.shares_many([geom for geom, _ in cases])
    assert len(got) == len(cases)
    for (geom, expected), shares in zip(cases, got):
        assert shares == pytest.approx(expected), geom
        assert shares == INDEX.shares(geom)
    assert INDEX.shares_many([]) == []


# Eight threads share one index, as the threads of a gthread worker share the
# kept index of their city (app.read.kept). In a child process: without the
# index's lock this crashed with SIGSEGV in GEOS (prepared geometries are not
# thread-safe) within seconds; a crash must fail the test, not the test run.
SHARED_INDEX_SCRIPT = """
import threading
import numpy as np
import shapely
from app.read.apportion import WijkIndex

rng = np.random.default_rng(1)
index = WijkIndex([(f"W{i}", shapely.buffer(shapely.Point(x, y), 300, quad_segs=64))
                   for i, (x, y) in enumerate(rng.uniform(0, 5000, (60, 2)))])
shapes = ([shapely.LineString(rng.uniform(0, 5000, (4, 2))) for _ in range(40)]
          + [shapely.buffer(shapely.Point(x, y), 200) for x, y in rng.uniform(0, 5000, (40, 2))])
expected = index.shares_many(shapes)
failures = []

def work():
    for _ in range(10):
        if index.shares_many(shapes) != expected:
            failures.append(1)

threads = [threading.Thread(target=work) for _ in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("same shares in every thread" if not failures else f"{len(failures)} different answers")
"""


def test_one_index_shared_by_threads_gives_the_same_shares_and_does_not_crash():
    import subprocess
    import sys
    from pathlib import Path

    done = subprocess.run([sys.executable, "-c", SHARED_INDEX_SCRIPT], capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert done.stdout.strip() == "same shares in every thread"
