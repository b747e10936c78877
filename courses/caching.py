"""Caching of the public, non-personal parts of course pages, and its invalidation.

What every reader of a page sees alike (a lesson's rendered body, a course's outline, the
catalog's cards, the home page's featured courses) is cached; what belongs to one learner
(progress, knowledge-check answers, exercise status, enrolment) is always read fresh.

Every key carries a site-wide *generation*: publishing, unpublishing, moving or deleting a page,
saving or deleting a site or saving a site's root page, and editing what those parts show (skills,
images, view restrictions, an instructor's name) bump it (receivers in courses.receivers), so
the next request renders afresh (and looks its site up again: courses.sites). Lesson bodies are
also keyed on the page's own `cache_key` (id, URL path, last publication), which the database
gives with the page itself: a lesson's own edits show at once even where processes do not share a cache. Production shares one
Redis cache between processes; dev and tests use a per-process LocMem cache, where the timeout
below bounds how long another process can serve a changed outline.

`PMA_PAGE_CACHE = False` switches all of it off (the pages benchmark compares both).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from wagtail.models import Site

from ops.generations import generation_current, generation_next

T = TypeVar("T")

GENERATION_KEY = "pma:pages:generation"
# Upper bound on staleness for caches that are not shared between processes.
TIMEOUT_SECONDS = 15 * 60
# Blocks whose rendering depends on who reads them; every other lesson block is shared.
PERSONAL_BLOCK_TYPES = frozenset({"knowledge_check", "quiz", "exercise"})
# Fields of a user that course pages show (instructors are named by them).
SHOWN_USER_FIELDS = frozenset({"first_name", "last_name", "certificate_name"})


def page_cache_enabled() -> bool:
    return bool(getattr(settings, "PMA_PAGE_CACHE", True))


def pages_generation(*, request=None) -> int:
    """The current generation; remembered on the request so one page asks the cache once."""
    if request is not None and hasattr(request, "_pma_pages_generation"):
        return request._pma_pages_generation
    generation = generation_current(GENERATION_KEY)
    if request is not None:
        request._pma_pages_generation = generation
    return generation


def pages_changed() -> None:
    """Start a new generation: every cached page part is rendered again on its next request."""
    generation_next(GENERATION_KEY)


def cache_scope(*, request) -> str:
    """What every cached part varies on besides its own inputs: generation, site and language."""
    site = Site.find_for_request(request) if request is not None else None
    return (
        f"{pages_generation(request=request)}:{site.pk if site else 0}:"
        f"{translation.get_language() or ''}"
    )


def remembered(name: str, *parts: Any, request, build: Callable[[], T]) -> T:
    """`build()`'s value, cached under `name` and `parts` within the current scope."""
    if not page_cache_enabled() or getattr(request, "is_preview", False):
        return build()
    digest = hashlib.md5(  # noqa: S324 - a cache key, not a secret
        ":".join(str(part) for part in (cache_scope(request=request), *parts)).encode(),
        usedforsecurity=False,
    ).hexdigest()
    key = f"pma:{name}:{digest}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout=TIMEOUT_SECONDS)
    return value
