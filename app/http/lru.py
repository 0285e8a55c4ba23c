"""A small thread-safe LRU cache (per process): the tiles and the rendered
public pages keep their last answers in one."""
from __future__ import annotations

from collections import OrderedDict
from threading import Lock


class LruCache:
    """The last `size` values put in, by key."""

    def __init__(self, size: int):
        self.size, self._lock = size, Lock()
        self._items: OrderedDict = OrderedDict()

    def get(self, key):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
