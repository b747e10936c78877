"""Cache generations: one counter in the shared cache that every dependent key is checked against.

Moving a generation on makes everything stored under the old one stale at once, in every process,
without finding and deleting keys. A generation that is missing (first run, cache cleared, or the
key evicted while dependent entries survived) starts from the clock, so it never equals a value
used before: an entry stored under an old generation can never match again.
"""

from __future__ import annotations

import time

from django.core.cache import cache


def generation_current(key: str) -> int:
    generation = cache.get(key)
    if generation is None:
        generation = _fresh()
        if not cache.add(key, generation, timeout=None):
            generation = cache.get(key, generation)  # another process started one
    return generation


def generation_next(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:
        # Missing: any value unlike the old one starts a new generation.
        cache.set(key, _fresh(), timeout=None)


def _fresh() -> int:
    return time.time_ns()
