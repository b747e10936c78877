"""The engine's and the format checks' sentences in the reader's language.

Those layers cannot use Django, so they write English marked with ``gettext_noop``
(exercises.format.texts) and the sentence is often stored (a run's message, a report's test
message, a validation problem). Here a stored sentence is matched back to its msgid in the grading
and exercises catalogues, and rendered with the active language's translation: the placeholders'
values are taken from the English and put into the translated sentence. Anything that matches no
msgid (a learner's own exception text, an instructor's feedback) is shown as it is.
"""

from __future__ import annotations

import gettext as gettext_module
import re
from functools import lru_cache
from pathlib import Path

from django.utils.translation import get_language, gettext, to_locale

_APPS = (Path(__file__).resolve().parent.parent / "grading", Path(__file__).resolve().parent)
_SENTENCE_END = re.compile(r"[.] ")
#: A msgid with fewer literal characters than this ("Reset %(cell)s") is too loose to match by;
#: "Not run: %(reason)s" (9) must still match.
MIN_LITERAL = 8
_PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifgGeEr]|%%")


def _pattern(msgid: str) -> tuple[re.Pattern[str], int] | None:
    """A regex that matches ``msgid`` formatted with any values, and how many literal characters
    it has (the more, the more specific); None for a msgid without placeholders."""
    parts, seen, literal, last = [], set(), 0, 0
    for match in _PLACEHOLDER.finditer(msgid):
        text = msgid[last : match.start()]
        parts.append(re.escape(text))
        literal += len(text)
        last = match.end()
        name = match.group(1)
        if name is None:  # %%
            parts.append("%")
        elif name in seen:
            parts.append(f"(?P={name})")
        else:
            seen.add(name)
            parts.append(f"(?P<{name}>.+?)")
    if not seen or literal + len(msgid[last:]) < MIN_LITERAL:
        return None
    tail = msgid[last:]
    parts.append(re.escape(tail))
    return re.compile("".join(parts), re.DOTALL), literal + len(tail)


@lru_cache(maxsize=8)
def _catalogue(language: str) -> tuple[frozenset[str], tuple[tuple[re.Pattern[str], str], ...]]:
    """The msgids of the grading and exercises catalogues for ``language``: the plain ones, and
    the patterns of those with placeholders, most specific first."""
    msgids: set[str] = set()
    for app in _APPS:
        catalogue = gettext_module.translation(
            "django", localedir=str(app / "locale"), languages=[to_locale(language)], fallback=True
        )
        msgids.update(k for k in getattr(catalogue, "_catalog", {}) if isinstance(k, str) and k)
    patterns = []
    for msgid in msgids:
        compiled = _pattern(msgid)
        if compiled is not None:
            patterns.append((compiled[1], compiled[0], msgid))
    patterns.sort(key=lambda item: -item[0])
    plain = frozenset(m for m in msgids if not _PLACEHOLDER.search(m))
    return plain, tuple((pattern, msgid) for _, pattern, msgid in patterns)


def _as_strings(msgstr: str) -> str:
    """The translation with every placeholder as %(name)s: the values come back as text."""
    return _PLACEHOLDER.sub(lambda m: "%%" if m.group(1) is None else f"%({m.group(1)})s", msgstr)


def translated_message(text: object, *, depth: int = 0, sentences: bool = True) -> str:
    """``text`` (an English sentence from the engine or the format checks) in the active language;
    unchanged in English or when it is not one of ours. ``sentences=False`` skips trying each
    sentence of a longer text on its own (for long texts that are mostly someone else's words)."""
    value = "" if text is None else str(text)
    language = get_language() or ""
    if not value or language.split("-")[0] == "en" or depth > 2:
        return value
    plain, patterns = _catalogue(language)
    if value in plain:
        return gettext(value)
    for pattern, msgid in patterns:
        match = pattern.fullmatch(value)
        if match is None:
            continue
        translation = gettext(msgid)
        if translation == msgid:
            return value
        values = {
            name: translated_message(found, depth=depth + 1)
            for name, found in match.groupdict().items()
        }
        try:
            return _as_strings(translation) % values
        except (KeyError, ValueError, TypeError):
            return value
    return _sentences(value, depth) if sentences else value


def _sentences(value: str, depth: int) -> str:
    """Sentences joined by a space ("Passed 2 of 3 hidden input(s). Return a list of items."):
    each translated on its own, when the text splits into two that both are ours."""
    for boundary in _SENTENCE_END.finditer(value):
        head, tail = value[: boundary.start() + 1], value[boundary.end() :]
        head_t = translated_message(head, depth=depth + 1, sentences=False)
        if head_t == head:
            continue
        tail_t = translated_message(tail, depth=depth + 1)
        if tail_t != tail:
            return f"{head_t} {tail_t}"
    return value
