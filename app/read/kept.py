"""Values derived from the data, kept per process until the data version
changes (app.read.version): a city's wijk index, the collection of a city,
the licences of the cities. The OGC API asks for them on every page; reading
them again cost a statement (or an STRtree) each time, while they change
only with an edit.

Kept per database and per key; a value built under an older version is
never returned. None is never kept: a city that does not exist yet may be
added by a command that leaves the version alone (fichekaart cities add)."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm import Session

from ..http.lru import LruCache

T = TypeVar("T")

# (database, key) -> (data version, value); a few hundred cities x a few kinds
_KEPT = LruCache(1024)


def kept(session: Session, version: object, key: tuple, build: Callable[[], T]) -> T:
    """The value of `build()` for `key`, built again only when `version`
    (the caller's data version token) differs from the one it was built under."""
    full_key = (str(session.get_bind().engine.url), *key)
    found = _KEPT.get(full_key)
    if found is not None and found[0] == version:
        return found[1]
    value = build()
    if value is not None:
        _KEPT.put(full_key, (version, value))
    return value


def forget_all() -> None:
    """For tests that rebuild a database under the same URL and version."""
    _KEPT.clear()
