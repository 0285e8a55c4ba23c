"""HTTP caching for the data endpoints: a data version (ETag and
Last-Modified) that changes with every write of public data, and 304s.

The ETags are weak (W/"..."): the gzip and the plain body of one answer are
the same data, and flask-compress leaves weak validators alone (it suffixes
strong ones with ":gzip", which would never match the plain one again).
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import time

from flask import Response, current_app, make_response, request
from sqlalchemy.orm import Session
from werkzeug.http import is_resource_modified

from ..db import get_session
from ..read.version import read_data_version
from .outage import DATABASE_UNAVAILABLE

# Bump when the shape of the answers changes: old cached copies must not match.
FORMAT_VERSION = "1"
DEFAULT_MAX_AGE = 60  # seconds a browser may reuse an answer before it asks again (with its ETag)


_REMEMBERED: dict[str, tuple[float, str, dt.datetime | None]] = {}


def data_version(session: Session) -> tuple[str, dt.datetime | None]:
    """(a token that changes with every write of public data, the last change).

    The counter row of app.read.version, bumped by the write side in the
    same transaction (app.write.data_version): one primary-key lookup
    whatever the number of fiches. Remembered per database for
    DATA_VERSION_TTL seconds (default 1) all the same: a kept tile costs
    less than a round trip. An edit shows up in ETags at most that long
    after it is committed."""
    ttl = float(current_app.config.get("DATA_VERSION_TTL", 1.0))
    key = str(session.get_bind().engine.url)
    now = time.monotonic()
    remembered = _REMEMBERED.get(key)
    if remembered and remembered[0] > now:
        return remembered[1], remembered[2]
    counter, changed_at = read_data_version(session)
    # the time too: a database built again from scratch starts counting again
    token = f"{FORMAT_VERSION}:{counter}:{changed_at.isoformat() if changed_at else '-'}"
    latest = changed_at.replace(microsecond=0) if changed_at else None
    if ttl > 0:
        _REMEMBERED[key] = (now + ttl, token, latest)
    return token, latest


def etag_for(version: str, *parts) -> str:
    """An ETag value (unquoted) for this data version and these request parts."""
    text = "|".join([version, *map(str, parts)])
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def not_modified(etag: str, last_modified: dt.datetime | None) -> bool:
    """True when the client's copy (If-None-Match / If-Modified-Since) is current."""
    return not is_resource_modified(request.environ, etag=etag, last_modified=last_modified)


def cache_headers(response: Response, etag: str, last_modified: dt.datetime | None,
                  max_age: int = DEFAULT_MAX_AGE) -> Response:
    response.set_etag(etag, weak=True)
    if last_modified is not None:
        response.last_modified = last_modified
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    return response


def not_modified_response(etag: str, last_modified: dt.datetime | None, max_age: int = DEFAULT_MAX_AGE) -> Response:
    return cache_headers(Response(status=304), etag, last_modified, max_age)


def conditional(session: Session, *parts, max_age: int = DEFAULT_MAX_AGE):
    """(etag, last_modified, 304 response or None) for a data answer that
    depends on the database and on `parts` (the URL, the arguments)."""
    version, last_modified = data_version(session)
    etag = etag_for(version, *parts)
    if not_modified(etag, last_modified):
        return etag, last_modified, not_modified_response(etag, last_modified, max_age)
    return etag, last_modified, None


def revalidated(view):
    """A view whose 200 answers carry ETag, Last-Modified and Cache-Control
    from the data version (and the full URL, host included, and the Accept
    header: the same URL answers JSON or HTML), and that answers 304 without
    running when the client's copy is current (If-None-Match /
    If-Modified-Since). For /ogc and the downloads."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        try:
            etag, last_modified, not_modified = conditional(get_session(), request.url,
                                                            request.headers.get("Accept", ""))
        except DATABASE_UNAVAILABLE:
            return view(*args, **kwargs)  # no validators; the view answers (a kept page, or 503)
        if not_modified is not None:
            not_modified.vary.add("Accept")
            return not_modified
        response = make_response(view(*args, **kwargs))
        if response.status_code == 200:
            cache_headers(response, etag, last_modified)
            response.vary.add("Accept")  # /ogc answers JSON or HTML at one URL: a shared cache must tell them apart
        return response
    return wrapper
