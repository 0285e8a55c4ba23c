"""The geometry rules (app.geometry): pure, no database."""
import pytest
import shapely

from app.geometry import GeometryError, to_storage

from app.crs import transform

GROTE_MARKT_4326 = (4.8366, 51.1766)
GROTE_MARKT_31370 = (182716.77, 207503.14)
# With the NGI grid (app/crs.py); PROJ's Helmert fallback gives (682711.726, 707507.146).
GROTE_MARKT_3812 = (682711.770, 707507.231)


def test_wgs84_to_lambert72_matches_reference():
    """(4.8366, 51.1766) read as ETRS89 through the NGI grid (app.crs.THROUGH_ETRS89):
    the grid's answer, 0.10 m from PROJ's Helmert (182716.768, 207503.144)."""
    p = to_storage(shapely.Point(*GROTE_MARKT_4326), 4326)
    assert p.x == pytest.approx(182716.725, abs=0.01)
    assert p.y == pytest.approx(207503.058, abs=0.01)


def test_lambert2008_in_and_out():
    p = to_storage(shapely.Point(*GROTE_MARKT_3812), "EPSG:3812")
    assert (p.x, p.y) == pytest.approx(GROTE_MARKT_31370, abs=0.001)
    back = transform(p, 31370, 3812)
    assert (back.x, back.y) == pytest.approx(GROTE_MARKT_3812, abs=0.001)


def test_round_trip_4326_31370_4326_is_sub_millimetre():
    line = shapely.LineString([(4.83, 51.17), (4.84, 51.18)])
    there = transform(line, 4326, 31370)
    back = transform(there, 31370, 4326)
    again = transform(back, 4326, 31370)
    assert shapely.hausdorff_distance(there, again) < 0.001


def test_wrong_crs_is_refused_with_a_clear_message():
    # Lambert coordinates declared as WGS84
    with pytest.raises(GeometryError, match="lengte- en breedtegraden"):
        to_storage(shapely.Point(*GROTE_MARKT_31370), 4326)
    # WGS84 coordinates declared as Lambert: they land far outside Belgium
    with pytest.raises(GeometryError, match="niet in België"):
        to_storage(shapely.Point(*GROTE_MARKT_4326), 31370)


def test_invalid_polygon_is_refused_with_its_location_or_repaired_on_request():
    bow_tie = shapely.Polygon([(182700, 207500), (182720, 207520), (182720, 207500), (182700, 207520)])
    with pytest.raises(GeometryError, match=r"snijdt zichzelf bij \(182710,00, 207510,00\)"):
        to_storage(bow_tie, 31370)
    fixed = to_storage(bow_tie, 31370, repair_invalid=True)
    assert fixed.is_valid and fixed.geom_type == "MultiPolygon"
    assert fixed.area == pytest.approx(200.0)


def test_z_is_refused_unless_dropped():
    p3 = shapely.Point(182716.77, 207503.14, 12.0)
    with pytest.raises(GeometryError, match="3D"):
        to_storage(p3, 31370)
    p2 = to_storage(p3, 31370, drop_z=True)
    assert not p2.has_z and p2.x == pytest.approx(182716.77)


def test_geometry_collection_and_empty_are_refused():
    gc = shapely.GeometryCollection([shapely.Point(182716, 207503), shapely.LineString([(182716, 207503), (182800, 207600)])])
    with pytest.raises(GeometryError, match="GeometryCollection"):
        to_storage(gc, 31370)
    with pytest.raises(GeometryError, match="leeg"):
        to_storage(shapely.Polygon(), 31370)


def test_unknown_crs_is_refused():
    with pytest.raises(GeometryError, match="Onbekend coördinatenstelsel"):
        to_storage(shapely.Point(1, 1), "EPSG:999999")
