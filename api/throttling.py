"""A per-token limit on API requests, a counter per fixed window in the cache (as
certificates.throttling does for verification). Over the limit: 429 with Retry-After."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

DEFAULT_RATE = (120, 60)  # requests, per seconds


def api_rate() -> tuple[int, int]:
    limit, window = getattr(settings, "PMA_API_RATE", DEFAULT_RATE)
    return int(limit), int(window)


class TokenRateThrottle(BaseThrottle):
    def allow_request(self, request: HttpRequest) -> bool:
        caller = getattr(request, "auth", None)
        if caller is None:
            return True
        limit, window = api_rate()
        now = time.time()
        bucket = int(now // window)
        self.retry_after = (bucket + 1) * window - now
        key = f"api:rate:{caller.token.pk}:{bucket}"
        cache.add(key, 0, timeout=window + 5)
        try:
            count = cache.incr(key)
        except ValueError:
            # The entry expired between add and incr; this request starts a fresh window.
            cache.set(key, 1, timeout=window + 5)
            count = 1
        return count <= limit

    def wait(self) -> float | None:
        return max(1.0, getattr(self, "retry_after", 1.0))
