"""PM Academy inside an LMS's iframe.

After a launch, the browser session remembers the launching LMS's web origins. For that session
(and for every /lti/ page, which any registered LMS may frame), LtiFramingMiddleware:

* replaces the CSP `frame-ancestors 'none'` (ops.security) with 'self' and those origins only,
  and drops X-Frame-Options (its DENY would win in old browsers; CSP governs in current ones);
* over HTTPS, marks the session and CSRF cookies SameSite=None; Secure, so the browser keeps
  sending them inside the third-party iframe. Over plain HTTP (development) browsers refuse
  SameSite=None without Secure, so the cookies stay Lax: framed launches then need the
  "open in a new window" fallback (lti/cookie_check.html);
* adds the LMS's deep linking return URL to `form-action` on the page that posts back to it.

It sits first in MIDDLEWARE, so it sees the headers ops.middleware and Django have set.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from .models import FRAME_ORIGINS_CACHE_KEY, PlatformRegistration, origin_of

SESSION_KEY = "lti_frame_origins"
ALL_ORIGINS_CACHE_KEY = FRAME_ORIGINS_CACHE_KEY
ALL_ORIGINS_CACHE_SECONDS = 60
_DIRECTIVE = r"(^|;\s*){name}\s[^;]*"


def remember_launch(request: HttpRequest, *, registration: PlatformRegistration) -> None:
    known = set(request.session.get(SESSION_KEY, []))
    request.session[SESSION_KEY] = sorted(known | set(registration.allowed_frame_origins()))


def registered_frame_origins() -> list[str]:
    origins = cache.get(ALL_ORIGINS_CACHE_KEY)
    if origins is None:
        origins = sorted(
            {
                origin
                for registration in PlatformRegistration.objects.filter(active=True)
                for origin in registration.allowed_frame_origins()
            }
        )
        cache.set(ALL_ORIGINS_CACHE_KEY, origins, ALL_ORIGINS_CACHE_SECONDS)
    return origins


def allow_form_action(response: HttpResponse, url: str) -> None:
    origin = origin_of(url)
    if origin:
        response.lti_form_action = origin  # type: ignore[attr-defined]


def with_directive(csp: str, name: str, sources: list[str]) -> str:
    directive = f"{name} {' '.join(sources)}"
    pattern = re.compile(_DIRECTIVE.format(name=re.escape(name)))
    if pattern.search(csp):
        return pattern.sub(lambda m: m.group(1) + directive, csp, count=1)
    return f"{csp}; {directive}" if csp else directive


def directive_sources(csp: str, name: str) -> list[str]:
    match = re.search(_DIRECTIVE.format(name=re.escape(name)), csp)
    return match.group(0).split(";")[-1].split()[1:] if match else []


class LtiFramingMiddleware:
    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        origins: list[str] = []
        if request.path.startswith("/lti/"):
            origins += registered_frame_origins()
        session = getattr(request, "session", None)
        if session is not None:
            origins += session.get(SESSION_KEY, [])
        csp = response.get("Content-Security-Policy", "")
        form_origin = getattr(response, "lti_form_action", None)
        if csp and form_origin:
            sources = directive_sources(csp, "form-action") or ["'self'"]
            csp = with_directive(csp, "form-action", [*sources, form_origin])
        if origins:
            unique = sorted(set(origins))
            csp = with_directive(csp, "frame-ancestors", ["'self'", *unique])
            if "X-Frame-Options" in response:
                del response["X-Frame-Options"]
            if request.is_secure():
                for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
                    if name in response.cookies:
                        response.cookies[name]["samesite"] = "None"
                        response.cookies[name]["secure"] = True
        if csp:
            response["Content-Security-Policy"] = csp
        return response
