"""robots.txt and the sitemaps (app/views/crawlers.py) on both databases:
the index names one sitemap per listed city, a city's sitemap every public
page of the city and every published fiche, never a draft nor an unlisted
city; what they list answers 200 to a visitor, and robots.txt lets a
crawler fetch it."""
from __future__ import annotations

from urllib.parse import urlsplit

from lxml import etree
from sqlalchemy import select

from app.models import Area, CitySettings, Fiche
from app.read.queries import find_municipality

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def xml(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "application/xml"
    return etree.fromstring(response.data)


def locations(client, url: str) -> list[str]:
    return [urlsplit(loc).path for loc in xml(client, url).xpath("//s:loc/text()", namespaces=NS)]


def disallowed(client) -> list[str]:
    """robots.txt's Disallow paths, '*' as a wildcard prefix match (RFC 9309)."""
    text = client.get("/robots.txt").text
    return [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("Disallow:")]


def allowed(path: str, rules: list[str]) -> bool:
    import re

    return not any(re.match(re.escape(rule).replace(r"\*", ".*"), path) for rule in rules)


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_staff_pages(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert "Sitemap: http://localhost/sitemap.xml" in response.text
    rules = disallowed(client)
    for path in ("/beheer/herentals/", "/aanmelden", "/zoeken", "/herentals/download.gpkg", "/herentals?jaar=2027",
                 "/api/herentals/fiches.geojson", "/meldingen/volgen"):
        assert not allowed(path, rules), path
    for path in ("/", "/herentals", "/herentals/fiches/1", "/herentals/wijken/x", "/ogc/collections"):
        assert allowed(path, rules), path


def test_the_index_names_the_site_and_every_listed_city(client):
    assert locations(client, "/sitemap.xml") == ["/sitemap-algemeen.xml", "/halle/sitemap.xml",
                                                 "/herentals/sitemap.xml"]
    assert locations(client, "/sitemap-algemeen.xml") == ["/", "/regio", "/wijk", "/woordenlijst"]


def test_a_city_sitemap_lists_its_pages_and_published_fiches_and_each_answers(client, session):
    herentals = find_municipality(session, "herentals")
    listed = locations(client, "/herentals/sitemap.xml")
    published = session.scalars(select(Fiche.id).where(Fiche.municipality_id == herentals.id,
                                                       Fiche.published.is_(True))).all()
    codes = session.scalars(select(Area.code).where(Area.municipality_id == herentals.id,
                                                    Area.level == "wijk")).all()
    assert listed[:4] == ["/herentals", "/herentals/cijfers", "/herentals/vergelijken", "/herentals/downloads"]
    assert sorted(listed[4:]) == sorted([f"/herentals/fiches/{i}" for i in published]
                                        + [f"/herentals/wijken/{c}" for c in codes])
    assert len(published) >= 109 and len(codes) == 10
    rules = disallowed(client)
    for path in listed[:4] + listed[4:9] + listed[-10:]:   # the city's pages, five fiches, the wijken
        assert allowed(path, rules), path
        assert client.get(path).status_code == 200, path
    # lastmod: the day each fiche last changed
    root = xml(client, "/herentals/sitemap.xml")
    first = root.xpath("//s:url[s:loc[contains(., '/fiches/')]]", namespaces=NS)[0]
    fiche = session.get(Fiche, int(first.findtext("s:loc", namespaces=NS).rsplit("/", 1)[1]))
    assert first.findtext("s:lastmod", namespaces=NS) == fiche.updated_at.date().isoformat()


def test_a_draft_and_an_unlisted_city_are_never_named(scratch_app, scratch_session):
    herentals = find_municipality(scratch_session, "herentals")
    draft = scratch_session.scalars(select(Fiche).where(Fiche.municipality_id == herentals.id,
                                                        Fiche.published.is_(True)).order_by(Fiche.id)).first()
    draft.published = False
    scratch_session.commit()
    client = scratch_app.test_client()
    listed = locations(client, "/herentals/sitemap.xml")
    assert f"/herentals/fiches/{draft.id}" not in listed and len(listed) > 100
    settings = scratch_session.scalars(select(CitySettings).where(CitySettings.municipality_id == herentals.id)).one()
    settings.listed = False
    scratch_session.commit()
    assert "/herentals/sitemap.xml" not in locations(client, "/sitemap.xml")
    assert client.get("/herentals/sitemap.xml").status_code == 404
    assert client.get("/halle/sitemap.xml").status_code == 200
    assert client.get("/onbekend/sitemap.xml").status_code == 404


def head_tags(html: str) -> dict[str, str]:
    """{'canonical': href, 'description': ..., 'og:title': ...} of a page's <head>."""
    head = etree.HTML(html).find("head")
    tags = {m.get("name") or m.get("property"): m.get("content") for m in head.iter("meta")
            if m.get("name") or m.get("property")}
    canonical = head.find("link[@rel='canonical']")
    return tags | ({"canonical": canonical.get("href")} if canonical is not None else {})


def test_a_listed_page_names_its_canonical_address_and_the_preview_of_a_shared_link(scratch_app, scratch_session):
    fiche = scratch_session.scalars(select(Fiche).where(Fiche.published.is_(True), Fiche.summary.is_not(None))
                                    .order_by(Fiche.id)).first()
    evil = '"><script>alert(1)</script> & <b>'
    fiche.title, fiche.plain_language = f"Zwembad {evil}", None
    scratch_session.commit()
    client = scratch_app.test_client()
    slug = fiche.municipality.slug
    response = client.get(f"/{slug}/fiches/{fiche.id}?van=gedeeld")
    tags = head_tags(response.text)
    assert tags["canonical"] == tags["og:url"] == f"http://localhost/{slug}/fiches/{fiche.id}"
    assert tags["og:title"] == f"Zwembad {evil} · {fiche.municipality.name}"      # escaped, read back as written
    assert "<script>alert" not in response.text.split("</head>")[0]
    summary = " ".join(fiche.summary.split("\n"))
    assert tags["description"] == tags["og:description"]
    assert summary.startswith(tags["description"].removesuffix("…")) and len(tags["description"]) <= 201
    # A filtered city map is the city's map; an error and a staff page name no address.
    assert head_tags(client.get(f"/{slug}?jaar=2027").text)["canonical"] == f"http://localhost/{slug}"
    missing = client.get(f"/{slug}/fiches/999999")
    assert missing.status_code == 404 and "canonical" not in head_tags(missing.text)
    assert "og:title" not in head_tags(client.get("/aanmelden").text)
