"""Facts that change only with the data, kept between requests of a process.

A page built afresh (no kept page: app.http.page_cache) still asks the
database the same things on every request: which city, its settings, plan,
indicators, areas, the filter form's choices. They change only when the data
does, so `kept()` remembers them per data version (app.http.caching: a write
of public data bumps it in the same transaction) for at most
KEPT_FACTS_SECONDS (default 60, as the kept pages; 0 turns it off).

None is never kept: a city that does not exist yet may be added by a command
that leaves the data version alone (fichekaart cities add).

What is kept is read only: the caller must not change it. ORM objects kept
here are detached from their session after the request; only attributes
loaded when they were built may be read (their columns, and relations
loaded eagerly).
"""
from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app
from sqlalchemy.orm import Session

from .caching import data_version
from .lru import LruCache

T = TypeVar("T")
# A city's facts (app/views/city_facts.py) are about 3-4 entries (facts, two
# indicators, the finder's wijken), mostly its area shapes: some 100 kB for
# Herentals' 10 wijken. 64 entries keep the last ~16 cities of a worker.
KEPT_FACTS_SIZE = 64


def kept(session: Session, key: tuple[Hashable, ...], build: Callable[[], T]) -> T:
    """build(), or what it gave last time for `key` while the data version is the same."""
    seconds = float(current_app.config.get("KEPT_FACTS_SECONDS", 60))
    if seconds <= 0:
        return build()
    version, _ = data_version(session)
    full_key = (str(session.get_bind().engine.url), *key)  # tests run several databases in one process
    store = _store()
    now = time.monotonic()
    hit = store.get(full_key)
    if hit is not None and hit[0] == version and hit[1] > now:
        return hit[2]
    value = build()
    if value is not None:
        store.put(full_key, (version, now + seconds, value))
    return value


def _store() -> LruCache:
    extensions = current_app.extensions
    if "fichekaart_kept_facts" not in extensions:
        extensions["fichekaart_kept_facts"] = LruCache(KEPT_FACTS_SIZE)
    return extensions["fichekaart_kept_facts"]
