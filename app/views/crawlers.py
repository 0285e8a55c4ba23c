"""For search engines, so that a resident who searches for a project, a
wijk or a city's plans finds its page:

GET /robots.txt             what not to crawl, and where the sitemap is
GET /sitemap.xml            a sitemap index (sitemaps.org 0.9): the site's own pages, and one sitemap per listed city
GET /sitemap-algemeen.xml   the start page, the region map, the wijk chooser, the glossary
GET /<slug>/sitemap.xml     a listed city's pages, its published fiches and its wijken, with their last change

Only what app.read.sitemap lists: published fiches of the cities the start
page lists (an unlisted city's sitemap is a 404, as for an unknown one).
One sitemap per city keeps each far below the protocol's 50,000 URLs
(Herentals: 117). Filtered views (any query string), searches, downloads,
the map APIs and the staff pages are not for crawling; robots.txt says so.
The XML is written with lxml, as the Atom feeds are (app/atom.py).
"""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, abort, request, url_for
from lxml import etree

from ..db import get_session
from ..http.page_cache import cached_page
from ..read.queries import find_municipality
from ..read.sitemap import city_pages, is_listed, listed_city_changes

bp = Blueprint("crawlers", __name__)
# The pages the sitemaps list: the site's own, each listed city's, and one per published fiche and per wijk.
SITE_PAGES = ("public.index", "region.page", "finder.choose_wijk", "glossary.page")
CITY_MAP = "city.map"   # listed with the day the city's published fiches last changed
CITY_PAGES = ("city_figures.page", "compare.page", "downloads.downloads_page")
LISTED_PAGES = frozenset((*SITE_PAGES, CITY_MAP, *CITY_PAGES, "fiche.page", "wijk.page"))
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XML_TYPE = "application/xml; charset=utf-8"
# RFC 9309 (Robots Exclusion Protocol): the longest matching rule wins, `*`
# matches any characters. Comments are for the people who read the file.
ROBOTS = """\
# Fichekaart: de publieke pagina's van de projecten, wijken en steden mogen
# gecrawld worden. Niet: het beheer, aanmelden en meldingen, zoekresultaten,
# gefilterde weergaven (adressen met ?), downloads en de kaartdiensten
# (die zijn er voor GIS-programma's: zie /ogc/ en /wfs).
User-agent: *
Disallow: /beheer/
Disallow: /aanmelden
Disallow: /afmelden
Disallow: /meldingen/
Disallow: /zoeken
Disallow: /buurt
Disallow: /api/
Disallow: /wfs
Disallow: /*/download.
Disallow: /*/vergelijken.csv
Disallow: /*?
Allow: /

Sitemap: {sitemap}
"""


@bp.get("/robots.txt")
def robots():
    text = ROBOTS.format(sitemap=url_for("crawlers.index", _external=True))
    return Response(text, mimetype="text/plain")


@bp.get("/sitemap.xml")
@cached_page
def index():
    root = etree.Element(f"{{{SITEMAP_NS}}}sitemapindex", nsmap={None: SITEMAP_NS})
    _entry(root, "sitemap", url_for("crawlers.site", _external=True))
    for city in listed_city_changes(get_session()):
        _entry(root, "sitemap", url_for("crawlers.city", slug=city.slug, _external=True), city.last_change)
    return _xml(root)


@bp.get("/sitemap-algemeen.xml")
@cached_page
def site():
    root = _urlset()
    for endpoint in SITE_PAGES:
        _entry(root, "url", url_for(endpoint, _external=True))
    return _xml(root)


@bp.get("/<slug>/sitemap.xml")
@cached_page
def city(slug: str):
    session = get_session()
    municipality = find_municipality(session, slug)
    if municipality is None or not is_listed(session, municipality):
        abort(404)
    pages = city_pages(session, municipality)
    latest = max((changed for _, changed in pages.fiches if changed is not None), default=None)
    root = _urlset()
    _entry(root, "url", url_for(CITY_MAP, slug=slug, _external=True), latest)
    for endpoint in CITY_PAGES:
        _entry(root, "url", url_for(endpoint, slug=slug, _external=True))
    for fiche_id, changed in pages.fiches:
        _entry(root, "url", url_for("fiche.page", slug=slug, fiche_id=fiche_id, _external=True), changed)
    for code in pages.wijk_codes:
        _entry(root, "url", url_for("wijk.page", slug=slug, code=code, _external=True))
    return _xml(root)


@bp.app_context_processor
def canonical_address() -> dict:
    """A listed page names its address without query string as canonical
    (a filtered city map is that city's map), with Open Graph tags for the
    preview a shared link gets (templates/base.html). Error pages unset it."""
    if request.endpoint in LISTED_PAGES:
        return {"canonical_url": url_for(request.endpoint, **(request.view_args or {}), _external=True)}
    return {}


def _urlset() -> etree._Element:
    return etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap={None: SITEMAP_NS})


def _entry(parent: etree._Element, tag: str, location: str, changed: dt.datetime | None = None) -> None:
    """<url> or <sitemap> with its <loc>, and <lastmod> (the day, W3C date) when known."""
    entry = etree.SubElement(parent, f"{{{SITEMAP_NS}}}{tag}")
    etree.SubElement(entry, f"{{{SITEMAP_NS}}}loc").text = location
    if changed is not None:
        etree.SubElement(entry, f"{{{SITEMAP_NS}}}lastmod").text = changed.date().isoformat()


def _xml(root: etree._Element) -> Response:
    return Response(etree.tostring(root, xml_declaration=True, encoding="UTF-8"), content_type=XML_TYPE)
