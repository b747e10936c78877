"""The interface languages a person can choose, and the one rule for reading a stored choice."""

from django.conf import settings
from django.utils.translation import get_supported_language_variant
from django.utils.translation.trans_real import parse_accept_lang_header


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


def language_or_default(code: str | None) -> str:
    """`code` if we offer it, else the site's default language (LANGUAGE_CODE)."""
    return supported_language(code) or settings.LANGUAGE_CODE


def user_language(user) -> str:
    """The language to write to `user` in (e-mails, PDFs): their saved choice, else the default."""
    return language_or_default(getattr(user, "language", ""))


def browser_language(request) -> str:
    """The first language the browser asks for (Accept-Language) that we offer, else the default:
    what a person without a saved choice or a cookie reads."""
    for code, _quality in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
        if code == "*":
            break
        language = supported_language(code)
        if language:
            return language
    return settings.LANGUAGE_CODE
