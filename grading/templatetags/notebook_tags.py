"""Template filters that show notebook cells as Jupyter shows them, safely.

``{{ cell|notebook_markdown:3 }}`` renders a markdown cell (a string, or a cell with ``text`` and
``attachments``) with its headings moved down three levels; ``{{ cell.text|notebook_code }}``
highlights a code cell's source for ``<pre><code>``. The work is done by the pure
``exercises.format.render``; this module adds translated labels and a cache.

A notebook's HTML depends only on its text, so it is cached by a digest of that text (and the
library versions and language): a revision's cells render once, whoever opens them, and a new
revision's changed cells get new keys. Highlighting the capstone notebook's code takes ~50 ms,
which every exercise page would otherwise pay.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from importlib.metadata import version
from typing import Any

from django import template
from django.core.cache import cache
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from exercises.format.render import Labels, code_html, markdown_html
from exercises.translated import translated_message

register = template.Library()
logger = logging.getLogger(__name__)

CACHE_SECONDS = 7 * 24 * 3600
#: Part of every key, so an upgraded renderer never serves HTML an older one made.
RENDERER = "1:" + ":".join(
    version(p) for p in ("markdown-it-py", "mdit-py-plugins", "nh3", "pygments")
)


def _labels() -> Labels:
    return Labels(
        shortened=gettext(
            "The rest of this cell is not shown: it is longer than {limit} characters."
        ),
        remote_image=gettext("Image: {alt}"),
    )


def _cached(kind: str, parts: list[str], render: Callable[[], str]) -> str:
    digest = hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    key = f"pma:notebook-html:{RENDERER}:{kind}:{get_language() or ''}:{digest}"
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, CACHE_SECONDS)
    return html


def _text_and_attachments(value: Any) -> tuple[str, Mapping[str, Any]]:
    if isinstance(value, str):
        return value, {}
    text = getattr(value, "text", "")
    attachments = getattr(value, "attachments", None)
    return (
        text if isinstance(text, str) else "",
        attachments if isinstance(attachments, Mapping) else {},
    )


@register.filter
def notebook_markdown(value: Any, heading_offset: int = 0) -> SafeString:
    """A markdown cell (or any markdown text) as sanitised HTML."""
    text, attachments = _text_and_attachments(value)
    if not text.strip():
        return mark_safe("")  # noqa: S308 - empty
    # A cell the release wrote itself (a sealed check's notice) reads in the reader's language.
    text = translated_message(text, sentences=False)
    offset = int(heading_offset or 0)
    try:
        attached = json.dumps(attachments, sort_keys=True, default=str) if attachments else ""
        html = _cached(
            "md",
            [str(offset), text, attached],
            lambda: markdown_html(
                text, attachments=attachments, heading_offset=offset, labels=_labels()
            ),
        )
    except Exception:  # a cell no renderer can read still shows, as text
        logger.exception("Could not render a markdown cell; showing it as text")
        return mark_safe(linebreaks(text, autoescape=True))  # noqa: S308 - escaped
    return mark_safe(html)  # noqa: S308 - sanitised by nh3 in exercises.format.render


@register.filter
def notebook_code(value: Any, language: str = "python") -> SafeString:
    """A code cell's source as escaped, highlighted spans to put in ``<pre><code>``."""
    text = value if isinstance(value, str) else str(getattr(value, "text", "") or "")
    try:
        html = _cached(
            "code", [language, text], lambda: code_html(text, language=language, labels=_labels())
        )
    except Exception:
        logger.exception("Could not highlight a code cell; showing it plain")
        return escape(text)
    return mark_safe(html)  # noqa: S308 - Pygments escapes every token
