"""Sentences the format checks and the grading engine write for people, marked for translation.

These packages know nothing of Django (tests/test_architecture.py), and what they write is often
stored (a validation report, a run's message) and read later, by someone else, in another
language. So a sentence is written in English with named %-placeholders inside ``gettext_noop``,
which xgettext (``makemessages``) collects into the grading and exercises catalogues, and the
Django layer (exercises.translated.translated_message) matches the stored English back to its msgid
and renders it in the reader's language.
"""


def gettext_noop(message: str) -> str:
    """Mark ``message`` for the catalogues; it stays English here."""
    return message
