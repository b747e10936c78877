"""A per-client limit on verification requests, kept in the cache.

Verification is public and unauthenticated; the limit keeps anyone from walking
the code space or using the page as a signing oracle at speed.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

DEFAULT_RATE = (30, 60)  # requests, per seconds


def client_address(request) -> str:
    """The client's IP; behind a proxy, the header the operator names in PMA_CLIENT_IP_HEADER."""
    header = getattr(settings, "PMA_CLIENT_IP_HEADER", "")
    if header:
        forwarded = request.META.get(header, "")
        # The right-most entry is the one our own proxy appended; the rest are client-supplied.
        last = forwarded.split(",")[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR", "unknown")


def verification_allowed(*, client: str) -> bool:
    limit, window = getattr(settings, "PMA_VERIFY_RATE", DEFAULT_RATE)
    bucket = int(time.time() // window)
    key = f"certificates:verify:{client}:{bucket}"
    cache.add(key, 0, timeout=window + 5)
    try:
        count = cache.incr(key)
    except ValueError:
        # The entry expired between add and incr; this request starts a fresh window.
        cache.set(key, 1, timeout=window + 5)
        count = 1
    return count <= limit
