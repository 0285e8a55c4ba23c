"""Public pages, OGC API and WFS answers kept as rendered text for anonymous visitors.

The city map, fiche, wijk and comparison pages and the OGC API's items are
the same for every citizen and GIS client until the data changes, and
building one costs 15-150 ms of queries, records and folium. `@cached_page`
keeps the last PAGE_CACHE_SIZE answers (default 64) of each process:

- keyed by the data version of app.http.caching (any fiche, area or indicator
  value added or edited), today's date (the time slider starts at this
  year), the full URL (host included: the OGC documents link absolutely),
  the Accept header (the OGC API answers HTML or JSON by it) and the basemap;
- for at most PAGE_CACHE_SECONDS (default 60; 0 turns the cache off): an
  area boundary replaced in place by a re-import is not in the data version
  and shows within that time, as the data endpoints' max-age=60;
- only for anonymous visitors with an empty session: a member of staff
  gets a fresh page with their name, and a flashed message is never kept;
- only 200 answers;
- the CSP nonce stays per response: it is stored as a mark and the mark is
  replaced by the new request's nonce;
- while the database cannot be used (app.http.outage), the last kept answer
  of the URL is served whatever its age or data version: citizens keep the
  pages they had, and only pages never kept answer 503.
"""
from __future__ import annotations

import datetime as dt
import functools
import secrets
import time

from flask import Response, current_app, request, session

from ..auth import current_user
from ..basemap import basemap_setting
from ..db import get_session
from .caching import data_version
from .lru import LruCache
from .outage import DATABASE_UNAVAILABLE, note_outage
from .web import csp_nonce

_NONCE_MARK = f"fk-nonce-{secrets.token_hex(16)}"
_SKIPPED_HEADERS = {"content-length", "set-cookie"}
KEPT_TYPES = {"text/html", "application/json", "application/geo+json", "application/xml", "application/gml+xml"}


def page_cache() -> LruCache:
    """This app's cache (one per app: tests run several apps in one process)."""
    return _app_cache("fichekaart_pages")


def last_kept() -> LruCache:
    """The last kept answer per URL (and Accept, basemap), whatever its data
    version: what an outage serves. The bodies are the same strings as in
    page_cache(), so this costs only the keys."""
    return _app_cache("fichekaart_last_pages")


def _app_cache(name: str) -> LruCache:
    extensions = current_app.extensions
    if name not in extensions:
        extensions[name] = LruCache(int(current_app.config.get("PAGE_CACHE_SIZE", 64)))
    return extensions[name]


def _kept_seconds() -> float:
    return float(current_app.config.get("PAGE_CACHE_SECONDS", 60))


def _cacheable() -> bool:
    return request.method == "GET" and _kept_seconds() > 0 and not session and current_user() is None


def cached_page(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not _cacheable():
            return view(*args, **kwargs)
        place = (request.url, request.headers.get("Accept", ""), repr(basemap_setting()))
        try:
            return _kept_or_built(place, view, args, kwargs)
        except DATABASE_UNAVAILABLE as exc:
            last = last_kept().get(place)
            if last is None:
                raise
            note_outage(exc)
            return _replayed(*last)

    return wrapper


def _kept_or_built(place: tuple, view, args, kwargs):
    key = (data_version(get_session())[0], dt.date.today().isoformat(), *place)
    now = time.monotonic()
    kept = page_cache().get(key)
    if kept is not None and kept[0] > now:
        return _replayed(*kept[1:])
    response = current_app.make_response(view(*args, **kwargs))
    if response.status_code == 200 and response.mimetype in KEPT_TYPES and not session:
        headers = [(k, v) for k, v in response.headers.items() if k.lower() not in _SKIPPED_HEADERS]
        body = response.get_data(as_text=True).replace(csp_nonce(), _NONCE_MARK)
        page_cache().put(key, (now + _kept_seconds(), body, headers))
        last_kept().put(place, (body, headers))
    return response


def _replayed(body: str, headers: list) -> Response:
    return Response(body.replace(_NONCE_MARK, csp_nonce()), headers=headers)
