"""The JSON API: one NinjaAPI at /api/, version 1 under /api/v1/, its OpenAPI schema at
/api/openapi.json and the Swagger UI at /api/docs (served from ninja's bundled files, no CDN).

Every error is JSON: {"detail": ..., "code": ...} (api.errors)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from .errors import ApiError
from .routers import certificates, courses, enrolments, progress, submissions
from .throttling import TokenRateThrottle


class Docs(Swagger):
    """ninja's Swagger UI page, with our title and language; no online validator badge."""

    template = "api/docs.html"


api = NinjaAPI(
    title="PM Academy API",
    version="1",
    description=(
        "Courses, enrolments, progress, submission scores and certificates. Authenticate with "
        "`Authorization: Bearer <token>`; make a token under Account settings → API tokens. "
        "See docs/api.md."
    ),
    urls_namespace="api",
    docs=Docs(settings={"validatorUrl": None, "tryItOutEnabled": False}),
    docs_url="/docs",
    openapi_url="/openapi.json",
    throttle=[TokenRateThrottle()],
)

api.add_router("/v1/courses", courses.router)
api.add_router("/v1/courses", enrolments.router)
api.add_router("/v1/progress", progress.router)
api.add_router("/v1/submissions", submissions.router)
api.add_router("/v1/certificates", certificates.router)


def _error(request: HttpRequest, status: int, detail, code: str) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "code": code}, status=status)


@api.exception_handler(ApiError)
def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    response = _error(request, exc.status_code, exc.message, exc.code)
    for name, value in exc.headers.items():
        response[name] = value
    return response


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _error(
        request, 401, _("Send a token: Authorization: Bearer <token>."), "invalid_token"
    )
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(Throttled)
def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    # ninja adds Retry-After (whole seconds) to this response.
    return _error(
        request,
        429,
        _("Too many requests for this token; try again after Retry-After seconds."),
        "rate_limited",
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja's own refusals, e.g. a body that is not JSON.
    code = "invalid_request" if exc.status_code == 400 else "error"
    return _error(request, exc.status_code, str(exc), code)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _error(request, 422, exc.errors, "invalid_request")


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, _("Not found."), "not_found")


def unknown_endpoint(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Any other path under /api/: a JSON 404 rather than the site's HTML page."""
    return JsonResponse(
        {"detail": _("No such endpoint; see /api/docs."), "code": "not_found"}, status=404
    )
