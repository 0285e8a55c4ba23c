"""Atom feeds of the public change log: a city, a wijk, a sector, a fiche.

ETag and Last-Modified come from the data version (app.http.caching): every
published change bumps it in the same transaction, so a reader that polls
gets a 304 until something changed.
"""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, abort, current_app, url_for

from ..atom import FeedInfo, build_feed, tag_authority, tag_uri
from ..db import get_session
from ..http.caching import cache_headers, conditional
from ..read.changes import ChangeEvent
from ..read.followed import Followed, NotFollowable, events_for, resolve
from . import city_or_404

bp = Blueprint("feeds", __name__)

MAX_ENTRIES = 50
ATOM_TYPE = "application/atom+xml; charset=utf-8"


def feed_url(followed: Followed, **kwargs) -> str:
    """The feed's URL (for <link rel="alternate"> on the pages and in mails)."""
    slug = followed.city.slug
    if followed.kind == "wijk":
        return url_for("feeds.wijk", slug=slug, code=followed.key, **kwargs)
    if followed.kind == "sector":
        return url_for("feeds.sector", slug=slug, sector=followed.key, **kwargs)
    if followed.kind == "fiche":
        return url_for("feeds.fiche", slug=slug, fiche_id=int(followed.key or 0), **kwargs)
    return url_for("feeds.city", slug=slug, **kwargs)


def page_url(followed: Followed, **kwargs) -> str:
    """The page a feed (or a digest) is about."""
    slug = followed.city.slug
    if followed.kind == "wijk":
        return url_for("wijk.page", slug=slug, code=followed.key, **kwargs)
    if followed.kind == "sector":
        return url_for("city.map", slug=slug, sector=followed.key, **kwargs)
    if followed.kind == "fiche":
        return url_for("fiche.page", slug=slug, fiche_id=int(followed.key or 0), **kwargs)
    return url_for("city.map", slug=slug, **kwargs)


def fiche_change_url(city_slug: str, event: ChangeEvent, **kwargs) -> str:
    return url_for("fiche.page", slug=city_slug, fiche_id=event.fiche_id, _anchor=f"wijziging-{event.revision_id}",
                   **kwargs)


def _answer(slug: str, kind: str, key: str | None) -> Response:
    session = get_session()
    city = city_or_404(slug)
    try:
        followed, name = resolve(session, city, kind, key)
    except NotFollowable:
        abort(404)
    etag, last_modified, not_modified = conditional(session, "atom", slug, kind, key)
    if not_modified is not None:
        return not_modified
    authority = tag_authority(current_app.config)
    info = FeedInfo(
        id=tag_uri(authority, f"{city.slug}/{kind}/{key or ''}/wijzigingen".replace("//", "/")),
        title=f"Wijzigingen: {name[0].upper() + name[1:]} ({city.name})" if kind != "stad"
        else f"Wijzigingen aan de projecten van {city.name}",
        subtitle="Wat er veranderde aan de gepubliceerde projectfiches: status, fasen, budget, ligging, "
                 "voortgang.",
        self_url=feed_url(followed, _external=True),
        alternate_url=page_url(followed, _external=True),
        author=f"Stad {city.name}",
    )
    events = events_for(session, followed)[:MAX_ENTRIES]
    body = build_feed(
        info, events,
        entry_id=lambda e: tag_uri(authority, f"fiche/{e.fiche_id}/wijziging/{e.revision_id}"),
        entry_url=lambda e: fiche_change_url(city.slug, e, _external=True),
        fallback_updated=last_modified or dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    return cache_headers(Response(body, content_type=ATOM_TYPE), etag, last_modified)


@bp.get("/<slug>/wijzigingen.atom")
def city(slug: str):
    return _answer(slug, "stad", None)


@bp.get("/<slug>/wijken/<code>/wijzigingen.atom")
def wijk(slug: str, code: str):
    return _answer(slug, "wijk", code)


@bp.get("/<slug>/sectoren/<sector>/wijzigingen.atom")
def sector(slug: str, sector: str):
    return _answer(slug, "sector", sector)


@bp.get("/<slug>/fiches/<int:fiche_id>/wijzigingen.atom")
def fiche(slug: str, fiche_id: int):
    return _answer(slug, "fiche", str(fiche_id))
