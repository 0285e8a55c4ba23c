"""The city map's phases: the page carries none of their shapes, the Timeline
fetches them from /<slug>/fasen.json (the same selection) when "Fasen" is
first shown; popups escaped as everywhere."""
from __future__ import annotations

from city_helpers import give_a_placed_fiche_a_hostile_title, layer_names, timeline_features
from layers.popups import esc
from layers_fixtures import HOSTILE_TITLE


def phases_of(client, path: str) -> tuple[str, list[dict]]:
    html = client.get(path).get_data(as_text=True)
    return html, timeline_features(html, lambda url: client.get(url).get_json())


def test_the_page_points_to_its_phases_instead_of_carrying_them(client):
    html, features = phases_of(client, "/herentals")
    assert layer_names(html)["timeline_data"] == "/herentals/fasen.json"
    assert features and all(f["geometry"] and f["properties"]["popup"] for f in features)
    assert "fk-phase fk-phase-" not in html  # no phase shape, popup or style in the page
    # the slider and its legend still come with the page: the years and kinds of the selection
    assert "Fasen per soort" in html and "L.timelineSliderControl(" in html


def test_the_phases_follow_the_page_filters(client):
    _, every = phases_of(client, "/herentals")
    html, one_year = phases_of(client, "/herentals?year=2028")
    assert layer_names(html)["timeline_data"] == "/herentals/fasen.json?year_from=2028&year_to=2028"
    assert 0 < len(one_year) < len(every)
    assert {f["properties"]["popup"] for f in one_year} <= {f["properties"]["popup"] for f in every}


def test_phase_popups_are_escaped(scratch_app):
    give_a_placed_fiche_a_hostile_title(scratch_app)
    client = scratch_app.test_client()
    _, features = phases_of(client, "/herentals")
    popups = [f["properties"]["popup"] for f in features]
    assert any(esc(HOSTILE_TITLE) in p for p in popups)
    assert not any(HOSTILE_TITLE in p for p in popups)
    answer = client.get("/herentals/fasen.json")
    assert answer.mimetype == "application/json" and b"<img" not in answer.data


def test_unknown_city(client):
    assert client.get("/onbestaande-stad/fasen.json").status_code == 404
