"""app/views/city_facts.py + app/http/kept.py: the city page built afresh
reads the city's facts (settings, plan, indicators, areas, filter choices,
key figures) once per data version; an edit shows in the next answer."""
from __future__ import annotations

from sqlalchemy import select

from app.models import Municipality, Plan
from staff_fixtures import db
from test_page_cache import counted_statements


def built_afresh(app):
    app.config["PAGE_CACHE_SECONDS"] = 0  # no kept page: what is left is the kept facts
    return app.test_client()


def test_a_page_built_afresh_reads_only_the_selection_again(scratch_app):
    client = built_afresh(scratch_app)
    with counted_statements(scratch_app) as first:
        one = client.get("/herentals")
    with counted_statements(scratch_app) as again:
        two = client.get("/herentals?sector=Mobiliteit")
    assert one.status_code == two.status_code == 200
    # the fiches and their 4 kinds of children, the data version (+ BEGIN on SpatiaLite)
    assert again[0] <= 8 < 15 <= first[0]
    assert "Projecten in Herentals" in two.text and 'id="f-sector"' in two.text
    # the finder's wijken (kept with the facts, read again from detached rows) and the list's wijk links
    assert two.text.count('<optgroup label="Herentals">') == one.text.count('<optgroup label="Herentals">') == 1
    assert 'href="/herentals/wijken/' in two.text


def test_kept_facts_follow_an_edit(scratch_app):
    client = built_afresh(scratch_app)
    assert "Nieuw meerjarenplan" not in client.get("/herentals").text
    with db(scratch_app) as session:
        city = session.scalar(select(Municipality).where(Municipality.slug == "herentals"))
        plan = session.scalar(select(Plan).where(Plan.municipality_id == city.id).order_by(Plan.id))
        plan.title = "Nieuw meerjarenplan"  # a plan is public data: the data version moves
        session.commit()
    assert "Nieuw meerjarenplan" in client.get("/herentals").text


def test_off_switch_and_unknown_city(scratch_app):
    client = built_afresh(scratch_app)
    scratch_app.config["KEPT_FACTS_SECONDS"] = 0
    client.get("/herentals")
    with counted_statements(scratch_app) as again:
        assert client.get("/herentals").status_code == 200
    assert again[0] >= 15
    scratch_app.config["KEPT_FACTS_SECONDS"] = 60
    assert client.get("/geen-stad").status_code == 404
    assert client.get("/geen-stad").status_code == 404  # kept as unknown, still the Dutch 404
