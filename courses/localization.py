"""Course content in the reader's language, while every page keeps one identity and one URL.

A course's identity (enrolment, progress, submissions, grades, certificates, URLs such as
/courses/<id>/grades/) is its original page in the default locale. A translation made with
wagtail-localize is presentation only: the site is always routed through the original tree
(`serve`, wired in config/urls.py, instead of Wagtail routing `site.root_page.localized`), and
what a page shows (title, summary, body...) is read from its live translation in the active
language when there is one, else from the original. A page nobody translated, a translation
still in draft or an alias that only mirrors the original all fall back, with no error.

The shown copy is a shallow copy of the original page (`localized_copy`): the original instance
is never changed, so nothing that saves or records against a page can write translated text
into the original. Lists (outline, cards, navigation) are localized in one query per page type
(`localize_pages`), cached with the page cache's scope (generation, site, language).
"""

from __future__ import annotations

import copy
import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.conf import settings
from django.http import Http404
from django.utils import translation
from wagtail import views as wagtail_views
from wagtail.coreutils import get_content_languages
from wagtail.models import Page, Site

from .caching import remembered

P = TypeVar("P", bound=Page)

# The attribute a localized page carries: the language its shown text is in.
CONTENT_LANGUAGE_ATTR = "_pma_content_language"

# Fields a list or a navigation shows of each page (bodies stay unread there).
LIST_FIELDS = ("title", "seo_title", "summary")
# Fields each page type shows when it is the page being read. Slugs, URLs, numbers, dates and
# pass rules are never taken from a translation: they belong to the original.
PAGE_FIELDS: dict[str, tuple[str, ...]] = {
    "homepage": ("title", "seo_title", "tagline", "intro", "body", "call_to_action"),
    "courseindexpage": ("title", "seo_title", "intro"),
    "coursepage": ("title", "seo_title", "summary", "description", "outcomes"),
    "modulepage": ("title", "seo_title", "summary"),
    "lessonpage": ("title", "seo_title", "summary", "body"),
}


# Languages -----------------------------------------------------------------------------------


def default_language() -> str:
    return settings.LANGUAGE_CODE.split("-")[0]


def reading_language() -> str | None:
    """The active language when it is a content language other than the default one, else None.

    An unknown language (a stale cookie, a browser asking for Klingon) is not active in the
    first place (LocaleMiddleware falls back to LANGUAGE_CODE); a content language with no
    Locale or no translations yet simply reads the originals. Locales are matched by their code
    (a join in the same query), so nothing about them is cached between requests.
    """
    if not getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        return None
    language = (translation.get_language() or "").split("-")[0]
    content_languages = {code.split("-")[0] for code, _name in get_content_languages().items()}
    if not language or language == default_language() or language not in content_languages:
        return None
    return language


def language_of(page: Page) -> str:
    """The language of the text a page shows: its translation's when localized, else the default.

    Pages are served from the original, default-locale tree, so a page that was not localized
    shows default-language text.
    """
    return page.__dict__.get(CONTENT_LANGUAGE_ATTR) or default_language()


# Pages ---------------------------------------------------------------------------------------


def _translations(model: type[Page], keys: Iterable[Any], language: str, fields: Sequence[str]):
    """{translation_key: {field: value}} of the live, real (not alias) translations."""
    return {
        row["translation_key"]: row
        for row in model.objects.filter(
            translation_key__in=list(keys),
            locale__language_code=language,
            live=True,
            alias_of__isnull=True,
        ).values("translation_key", *fields)
    }


def _shown(page: Page, values: dict | None, fields: Sequence[str], language: str) -> Page:
    shown = copy.copy(page)
    if values is not None:
        for name in fields:
            if name in values:
                setattr(shown, name, values[name])
        shown.__dict__[CONTENT_LANGUAGE_ATTR] = language
    return shown


def _reading(request) -> str | None:
    # A preview shows the page being edited as it is, whatever the editor's interface language.
    if request is not None and getattr(request, "is_preview", False):
        return None
    return reading_language()


def localized_copy(page: P, *, request=None) -> P:
    """`page` as a reader in the active language sees it: a copy, the original untouched.

    The page being read is localized field by field from its live translation (one query in a
    language other than the default; none in the default language).
    """
    language = _reading(request)
    if language is None:
        return page
    fields = PAGE_FIELDS.get(page._meta.model_name, ("title", "seo_title"))
    values = (
        type(page)
        .objects.filter(
            translation_key=page.translation_key,
            locale__language_code=language,
            live=True,
            alias_of__isnull=True,
        )
        .exclude(pk=page.pk)
        .values(*fields)
        .first()
    )
    return _shown(page, values, fields, language)


def _list_fields(model: type[Page]) -> tuple[str, ...]:
    shown = PAGE_FIELDS.get(model._meta.model_name, ("title", "seo_title"))
    return tuple(name for name in LIST_FIELDS if name in shown)


def localize_pages(pages: Iterable[P], *, request=None) -> list[P]:
    """Copies of `pages` with their titles and summaries in the active language, where translated.

    One query per page type in the list, and none at all when the page cache holds the answer
    (its scope carries the language and is renewed by every publication, translations included).
    """
    pages = list(pages)
    language = _reading(request)
    if language is None or not pages:
        return pages
    by_model: dict[type[Page], list[Page]] = defaultdict(list)
    for page in pages:
        by_model[type(page)].append(page)
    found: dict[tuple[str, str], dict] = {}
    for model, members in by_model.items():
        fields = _list_fields(model)
        keys = sorted({str(page.translation_key) for page in members})

        def build(model=model, keys=keys, fields=fields) -> dict:
            return _translations(model, keys, language, fields)

        rows = remembered(
            "content-translations",
            model._meta.label_lower,
            ",".join(keys),
            request=request,
            build=build,
        )
        for key, row in rows.items():
            found[(model._meta.label_lower, str(key))] = row
    return [
        _shown(
            page,
            found.get((type(page)._meta.label_lower, str(page.translation_key))),
            _list_fields(type(page)),
            language,
        )
        for page in pages
    ]


def localize_outline(outline: list, *, request=None) -> list:
    """The course outline (selectors.OutlineModule items) with modules and lessons localized."""
    pages = [item.module for item in outline] + [
        entry.lesson for item in outline for entry in item.lessons
    ]
    shown = dict(zip(map(id, pages), localize_pages(pages, request=request), strict=True))
    return [
        dataclasses.replace(
            item,
            module=shown[id(item.module)],
            lessons=[
                dataclasses.replace(entry, lesson=shown[id(entry.lesson)]) for entry in item.lessons
            ],
        )
        for item in outline
    ]


# Serving -------------------------------------------------------------------------------------


def serve(request, path):
    """Wagtail's page view, routed through the original tree whatever the active language.

    Wagtail routes `site.root_page.localized`, which in German would serve the German copies:
    other page ids, so the learner's enrolment, progress and grades would not be found there.
    The route is worked out here on the site's own root page and handed to Wagtail's view
    (which reads it back from the request), so its hooks and restrictions apply as before.
    """
    if not hasattr(request, "_wagtail_route_for_request"):
        route = None
        site = Site.find_for_request(request)
        if site is not None:
            components = [component for component in path.split("/") if component]
            try:
                route = site.root_page.specific.route(request, components)
            except Http404:
                route = None
        request._wagtail_route_for_request = route
    return wagtail_views.serve(request, path)
