"""Budget per wijk: the geometry shares (pure) and the whole query (both databases)."""
import pytest
import shapely

from app.apportion import WijkIndex

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
