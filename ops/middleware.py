"""Middleware for operations: request ids, the health endpoint, request size limits and security headers."""

import logging
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse

from ops.health import health_report
from ops.logs import request_id_var
from ops.request_limits import (
    body_limit_for,
    declared_body_bytes,
    request_too_large,
    site_request_limit,
)
from ops.security import csp_for_path, permissions_policy_header

logger = logging.getLogger(__name__)

# A proxy's id is reused only when it cannot smuggle anything into logs or headers.
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

Handler = Callable[[HttpRequest], HttpResponse]


class RequestIdMiddleware:
    """Gives each request an id (the proxy's X-Request-ID if sane) for logs and the response."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        # Not reset here: Django logs 4xx/5xx responses after the middleware chain returns.
        # ops.apps clears it when the request finishes.
        request_id_var.set(request_id)
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class HealthCheckMiddleware:
    """Answers PMA_HEALTH_PATH before host validation and the HTTPS redirect.

    Load balancers and orchestrators probe a backend by its address over plain HTTP; going through
    ALLOWED_HOSTS and SECURE_SSL_REDIRECT would answer them 400 or 301 instead of the truth.
    The response is the same whatever the Host header, so skipping host validation is safe.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info != settings.PMA_HEALTH_PATH:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        report = health_report()
        response = JsonResponse(report.as_json(), status=200 if report.serving else 503)
        response["Cache-Control"] = "no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class RequestBodyLimitMiddleware:
    """Refuses a body larger than its view accepts, on Content-Length, before anything reads it.

    Must come before CsrfViewMiddleware: the CSRF check reads request.POST, which parses the
    whole body (streaming files to disk) before any view could refuse it. See ops.request_limits.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func, view_args, view_kwargs
    ) -> HttpResponse | None:
        declared = declared_body_bytes(request)
        if declared is None:
            return None
        view_limit = body_limit_for(view_func)
        limit = view_limit.max_bytes() if view_limit else site_request_limit()
        if declared <= limit:
            return None
        logger.warning(
            "Refused a %s-byte request body to %s (limit %s bytes)",
            declared,
            request.path,
            limit,
            extra={"declared_bytes": declared, "limit_bytes": limit},
        )
        if view_limit and view_limit.refuse:
            return view_limit.refuse(request, declared)
        return request_too_large(request, declared=declared, limit=limit)


class SecurityHeadersMiddleware:
    """Adds Content-Security-Policy and Permissions-Policy (Django 5.2 sets neither).

    It is the outermost middleware, so responses that never reach Django's SecurityMiddleware or
    XFrameOptionsMiddleware (/healthz, static files from WhiteNoise) get their headers here too.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Views that serve files (Wagtail images and documents) set a stricter policy of their own.
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = csp_for_path(
                request.path_info, status_code=response.status_code
            )
        if "Permissions-Policy" not in response:
            response["Permissions-Policy"] = permissions_policy_header(
                settings.PMA_PERMISSIONS_POLICY
            )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        referrer_policy = settings.SECURE_REFERRER_POLICY
        if referrer_policy:
            if not isinstance(referrer_policy, str):
                referrer_policy = ",".join(referrer_policy)
            response.headers.setdefault("Referrer-Policy", referrer_policy)
        # Views marked @xframe_options_exempt (Wagtail's preview) must stay frameable.
        if not getattr(response, "xframe_options_exempt", False):
            response.headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        return response
