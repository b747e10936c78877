"""The interface languages a person can choose, and the one rule for reading a stored choice."""

from django.conf import settings
from django.utils.translation import get_supported_language_variant


def supported_language(code: str | None) -> str:
    """`code` as one of settings.LANGUAGES (``de-AT`` reads as ``de``), or "" when we do not offer it.

    Stored preferences can outlive a language being offered; they then count as "no preference".
    """
    if not code:
        return ""
    try:
        return get_supported_language_variant(code)
    except LookupError:
        return ""


def user_language(user) -> str:
    """The language to write to `user` in (e-mails, PDFs): their saved choice, else the default."""
    return supported_language(getattr(user, "language", "")) or settings.LANGUAGE_CODE
