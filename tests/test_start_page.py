"""The start page for many cities (issue 17 item 3), both databases: the city
search by name, deelgemeente and postcode (page, JSON), the cities listed to
the public and to staff, the map's points, the wijk chooser that asks for the
city first when the wijken are many, escaping, bad input and the page weight."""
from __future__ import annotations

import re

import pytest
import shapely
from sqlalchemy import func, select

from app.crs import transform
from app.models import Area, Municipality
from app.spatial import from_db
from staff_fixtures import *  # noqa: F401,F403
from staff_fixtures import db, login
from test_cities import ANTWERPEN, cli

MAX_START_PAGE_BYTES = 60_000


def found_names(client, text: str) -> list[str]:
    """The city names of the search results on `/`, in order."""
    html = client.get("/", query_string={"gemeente": text}).get_data(as_text=True)
    block = html.split('class="start-matches"')[1].split("</ul>")[0] if 'class="start-matches"' in html else ""
    items = re.findall(r"<li>(.*?)</li>", block, re.S)
    return [re.sub(r"<[^>]+>", "", item).split(" (")[0].split(":")[0].strip() for item in items]


@pytest.mark.parametrize("text,city", [
    ("Morkhoven", "Herentals"), ("Lembeek", "Halle"), ("2200", "Herentals"), ("1500", "Halle"),
    ("herentals", "Herentals"), ("MORKHÓVEN", "Herentals"), ("morkh", "Herentals"), ("lembeek halle", "Halle"),
])
def test_search_finds_the_city_by_name_deelgemeente_or_postcode(client, text, city):
    assert found_names(client, text)[0] == city
    data = client.get("/gemeenten.json", query_string={"q": text}).get_json()
    assert data["suggesties"][0]["naam"] == city
    assert data["suggesties"][0]["url"] == f"/{city.lower()}"


def test_search_says_how_it_matched_and_links_the_city(client):
    html = client.get("/?gemeente=Morkhoven").get_data(as_text=True)
    assert re.search(r'<a href="/herentals">Herentals</a> <span class="muted">\(deelgemeente Morkhoven', html)
    html = client.get("/?gemeente=1500").get_data(as_text=True)
    assert '<a href="/halle">Halle</a> <span class="muted">(postcode 1500)</span>' in html
    assert client.get("/gemeenten.json?q=2200").get_json()["suggesties"][0]["via"] == "postcode 2200"


@pytest.mark.parametrize("text", ["9999", "0000", "zzzqqq", "1040", "<script>alert(1)</script>", "%00", "x" * 150])
def test_search_without_a_match_says_so_in_dutch(client, text):
    response = client.get("/", query_string={"gemeente": text})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Geen gemeente gevonden voor" in html
    assert "<script>alert" not in html
    assert client.get("/gemeenten.json", query_string={"q": text}).get_json() == {"suggesties": []}


def test_search_empty_or_too_long(client):
    assert "Typ de naam van een gemeente" in client.get("/?gemeente=").get_data(as_text=True)
    response = client.get("/", query_string={"gemeente": "a" * 500})
    assert response.status_code == 200 and "Je zoekterm is te lang" in response.get_data(as_text=True)
    assert client.get("/gemeenten.json", query_string={"q": "a" * 500}).status_code == 200


def test_a_postcode_of_a_merged_municipality_finds_its_2024_parts(scratch_app):
    # 9090 is Melle, since 1 January 2025 part of Merelbeke-Melle (44088, not in the 2024 boundaries)
    assert cli(scratch_app, "add", "44040", "44043").exit_code == 0
    from app.read.start import find_cities

    with db(scratch_app) as session:
        matches = find_cities(session, "9090")
        assert sorted(m.city.name for m in matches) == ["Melle", "Merelbeke"]
        assert {m.via for m in matches} == {"postcode 9090"}


def test_cities_without_published_projects_are_for_staff_only(scratch_app, staff):
    assert cli(scratch_app, "add", ANTWERPEN).exit_code == 0
    client = scratch_app.test_client()
    html = client.get("/").get_data(as_text=True)
    summaries = html.split('class="start-cities"')[1].split("</ul>")[0]
    assert "/herentals" in summaries and "/halle" in summaries and "Antwerpen" not in summaries
    assert "Antwerpen" not in html.split('class="finder"')[1].split("</section>")[0]
    found = client.get("/?gemeente=Antwerpen").get_data(as_text=True)
    assert "Antwerpen: publiceert nog geen plannen op Fichekaart." in found and 'href="/antwerpen"' not in found
    assert client.get("/gemeenten.json?q=Antwerpen").get_json() == {"suggesties": []}
    names = {f["properties"]["naam"] for f in client.get("/gemeenten.geojson").get_json()["features"]}
    assert names == {"Herentals", "Halle"}

    login(client, staff.lezer)
    assert client.get("/gemeenten.json?q=Antwerpen").get_json()["suggesties"][0]["url"] == "/antwerpen"
    html = client.get("/").get_data(as_text=True)
    assert "nog 1 gemeenten zonder gepubliceerde projecten" in html
    assert '<a href="/antwerpen">Antwerpen</a>' in client.get("/?gemeente=antw").get_data(as_text=True)


def test_listed_cities_is_the_one_switch(scratch_app, monkeypatch):
    """The future 'listed publicly' flag plugs in at app.read.start.listed_cities:
    every public list of `/` follows it."""
    import app.read.start as start

    real = start.listed_cities
    monkeypatch.setattr(start, "listed_cities",
                        lambda session, include_unlisted: [c for c in real(session, include_unlisted=include_unlisted)
                                                           if c.slug != "halle"])
    import app.views.finder as finder
    import app.views.public as public

    monkeypatch.setattr(public, "listed_cities", start.listed_cities)
    monkeypatch.setattr(finder, "listed_cities", start.listed_cities)
    client = scratch_app.test_client()
    html = client.get("/").get_data(as_text=True)
    assert 'href="/halle"' not in html and 'href="/herentals"' in html
    assert [f["properties"]["naam"] for f in client.get("/gemeenten.geojson").get_json()["features"]] == ["Herentals"]
    assert client.get("/gemeenten.json?q=Lembeek").get_json() == {"suggesties": []}


def test_map_points_lie_in_their_city_with_the_summary(client, session):
    response = client.get("/gemeenten.geojson")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    features = {f["properties"]["naam"]: f for f in response.get_json()["features"]}
    assert set(features) == {"Herentals", "Halle"}
    for name, feature in features.items():
        city = session.scalar(select(Municipality).where(Municipality.name == name))
        boundary = from_db(session.scalar(select(Area.geom).where(Area.municipality_id == city.id,
                                                                    Area.level == "gemeente")))
        point = transform(shapely.Point(feature["geometry"]["coordinates"]), 4326, 31370)
        assert boundary.buffer(20).contains(point)
        assert feature["properties"]["url"] == f"/{city.slug}"
    herentals = features["Herentals"]["properties"]
    assert herentals["illustratief"] is True and herentals["samenvatting"].endswith("(illustratief)")
    assert re.match(r"\d+ projecten, samen ±\u00a0[\d,]+ miljoen\u00a0€ \(illustratief\)$", herentals["samenvatting"])


def test_start_page_is_small_and_has_the_map_and_search(client):
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert len(response.data) < MAX_START_PAGE_BYTES
    assert 'id="start-kaart"' in html and 'data-points="/gemeenten.geojson"' in html
    assert '<form method="get" action="/" role="search"' in html and 'name="gemeente"' in html
    assert '<script src="/static/start.js" defer></script>' in html


def test_wijk_chooser_asks_for_the_city_first_when_the_wijken_are_many(app, client, monkeypatch):
    import app.views.finder as finder

    monkeypatch.setattr(finder, "MAX_CHOOSER_WIJKEN", 5)
    monkeypatch.setitem(app.config, "PAGE_CACHE_SECONDS", 0)   # not the `/` kept by an earlier test
    html = client.get("/").get_data(as_text=True)
    finder_block = html.split('class="finder"')[1].split("</section>")[0]
    assert '<select id="finder-stad" name="stad">' in finder_block
    assert re.findall(r'<option value="([^"]+)">', finder_block) == ["halle", "herentals"]
    assert 'id="finder-wijk"' not in finder_block and "finder-wijken" not in finder_block
    page = client.get("/wijk?stad=herentals")
    assert page.status_code == 200 and "Kies je wijk in Herentals." in page.get_data(as_text=True)
    assert len(re.findall(r'<option value="13011\d\d">', page.get_data(as_text=True))) == 10
    for bad in ("onbekend", "<b>", "x" * 300):
        response = client.get("/wijk", query_string={"stad": bad})
        assert response.status_code == 404 and "Deze gemeente kennen we niet" in response.get_data(as_text=True)
    assert "Kies eerst een gemeente" in client.get("/wijk?stad=").get_data(as_text=True)


def test_wijken_of_one_city_as_json(client, session):
    data = client.get("/wijken.json?stad=herentals").get_json()
    names = [w["naam"] for w in data["wijken"]]
    assert data["gemeente"] == "Herentals" and len(names) == 10 and names == sorted(names)
    codes = {w["code"] for w in data["wijken"]}
    assert codes == set(session.scalars(select(Area.code).join(Municipality).where(
        Municipality.slug == "herentals", Area.level == "wijk")))
    assert client.get("/wijken.json?stad=23027").get_json()["gemeente"] == "Halle"     # the NIS code works too
    for bad in ("", "onbekend", "<b>", "\x00"):
        response = client.get("/wijken.json", query_string={"stad": bad})
        assert response.status_code == 404 and response.get_json() == {"fout": "Deze gemeente kennen we niet."}


def test_city_names_are_escaped(scratch_app):
    with db(scratch_app) as session:
        session.scalar(select(Municipality).where(Municipality.slug == "halle")).name = "<b>Halle</b>"
        session.commit()
    client = scratch_app.test_client()
    for url in ("/", "/?gemeente=Lembeek"):
        html = client.get(url).get_data(as_text=True)
        assert "<b>Halle</b>" not in html and "&lt;b&gt;Halle&lt;/b&gt;" in html


def test_flanders_outline_holds_both_cities(client):
    response = client.get("/vlaanderen.geojson")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    assert len(response.data) < 10_000
    outline = shapely.geometry.shape(response.get_json()["features"][0]["geometry"])
    for feature in client.get("/gemeenten.geojson").get_json()["features"]:
        assert outline.contains(shapely.Point(feature["geometry"]["coordinates"]))
    assert not outline.contains(shapely.Point(4.44, 50.41))   # Charleroi, Wallonia


# The documented figure (docs/bench.md) is 156 ms on a loaded machine; this bound only catches a
# return of the old behaviour (435 kB, every wijk) or a per-city query, not the machine's speed.
ALL_CITIES_MAX_SECONDS = 2.0


def test_start_page_with_every_municipality_of_flanders(scratch_app, backend, staff):
    """Issue 17: `cities add --all` on PostGIS completes and `/` stays small and fast (about 70 s:
    PostGIS only, as the issue asks; docs/bench.md has both databases)."""
    if backend != "postgis":
        pytest.skip("the --all run is checked on PostGIS (issue 17); SpatiaLite's figures are in docs/bench.md")
    import time

    result = cli(scratch_app, "add", "--all")
    assert result.exit_code == 0, result.output
    with db(scratch_app) as session:
        assert session.scalar(select(func.count(Municipality.id))) == 319
    client = scratch_app.test_client()
    client.get("/")
    started = time.perf_counter()
    response = client.get("/")
    elapsed = time.perf_counter() - started
    assert response.status_code == 200 and len(response.data) < MAX_START_PAGE_BYTES
    assert elapsed < ALL_CITIES_MAX_SECONDS
    html = response.get_data(as_text=True)
    assert 'href="/antwerpen"' not in html                    # no published projects: not listed
    assert found_names(client, "Morkhoven")[0] == "Herentals"
    assert set(found_names(client, "9090")) == {"Melle", "Merelbeke"}
    login(client, staff.lezer)
    staff_page = client.get("/").get_data(as_text=True)
    chooser = staff_page.split('class="finder"')[1].split("</section>")[0]
    assert len(re.findall(r'<option value="[^"]+"', chooser)) == 319 and 'id="finder-wijk"' not in chooser
    assert len(staff_page.encode()) < MAX_START_PAGE_BYTES
