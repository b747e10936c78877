"""How large a learner's notebook upload may be: one limit and one message, for every place an
upload is checked (the request's Content-Length, the uploaded file's size, the bytes stored)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .kernels import grading_settings

DEFAULT_MAX_UPLOAD_BYTES = 2 * 2**20


def max_upload_bytes() -> int:
    """PMA_GRADING["MAX_UPLOAD_BYTES"], 2 MiB unless set."""
    return int(grading_settings().get("MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def upload_refusal(size_bytes: int) -> str | None:
    """Why an upload of ``size_bytes`` is refused, in the learner's words; None when it fits."""
    return upload_too_large(size_bytes) if size_bytes > max_upload_bytes() else None


def upload_too_large(size_bytes: int) -> str:
    """The message for an upload of ``size_bytes`` over the limit (a request's Content-Length
    counts too: it is refused before its body is read)."""
    limit = max_upload_bytes()
    return _(
        "The notebook is %(size).1f MB; uploads may be at most %(limit).1f MB. Clear its "
        "outputs (Kernel > Restart & Clear Output), save, and upload it again."
    ) % {"size": size_bytes / 2**20, "limit": limit / 2**20}


def answers_too_large(size_bytes: int) -> str:
    """The message for answer cells (typed in the browser) that together exceed the limit."""
    return _("Your answers come to %(size).1f MB; at most %(limit).1f MB can be sent at once.") % {
        "size": size_bytes / 2**20,
        "limit": max_upload_bytes() / 2**20,
    }
