"""The entry point "Wat gebeurt er in mijn buurt?" (issue 10): the wijk
chooser, the geolocation endpoint /buurt and the block on `/` and the city
pages; both databases."""
import re

import pytest
import shapely
from sqlalchemy import select

from app.crs import transform
from app.models import Area, Fiche
from app.spatial import from_db
from search_fixtures import NOORDERWIJK, NOORDERWIJK_LAT_LON, SINT_ROCHUS


def test_finder_on_index_lists_every_wijk_of_every_city(client, session):
    html = client.get("/").get_data(as_text=True)
    assert "Wat gebeurt er in mijn buurt?" in html
    options = re.findall(r'<option value="([^"]+)">', html)
    wijken = set(session.scalars(select(Area.code).where(Area.level == "wijk")))
    assert set(options) == wijken and len(options) == 20
    assert re.search(r'<optgroup label="Halle">.*<optgroup label="Herentals">', html, re.S)
    assert f'href="/herentals/wijken/{NOORDERWIJK}"' in html and f'href="/halle/wijken/{SINT_ROCHUS}"' in html
    assert 'action="/zoeken"' in html and 'name="stad"' not in html
    assert '<script src="/static/finder.js" defer></script>' in html


def test_finder_on_city_page_is_that_city(client):
    html = client.get("/herentals").get_data(as_text=True)
    finder = html.split('class="finder"')[1].split("</section>")[0]
    assert len(re.findall(r'<option value="13011\d\d">', finder)) == 10
    assert '<option value="23027' not in html
    assert '<input type="hidden" name="stad" value="herentals">' in html


def test_wijk_chooser_goes_straight_to_the_wijk_page(client):
    response = client.get(f"/wijk?wijk={NOORDERWIJK}")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/herentals/wijken/{NOORDERWIJK}")
    assert client.get(f"/wijk?wijk={SINT_ROCHUS}").headers["Location"].endswith(f"/halle/wijken/{SINT_ROCHUS}")
    assert "Wat investeert" in client.get(f"/wijk?wijk={NOORDERWIJK}", follow_redirects=True).get_data(as_text=True)
    empty = client.get("/wijk?wijk=")
    assert empty.status_code == 200 and "Kies eerst een wijk" in empty.get_data(as_text=True)
    for bad in ("onbekend", "13011", "%00", "<b>", "x" * 500):
        response = client.get("/wijk", query_string={"wijk": bad})
        assert response.status_code == 404 and "Deze wijk kennen we niet" in response.get_data(as_text=True)


def test_position_in_noorderwijk_opens_that_wijk_with_the_fiches_near(client, session):
    lat, lon = NOORDERWIJK_LAT_LON
    response = client.get(f"/buurt?lat={lat}&lon={lon}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>In je buurt: wijk Noorderwijk (Herentals)</h1>" in html
    assert f'href="/herentals/wijken/{NOORDERWIJK}"' in html
    point = transform(shapely.Point(lon, lat), 4326, 31370)
    for metres in (500, 2000):
        page = client.get(f"/buurt?lat={lat}&lon={lon}&afstand={metres}").get_data(as_text=True)
        listed = page.split('id="dichtbij"')[1].split("</section>")[0]
        shown = set(map(int, re.findall(r'href="/herentals/fiches/(\d+)"', listed)))
        expected = {f.id for f in session.scalars(select(Fiche).where(
            Fiche.published.is_(True), Fiche.geom.is_not(None), Fiche.kind == "fiche"))
            if from_db(f.geom).distance(point) <= metres}
        assert shown == expected
    assert shown  # at 2 km the RWA-as and the masterplan of Noorderwijk are near


def test_position_outside_every_wijk(client):
    response = client.get("/buurt?lat=50.8467&lon=4.3525")          # Brussels: Belgium, but no city of ours
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "in geen enkele wijk" in html


@pytest.mark.parametrize("query", [
    "", "lat=abc&lon=4.8", "lat=51.1", "lat=999&lon=4.8", "lat=nan&lon=nan", "lat=inf&lon=4.8",
    "lat=48.8566&lon=2.3522", "lat=51.1%00&lon=4.8", "lat=" + "9" * 400 + "&lon=4.8", "lat=1e308&lon=1e308",
    "lat=٥١&lon=٤",
])
def test_bad_positions_are_a_dutch_400(client, query):
    response = client.get("/buurt?" + query)
    html = response.get_data(as_text=True)
    assert response.status_code == 400, query
    assert "positie" in html.lower() or "België" in html


def test_unknown_distance_falls_back(client):
    lat, lon = NOORDERWIJK_LAT_LON
    html = client.get(f"/buurt?lat={lat}&lon={lon}&afstand=abc").get_data(as_text=True)
    assert "Afstand &#39;abc&#39; kennen we niet" in html and "Projecten binnen 500 m" in html
