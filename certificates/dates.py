"""Dates as certificates print and pages show them, in the active language.

English keeps "6 December 2026"; each language gives its own pattern through the catalogue
(German: "6. Dezember 2026"), with month names from Django's own translations.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import pgettext


def long_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    # Translators: a PHP-style date format (Django's `date` filter) for a day, month name and year.
    return date_format(value, pgettext("date format", "j F Y"))


def long_date_time(value: datetime | None) -> str:
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    # Translators: a PHP-style date format (Django's `date` filter) with the time of day.
    return date_format(value, pgettext("date format", "j F Y H:i"))
