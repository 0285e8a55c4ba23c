"""The city map page /<slug> (Flask client, both databases): map and list show
the same selection, filters narrow both alike, the year filter equals the
slider, drafts never appear, text is escaped, bad input never gives a 500."""
from __future__ import annotations

import re

from collections import Counter
from urllib.parse import urlencode

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from city_helpers import (
    embedded, give_a_placed_fiche_a_hostile_title, layer_names, list_active_phases, list_ids, list_items, map_fiche_ids, placed_list_ids,
    timeline_active,
)
from layers.popups import esc
from layers_fixtures import HOSTILE_TITLE, visible
from staff_fixtures import db, draft_marker_fiche



def get(client, path: str, **args):
    response = client.get(path + ("?" + urlencode(args) if args else ""))
    return response, response.get_data(as_text=True)


def db_ids(app, slug: str, args: dict) -> list[int]:
    """The selection from the database, in the list's order (the default
    order of app.views.city_list unless `args` asks for another)."""
    from app.read.queries import FicheFilters, find_municipality, select_fiches
    from app.views.city_list import parse_sort, sort_rows

    with db(app) as session:
        city = find_municipality(session, slug)
        filters = FicheFilters.from_args(MultiDict(args), municipality=city.nis_code)
        order, _ = parse_sort(MultiDict(args), searching=bool(filters.q))
        fiches = select_fiches(session, filters)
        if filters.q and order == "relevantie":  # the search's ranking (app.read.textsearch)
            from app.read.textsearch import rank_fiche_ids

            position = {fid: i for i, fid in enumerate(rank_fiche_ids(session, filters.q, [f.id for f in fiches]))}
            fiches.sort(key=lambda f: position[f.id])
        return [f.id for f in sort_rows(fiches, order, fiche_of=lambda f: f)]


@pytest.mark.parametrize("slug,name", [("herentals", "Herentals"), ("halle", "Halle")])
def test_page_shows_map_and_list_of_the_published_projects(client, app, slug, name):
    response, html = get(client, f"/{slug}")
    assert response.status_code == 200
    assert f"<h1>Projecten in {name}</h1>" in html
    ids = list_ids(html)
    assert ids == db_ids(app, slug, {}) and ids
    assert f"{len(ids)} projecten gevonden" in html
    # Every fiche with a place is on the map, and nothing else is.
    assert map_fiche_ids(html) == placed_list_ids(html)
    assert placed_list_ids(html) and placed_list_ids(html) != set(ids)
    unplaced = len(ids) - len(placed_list_ids(html))
    assert f"waarvan {unplaced} zonder ligging op de kaart" in html
    names = layer_names(html)
    assert {"gemeente", "wijken", "timeline", "slider", "budget_symbols", "wijk_budget", "indicator"} <= set(names)
    assert len(embedded(html, names["wijken"])["features"]) == 10
    # Each list row links to its fiche page and to the wijken its place touches.
    items = list_items(html)
    placed = next(iter(placed_list_ids(html)))
    assert f'href="/{slug}/fiches/{placed}"' in items[placed]
    assert f'href="/{slug}/wijken/' in items[placed]


def test_the_projects_are_drawn_before_the_list_and_the_rest_after_it(client):
    """Issue 14 item 9: the map and its projects run right after the map's <div>
    (before the list is parsed); only Leaflet blocks in <head>; plugins, other
    layers, legends and the layer control come after the list."""
    _, html = get(client, "/herentals")
    names = layer_names(html)
    head = html[:html.index("</head>")]
    assert re.findall(r'<script[^>]*\bsrc="([^"]+)"', head) == ["/static/vendor/leaflet/dist/leaflet.js"]
    map_div, list_start = html.index(f'id="{names["map"]}"'), html.index('<ol class="fiche-list"')
    first_script = html[map_div:list_start]
    assert f"var {names['map']} = L.map(" in first_script
    assert all(f"var {name} = L.geoJson(" in first_script for name in names["projects"])
    rest = html[list_start:]
    for role in ("wijken", "timeline", "slider", "budget_symbols", "wijk_budget"):
        assert f"var {names[role]} = " in rest and names[role] not in first_script, role
    assert "L.control.groupedLayers(" in rest
    assert rest.index("leaflet.timeline.js") < rest.index("L.timeline(")
    assert html.count("L.map(") == 1


@pytest.mark.parametrize("args", [
    {"sector": "Stadsontwikkeling"},
    {"sector": "Vrije Tijd", "year": "2026"},
    {"year": "2029"},
    {"year_from": "2025", "year_to": "2026"},
    {"q": "stad"},
    {"status": "voorstel"},
    {"wijk": "WIJK"},                      # replaced by a wijk that has projects
    {"sdg": "3"},
    {"obligation": "verplicht"},
])
def test_filters_narrow_map_and_list_identically(client, app, args):
    if args.get("wijk") == "WIJK":
        args = {"wijk": _busiest_wijk(app)}
    _, everything = get(client, "/herentals")
    _, html = get(client, "/herentals", **args)
    ids = list_ids(html)
    assert ids == db_ids(app, "herentals", args)
    assert set(ids) <= set(list_ids(everything))
    assert map_fiche_ids(html) == placed_list_ids(html)
    # The shareable links keep the filters (downloads with the same selection).
    for key, value in args.items():
        if key != "year":
            assert f"{key}={value.replace(' ', '+')}" in html


def _busiest_wijk(app) -> str:
    from app.models import Area, Municipality

    with db(app) as session:
        codes = session.scalars(select(Area.code).join(Municipality).where(
            Municipality.slug == "herentals", Area.level == "wijk").order_by(Area.code)).all()
    counts = {code: len(db_ids(app, "herentals", {"wijk": code})) for code in codes}
    return max(counts, key=counts.get)


def test_wijk_filter_lists_only_fiches_that_touch_that_wijk(client, app):
    code = _busiest_wijk(app)
    _, html = get(client, "/herentals", wijk=code)
    items = list_items(html)
    assert items and len(items) < len(list_ids(get(client, "/herentals")[1]))
    assert all(f'/herentals/wijken/{code}"' in item for item in items.values())


@pytest.mark.parametrize("year", range(2025, 2032))
def test_year_filter_shows_the_phases_the_slider_shows(client, app, year):
    from app.read.features import phase_features
    from app.read.queries import FicheFilters, find_municipality, phases_active_in_year
    from app.read.rows import load_fiche_rows
    from layers.phases import phases_active_in_year as slider_rule

    _, html = get(client, "/herentals", year=str(year))
    with db(app) as session:
        city = find_municipality(session, "herentals")
        filters = FicheFilters.from_args(MultiDict({"year": str(year)}), municipality=city.nis_code)
        fiches = load_fiche_rows(session, filters)
        db_phases = phases_active_in_year(session, filters, year)
        # The two rules (SQL for the filter, layers for the slider) pick the same phases.
        placed = {f.id for f in fiches if f.geom is not None}
        drawn = [p for p in db_phases if p.fiche_id in placed or p.geom is not None]
        on_slider = slider_rule(phase_features(fiches), year)
        assert {p.id for p in drawn} == {f["properties"]["id"] for f in on_slider}
        expected_list = Counter(p.fiche_id for p in db_phases)
        expected_map = Counter(p.fiche_id for p in drawn)
    assert db_phases, "the demo data has phases in every year of the term"
    assert list_active_phases(html) == expected_list
    assert timeline_active(html, year, lambda url: client.get(url).get_json()) == expected_map
    assert f"Fasen in {year}" in html
    # The slider starts at the filtered year.
    assert f"setTime({year})" in html


def test_a_draft_never_appears(scratch_app):
    marker = "ONTWERPMERKER-kaart"
    with db(scratch_app) as session:
        draft_id = draft_marker_fiche(session, marker).id
    client = scratch_app.test_client()
    for args in ({}, {"q": marker}, {"include_drafts": "1", "published": "0"}, {"year": "2027"}):
        response, html = get(client, "/herentals", **args)
        assert response.status_code == 200
        assert f"{marker} titel" not in html and f"{marker} samenvatting" not in html  # q= may echo the marker
        assert draft_id not in list_ids(html) and draft_id not in map_fiche_ids(html)
        assert f"/herentals/fiches/{draft_id}\"" not in html


def test_a_hostile_title_is_text_in_the_list_and_in_the_map_data(scratch_app):
    fiche_id = give_a_placed_fiche_a_hostile_title(scratch_app)
    _, html = get(scratch_app.test_client(), "/herentals")
    assert "<img src=x" not in visible(html)
    assert esc(HOSTILE_TITLE) in list_items(html)[fiche_id]
    popups = [f["properties"]["popup"] for name in layer_names(html)["projects"]
              for f in embedded(html, name)["features"]]
    # whole: the markup as text, the template syntax not run on the server (layers/rendered.py)
    assert any(esc(HOSTILE_TITLE) in p for p in popups)


@pytest.mark.parametrize("path", ["/onbestaande-stad", "/99999", "/herentals-x?year=2027"])
def test_unknown_city_is_a_dutch_404(client, path):
    response, html = get(client, path)
    assert response.status_code == 404
    assert "Niet gevonden" in html and 'lang="nl-BE"' in html


@pytest.mark.parametrize("query", [
    "year=abc", "year=99999", "year=-4", "year_from=0&year_to=10000", "sdg=%C2%B2", "sdg=999999999999999999999",
    "q=%00", "q=" + "x" * 5000, "wijk=%27%3B--", "sector=%3Cscript%3E", "kleur=paars", "klassen=magie",
    "indicator=bestaat_niet", "budget=veel", "kleur=status&kleur=sector", "year=2027&year=abc", "f=json",
    "limit=-1&offset=abc", "bbox=1,2,3", "%ff=%fe",
])
def test_junk_arguments_never_give_a_500(client, query):
    response = client.get(f"/herentals?{query}")
    assert response.status_code == 200, query
    html = response.get_data(as_text=True)
    assert "<h1>Projecten in Herentals</h1>" in html


def test_junk_values_are_named_in_a_notice(client):
    _, html = get(client, "/herentals", kleur="paars", indicator="bestaat_niet", year="abc", wijk="0000")
    assert "Onbekende kleuring ‘paars’ genegeerd." in html
    assert "Onbekende indicator ‘bestaat_niet’ genegeerd." in html
    assert "‘abc’ is geen geldig jaar" in html
    assert "Onbekende wijk ‘0000’" in html
    assert list_ids(html) == []


def test_illustrative_figures_and_places_are_marked(client):
    _, html = get(client, "/herentals", indicator="kinderarmoede", budget="per_inwoner")
    shown = visible(html)
    # In the list (budgets, phases) and on the page ...
    assert any('<span class="illustrative">illustratief</span>' in item for item in list_items(html).values())
    assert re.search(r'illustratief(</a>)?</strong>: voorbeeldwaarden', html)
    # ... and in the map: legends of the phases, the wijk budget and the indicator, and the popups.
    assert shown.count("Illustratieve cijfers") >= 3
    assert "(illustratief)" in shown and "Indicatieve ligging" in shown
    assert "Illustratieve planning" in shown


def test_map_options_from_the_url(client):
    _, html = get(client, "/herentals", kleur="status", indicator="kinderarmoede", klassen="gelijke_intervallen",
                  budget="totaal")
    shown = visible(html)
    assert "Projecten per status" in shown and "Projecten per sector" not in shown
    assert "Kinderarmoede (%)" in shown and "Indeling: gelijke intervallen" in shown
    assert "Budget per wijk" in shown
    assert '<option value="status" selected>' in html and '<option value="kinderarmoede" selected>' in html
    _, jenks = get(client, "/herentals", indicator="kinderarmoede", klassen="jenks")
    assert "Indeling: natuurlijke breuken (Jenks)" in visible(jenks)


def test_links_to_compare_and_downloads_keep_the_filters_and_the_ogc_api_is_on_the_downloads_page(client):
    _, html = get(client, "/herentals", sector="Vrije Tijd", year="2027")
    assert 'href="/herentals/vergelijken"' in html
    assert 'href="/herentals/downloads?' in html and "sector=Vrije+Tijd" in html and "year_from=2027" in html
    # Jargon out of the city header: the GIS link lives on the downloads page.
    assert "OGC API" not in html.split('<main', 1)[1].split("</nav>", 1)[0]
    _, downloads = get(client, "/herentals/downloads", sector="Vrije Tijd")
    assert 'href="/ogc/collections/fiches-herentals' in downloads


def test_above_the_threshold_only_the_list_is_embedded(client, app, monkeypatch):
    from app.views import city

    monkeypatch.setattr(city, "MAX_EMBEDDED_FICHES", 5)
    monkeypatch.setitem(app.config, "PAGE_CACHE_SECONDS", 0)  # not the page kept by an earlier test
    _, html = get(client, "/herentals")
    assert "data-layers=" not in html and "L.map(" not in html and "leaflet.js" not in html
    assert "meer dan 5 tonen we niet" in html
    assert list_ids(html) == db_ids(app, "herentals", {})
    _, narrow = get(client, "/herentals", q="zwembad")
    if len(list_ids(narrow)) <= 5:
        assert "data-layers=" in narrow


def test_index_cards_summarise_each_city(client, app):
    from app.read.queries import FicheFilters, budget_total, select_fiches

    response, html = get(client, "/")
    assert response.status_code == 200
    with db(app) as session:
        fiches = select_fiches(session, FicheFilters(municipality="herentals"))
        total = sum(budget_total(f) for f in fiches)
    from layers.styles import format_eur_approx

    # Every Herentals budget line is illustrative: the total is rounded ("± 140 miljoen €").
    shown = format_eur_approx(total).replace(" €", "\u00a0€").replace("± ", "±\u00a0")
    assert f"{len(fiches)} projecten uit Inspiratienota 2025-2030, samen {shown}" in html
    assert 'href="/herentals"' in html and 'href="/halle"' in html
    assert html.count('<span class="illustrative">illustratief</span>') == 2
