"""app/page_cache.py: public pages are kept per data version for anonymous
visitors, each answer with its own CSP nonce; edits show at once; staff and
sessions never share a kept page."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.models import Fiche, IndicatorValue, Municipality
from conftest import counted_statements
from staff_fixtures import db, login, staff  # noqa: F401 (fixture)

PAGES = ["/herentals", "/herentals?sector=Mobiliteit", "/herentals/vergelijken"]


def nonce_of(response) -> str:
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    assert f'<script nonce="{nonce}"' in response.text
    return nonce


def first_placed_fiche(app) -> int:
    with db(app) as session:
        return session.scalar(select(Fiche.id).join(Municipality).where(
            Municipality.slug == "herentals", Fiche.published.is_(True), Fiche.geom.is_not(None)).order_by(Fiche.id))


@pytest.mark.parametrize("path", PAGES)
def test_a_page_is_kept_and_every_answer_has_its_own_nonce(scratch_app, path):
    client = scratch_app.test_client()
    with counted_statements(scratch_app) as first_count:
        first = client.get(path)
    with counted_statements(scratch_app) as second_count:
        second = client.get(path)
    assert first.status_code == second.status_code == 200
    assert second_count[0] <= 3 < 8 < first_count[0]  # the data version (+ BEGIN on SpatiaLite), not the page
    first_nonce, second_nonce = nonce_of(first), nonce_of(second)
    assert first_nonce != second_nonce
    assert second.text == first.text.replace(first_nonce, second_nonce)


def test_an_edit_shows_in_the_next_answer(scratch_app):
    fiche_id = first_placed_fiche(scratch_app)
    client = scratch_app.test_client()
    for path in ("/herentals", f"/herentals/fiches/{fiche_id}"):
        assert "Hernieuwd plein" not in client.get(path).text
    with db(scratch_app) as session:
        fiche = session.get(Fiche, fiche_id)
        fiche.title, fiche.version = "Hernieuwd plein", fiche.version + 1
        session.commit()
    for path in ("/herentals", f"/herentals/fiches/{fiche_id}"):
        assert "Hernieuwd plein" in client.get(path).text


def test_a_new_indicator_value_changes_the_data_version(scratch_app):
    from app.db import get_session
    from app.http.caching import data_version

    with scratch_app.app_context():
        before = data_version(get_session())[0]
    with db(scratch_app) as session:
        value = session.scalar(select(IndicatorValue).order_by(IndicatorValue.id))
        value.value += 1.5
        session.commit()
    with scratch_app.app_context():
        assert data_version(get_session())[0] != before


def test_staff_never_get_nor_leave_a_kept_page(scratch_app, staff):
    anonymous, member = scratch_app.test_client(), scratch_app.test_client()
    assert anonymous.get("/herentals").status_code == 200  # kept
    with counted_statements(scratch_app) as kept_count:
        assert anonymous.get("/herentals").status_code == 200  # served as kept
    login(member, staff.lezer)
    with counted_statements(scratch_app) as count:
        page = member.get("/herentals")
    # built afresh (the selection's statement and the user's own), with the staff menu
    assert count[0] >= kept_count[0] + 2 and "Werkruimte" in page.text
    assert "Werkruimte" not in anonymous.get("/herentals").text


@pytest.mark.parametrize("path,status,seconds", [
    ("/herentals", 200, 0),               # turned off
    ("/herentals/fiches/999999", 404, 60),  # only 200s are kept
])
def test_nothing_kept_means_the_second_answer_is_built_again(scratch_app, path, status, seconds):
    scratch_app.config["PAGE_CACHE_SECONDS"] = seconds
    client = scratch_app.test_client()
    client.get(path)
    with counted_statements(scratch_app) as count:
        assert client.get(path).status_code == status
    assert count[0] > 2  # more than the data version (one statement, and SQLite's BEGIN)


def test_ogc_items_are_kept_per_format_and_host(scratch_app):
    client = scratch_app.test_client()
    path = "/ogc/collections/fiches-herentals/items?limit=5"
    as_json = client.get(path, headers={"Accept": "application/geo+json"})
    with counted_statements(scratch_app) as repeat_count:
        again = client.get(path, headers={"Accept": "application/geo+json"})
    with counted_statements(scratch_app) as other_count:
        as_html = client.get(path, headers={"Accept": "text/html"})
        other_host = client.get(path, headers={"Accept": "application/geo+json"}, base_url="http://kaart.example")
    assert again.data == as_json.data and again.mimetype == "application/geo+json"
    assert repeat_count[0] <= 3 < 8 < other_count[0]  # the HTML page and the other host were built
    assert as_html.mimetype == "text/html" and "<html" in as_html.text.lower()
    assert "http://kaart.example/ogc/" in other_host.text and "http://localhost/ogc/" not in other_host.text
