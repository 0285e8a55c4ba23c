"""Atom feeds and the fiche page's change log, on both databases: a
published change shows, a working-version (draft) change and a draft fiche
never do; feeds validate (feedparser), have stable tag: ids, answer 304 to a
known ETag, and escape hostile titles."""
from __future__ import annotations

import feedparser
import pytest
from change_helpers import HOSTILE, edit, placed_fiche_in_wijk, record_working_version
from staff_fixtures import db, draft_marker_fiche

from app.models import Fiche


@pytest.fixture
def changed(scratch_app):
    """A published fiche with a published change (status, budget x2, title
    hostile) and a later working-version change that must stay private."""
    with db(scratch_app) as session:
        fiche_id, wijk = placed_fiche_in_wijk(session)
        edit(session, fiche_id, status="uitgesteld", budget_factor=2, title=HOSTILE)
        record_working_version(session, fiche_id, status="geschrapt", title="GEHEIME WERKVERSIE")
        sector = session.get(Fiche, fiche_id).sector
    return fiche_id, wijk, sector


def parse(response):
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert feed.feed.id.startswith("tag:") and feed.feed.title and feed.feed.updated
    for entry in feed.entries:
        assert entry.id.startswith("tag:") and entry.title and entry.updated and entry.link
    return feed


def test_feeds_show_published_changes_never_drafts(scratch_app, changed):
    fiche_id, wijk, sector = changed
    client = scratch_app.test_client()
    urls = ["/herentals/wijzigingen.atom", f"/herentals/wijken/{wijk}/wijzigingen.atom",
            f"/herentals/fiches/{fiche_id}/wijzigingen.atom"]
    if sector:
        urls.append(f"/herentals/sectoren/{sector}/wijzigingen.atom")
    for url in urls:
        response = client.get(url)
        feed = parse(response)
        mine = [e for e in feed.entries if f":fiche/{fiche_id}/wijziging/" in e.id]
        assert len(mine) == 1, url
        entry = mine[0]
        assert entry.title == f"{HOSTILE}: gewijzigd"          # the text as it is, once the XML is read
        assert "De status ging van" in entry.summary and "naar uitgesteld" in entry.summary
        assert "Het budget voor" in entry.summary
        raw = response.get_data(as_text=True)
        assert "<script>" not in raw and "&lt;script&gt;" in raw
        assert "GEHEIME WERKVERSIE" not in raw and "geschrapt." not in entry.summary
        # stable ids: the same on a second request
        assert [e.id for e in parse(client.get(url)).entries] == [e.id for e in feed.entries]
        # the data version gives the validators
        again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304
        assert response.headers["Last-Modified"]


def test_feeds_of_unknown_or_draft_things_are_404(scratch_app):
    with db(scratch_app) as session:
        draft_id = draft_marker_fiche(session, "GEHEIM").id
    client = scratch_app.test_client()
    assert client.get("/herentals/wijken/GEEN/wijzigingen.atom").status_code == 404
    assert client.get("/herentals/sectoren/Geen%20sector/wijzigingen.atom").status_code == 404
    assert client.get(f"/herentals/fiches/{draft_id}/wijzigingen.atom").status_code == 404
    assert client.get("/nergens/wijzigingen.atom").status_code == 404
    assert client.get("/herentals/fiches/99999999999999999999999/wijzigingen.atom").status_code == 404
    assert client.get("/meldingen/volgen?stad=herentals&soort=fiche&sleutel=99999999999999999999").status_code == 404


def test_fiche_page_change_log_and_budget_trail(scratch_app, changed):
    fiche_id, _wijk, _sector = changed
    page = scratch_app.test_client().get(f"/herentals/fiches/{fiche_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Wat is er veranderd?" in html and "De status ging van" in html
    assert 'id="budget-trail"' in html and "Herzieningen" in html
    assert f'href="/herentals/fiches/{fiche_id}/wijzigingen.atom"' in html
    assert 'rel="alternate" type="application/atom+xml"' in html
    assert "GEHEIME WERKVERSIE" not in html and HOSTILE not in html and "&lt;script&gt;" in html


def test_pages_link_their_feeds(scratch_app, changed):
    _fiche_id, wijk, _sector = changed
    client = scratch_app.test_client()
    assert f'href="/herentals/wijken/{wijk}/wijzigingen.atom"' in client.get(f"/herentals/wijken/{wijk}").text
    city = client.get("/herentals").text
    assert 'rel="alternate" type="application/atom+xml"' in city and 'href="/herentals/wijzigingen.atom"' in city


def test_a_wijk_feed_covers_exactly_the_wijk_page_fiches(session):
    """The feeds and digests of a wijk follow the wijk page's touch rule."""
    from sqlalchemy import select

    from app.models import Area, Municipality
    from app.read.followed import Followed, covered_fiche_ids
    from app.read.queries import FicheFilters
    from app.read.rows import load_area_rows, load_fiche_rows
    from app.views.wijk_page import touching

    city = session.scalar(select(Municipality).where(Municipality.slug == "herentals"))
    fiches = load_fiche_rows(session, FicheFilters(municipality=city.nis_code))
    wijken = load_area_rows(session, Area.municipality_id == city.id, Area.level == "wijk")
    assert wijken
    for wijk in wijken:
        page = {f.id for f in touching(wijk, fiches)}
        assert set(covered_fiche_ids(session, Followed(city, "wijk", wijk.code))) == page, wijk.code
