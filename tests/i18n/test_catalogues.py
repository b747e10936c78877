"""Every German catalogue in the repository is complete: no untranslated or fuzzy entry, and each
translation keeps its msgid's placeholders (a missing %(name)s would raise or drop a value)."""

import re
from collections import Counter
from pathlib import Path

import polib
import pytest

REPO = Path(__file__).resolve().parents[2]
SKIPPED = {".venv", ".venv-grading", "node_modules", "var", ".tools", ".git"}

# %(name)s, %s / %d, and {name} / {0} (str.format and JavaScript interpolate with named=true).
PLACEHOLDER = re.compile(r"%\([^)]+\)[#0\- +]?\d*(?:\.\d+)?[sdifr]|%[sdifr]|\{\w*\}")


def catalogues() -> list[Path]:
    return sorted(
        path
        for path in REPO.glob("**/locale/de/LC_MESSAGES/*.po")
        if not SKIPPED.intersection(path.relative_to(REPO).parts)
    )


def placeholders(text: str) -> Counter:
    return Counter(PLACEHOLDER.findall(text.replace("%%", "")))


def test_there_are_catalogues_for_the_site_and_each_app():
    found = {str(path.relative_to(REPO)) for path in catalogues()}
    for expected in [
        "locale/de/LC_MESSAGES/django.po",
        "locale/de/LC_MESSAGES/djangojs.po",
        "accounts/locale/de/LC_MESSAGES/django.po",
        "ops/locale/de/LC_MESSAGES/django.po",
        "notifications/locale/de/LC_MESSAGES/django.po",
        "announcements/locale/de/LC_MESSAGES/django.po",
        "api/locale/de/LC_MESSAGES/django.po",
        "lti/locale/de/LC_MESSAGES/django.po",
    ]:
        assert expected in found


@pytest.mark.parametrize(
    "path", catalogues(), ids=lambda p: str(p.relative_to(REPO)).replace("/", ":")
)
def test_the_german_catalogue_is_complete_and_keeps_placeholders(path):
    catalogue = polib.pofile(str(path))
    assert catalogue.metadata.get("Language") == "de"
    assert "nplurals=2; plural=(n != 1);" in catalogue.metadata.get("Plural-Forms", "")
    problems = [f"untranslated: {entry.msgid!r}" for entry in catalogue.untranslated_entries()]
    problems += [f"fuzzy: {entry.msgid!r}" for entry in catalogue.fuzzy_entries()]
    for entry in catalogue.translated_entries():
        if entry.msgid_plural:
            expected = placeholders(entry.msgid_plural)
            for form, text in entry.msgstr_plural.items():
                if set(placeholders(text)) != set(expected):
                    problems.append(f"placeholders differ in plural form {form}: {entry.msgid!r}")
        elif placeholders(entry.msgstr) != placeholders(entry.msgid):
            problems.append(f"placeholders differ: {entry.msgid!r} -> {entry.msgstr!r}")
    assert not problems, f"{path.relative_to(REPO)}:\n" + "\n".join(problems)
