"""HTTP caching for the data endpoints: a data version (ETag and
Last-Modified) that changes whenever a fiche or an area changes, and 304s.

The ETags are weak (W/"..."): the gzip and the plain body of one answer are
the same data, and flask-compress leaves weak validators alone (it suffixes
strong ones with ":gzip", which would never match the plain one again).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import time

from flask import Response, current_app, request
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.http import is_resource_modified

from ..models import Area, Fiche, IndicatorValue

# Bump when the shape of the answers changes: old cached copies must not match.
FORMAT_VERSION = "1"
DEFAULT_MAX_AGE = 60  # seconds a browser may reuse an answer before it asks again (with its ETag)


_REMEMBERED: dict[str, tuple[float, str, dt.datetime | None]] = {}


def data_version(session: Session) -> tuple[str, dt.datetime | None]:
    """(a token that changes with any fiche or area edit, the last change).

    Fiches: count, latest updated_at and the sum of the optimistic-lock
    versions (an edit of a phase or budget line goes through its fiche and
    bumps that). Areas have no timestamp: count and highest id; indicator
    values: count, highest id and the sum of the values.

    Remembered per database for DATA_VERSION_TTL seconds (default 1): on
    30,000 fiches the two aggregates cost more than serving a cached tile.
    An edit shows up in ETags at most that long after it is committed."""
    ttl = float(current_app.config.get("DATA_VERSION_TTL", 1.0))
    key = str(session.get_bind().engine.url)
    now = time.monotonic()
    remembered = _REMEMBERED.get(key)
    if remembered and remembered[0] > now:
        return remembered[1], remembered[2]
    token, latest = _query_version(session)
    if ttl > 0:
        _REMEMBERED[key] = (now + ttl, token, latest)
    return token, latest


def _query_version(session: Session) -> tuple[str, dt.datetime | None]:
    count, latest, versions = session.execute(
        select(func.count(Fiche.id), func.max(Fiche.updated_at), func.coalesce(func.sum(Fiche.version), 0))
    ).one()
    value_aggregates = [select(aggregate).scalar_subquery() for aggregate in (
        func.count(IndicatorValue.id), func.max(IndicatorValue.id), func.coalesce(func.sum(IndicatorValue.value), 0))]
    areas, last_area, n_values, last_value, value_sum = session.execute(
        select(func.count(Area.id), func.max(Area.id), *value_aggregates)
    ).one()
    latest = _as_utc(latest)
    token = (f"{FORMAT_VERSION}:{count}:{latest.isoformat() if latest else '-'}:{versions}:{areas}:{last_area}:"
             f"{n_values}:{last_value}:{float(value_sum):.12g}")
    return token, latest


def _as_utc(value) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite without type processing
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:  # SQLite's CURRENT_TIMESTAMP is UTC
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).replace(microsecond=0)


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
