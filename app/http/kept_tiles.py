"""The last vector tiles each worker made, kept as (raw bytes, gzip bytes):
compressing a large tile costs more than reading it.

TILE_CACHE_SIZE (default 512; 0 turns the memory off, as PAGE_CACHE_SECONDS=0
does for the pages: every tile is made afresh, e.g. to measure a cold tile).
One cache per app, as app.http.page_cache: tests run several apps in one process.
"""
from __future__ import annotations

from flask import current_app

from .lru import LruCache

DEFAULT_SIZE = 512


def kept_tiles() -> LruCache | None:
    """This app's kept tiles, or None when TILE_CACHE_SIZE is 0."""
    extensions = current_app.extensions
    if "fichekaart_tiles" not in extensions:
        size = int(current_app.config.get("TILE_CACHE_SIZE", DEFAULT_SIZE))
        extensions["fichekaart_tiles"] = LruCache(size) if size > 0 else None
    return extensions["fichekaart_tiles"]
