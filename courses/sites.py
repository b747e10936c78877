"""Which Wagtail site answers a request, remembered per process and host.

Wagtail looks the site up on every request: a `Case`/`When` query over the sites (about half the
CPU of a catalog request in a profile), then a second query for the specific home page that
routing starts from. Both change only when a site or its root page does, so `SiteMiddleware`
remembers them per host and port, with the pages generation of courses.caching: saving or
deleting a site, saving a site's root page, and publishing, moving or deleting any page start a
new generation (receivers in courses.caching). Where processes do not share the cache, an entry
also expires after caching.TIMEOUT_SECONDS.

Each request gets its own copy (unpickled), so nothing a request does to its site or home page
reaches another. `PMA_PAGE_CACHE = False` turns this off with the rest of the page cache.
"""

from __future__ import annotations

import pickle
import threading
import time

from django.http.request import split_domain_port
from wagtail.models import Site

from .caching import TIMEOUT_SECONDS, page_cache_enabled, pages_generation

# Hosts come from the request: bound the memo, whatever a client sends.
MAX_HOSTS = 32

_lock = threading.Lock()
# (hostname, port) -> (generation, monotonic time stored, pickled site or None)
_memo: dict[tuple[str, int], tuple[int, float, bytes | None]] = {}


def _looked_up(request) -> Site | None:
    site = Site.find_for_request(request)
    if site is not None:
        # Routing starts from the specific root page; remember it with the site.
        site.root_page = site.root_page.specific
    return site


def site_for_request(request) -> Site | None:
    """The request's site with its specific root page, as `Site.find_for_request` finds it."""
    # The host as Wagtail reads it (without the ALLOWED_HOSTS check, which CommonMiddleware did).
    host = (split_domain_port(request._get_raw_host())[0], request.get_port())
    generation = pages_generation(request=request)
    entry = _memo.get(host)
    if (
        entry is not None
        and entry[0] == generation
        and time.monotonic() - entry[1] < TIMEOUT_SECONDS
    ):
        return pickle.loads(entry[2]) if entry[2] is not None else None  # noqa: S301 - our own bytes
    site = _looked_up(request)
    with _lock:
        if len(_memo) >= MAX_HOSTS:
            _memo.clear()
        _memo[host] = (
            generation,
            time.monotonic(),
            pickle.dumps(site) if site is not None else None,
        )
    return site


def forget_sites() -> None:
    """Drop this process's remembered sites (other processes follow the generation)."""
    with _lock:
        _memo.clear()


class SiteMiddleware:
    """Sets `request._wagtail_site`, where `Site.find_for_request` looks first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if page_cache_enabled():
            request._wagtail_site = site_for_request(request)
        return self.get_response(request)
