"""Request body limits, checked on the declared Content-Length before anything parses the body.

Django caps form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but not uploaded files: a 2 GB upload
would be streamed to a temporary file by the CSRF check, before any view could refuse it.
`RequestBodyLimitMiddleware` (ops.middleware) runs its `process_view` ahead of the CSRF check
and refuses a body larger than the view's own limit (`request_body_limit`) or, for every other
view, PMA_MAX_REQUEST_BYTES. The reverse proxy's `client_max_body_size` should match the latter.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.translation import gettext as _

Refusal = Callable[[HttpRequest, int], HttpResponse]

# Room for the CSRF token, the form's other fields and the multipart boundaries around a file.
FORM_OVERHEAD_BYTES = 64 * 1024


@dataclass(frozen=True)
class BodyLimit:
    """A view's largest accepted body, read when a request comes (settings change in tests)."""

    max_bytes: Callable[[], int]
    refuse: Refusal | None = None


def request_body_limit(*, max_bytes: Callable[[], int], refuse: Refusal | None = None):
    """Declare a function view's body limit; `refuse(request, declared_bytes)` answers above it."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        view.request_body_limit = BodyLimit(max_bytes=max_bytes, refuse=refuse)  # type: ignore[attr-defined]
        return view

    return decorate


def body_limit_for(view: Callable[..., Any]) -> BodyLimit | None:
    """The limit a view declares: on the function, or as `request_body_limit` on its class."""
    declared = getattr(view, "request_body_limit", None)
    if declared is None:
        declared = getattr(getattr(view, "view_class", None), "request_body_limit", None)
    return declared if isinstance(declared, BodyLimit) else None


def declared_body_bytes(request: HttpRequest) -> int | None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    return length if length > 0 else None


def megabytes(size: int) -> str:
    """A size for people, in the active language's number format ("2.0 MB", "2,0 MB")."""
    return _("%(size)s MB") % {"size": number_format(size / 2**20, 1)}


def request_too_large(request: HttpRequest, *, declared: int, limit: int) -> HttpResponse:
    """The friendly 413 page for a body over the site-wide limit."""
    return render(
        request,
        "ops/request_too_large.html",
        {"size": megabytes(declared), "limit": megabytes(limit)},
        status=413,
    )


def site_request_limit() -> int:
    return int(settings.PMA_MAX_REQUEST_BYTES)
