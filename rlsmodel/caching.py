"""Bounded, thread-safe caches: the only kind of memo rlsmodel keeps between calls.

Every cache in the package is an :class:`LRUCache` with a stated bound, keyed by the
*content* that determines the cached value (a model's declared modules, a parameter
vector's bytes), never by ``id()`` of an object that may be garbage-collected and its
address reused. A cached value is a pure function of its key, so a cache can be cleared
at any time, or lose an entry to eviction, without changing a result; two threads that
miss on the same key at once both compute it and store the same value.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

_MISSING = object()


class LRUCache:
    """A mapping of at most ``maxsize`` entries; the least recently used entry leaves first.

    All operations are atomic (one internal lock, held only for the dictionary update,
    never while a value is computed), so the cache can be shared by threads.
    """

    def __init__(self, maxsize: int):
        if isinstance(maxsize, bool) or not isinstance(maxsize, int) or maxsize < 1:
            raise ValueError(f"maxsize must be an integer >= 1; got {maxsize!r}")
        self.maxsize = maxsize
        self._data = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key, default=None):
        """The value for ``key`` (now the most recently used), or ``default``."""
        with self._lock:
            value = self._data.get(key, _MISSING)
            if value is _MISSING:
                self.misses += 1
                return default
            self._data.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key, value) -> None:
        """Store ``value`` under ``key``, evicting the least recently used entry if full."""
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)

    def get_or_compute(self, key, compute):
        """The cached value for ``key``, or ``compute()`` stored under it (computed unlocked)."""
        value = self.get(key, _MISSING)
        if value is _MISSING:
            value = compute()
            self.put(key, value)
        return value

    def pop(self, key, default=None):
        """Remove ``key`` and return its value (``default`` if absent)."""
        with self._lock:
            return self._data.pop(key, default)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key) -> bool:
        return key in self._data

    def __getstate__(self):
        """Pickles without its lock or entries (a copy starts empty: entries only save time)."""
        return {"maxsize": self.maxsize}

    def __setstate__(self, state):
        self.__init__(state["maxsize"])

    def __repr__(self) -> str:
        return f"LRUCache(maxsize={self.maxsize}, size={len(self)})"
