"""Template filters for scores: points as people write them (5, 3.5, 0.33), never 3.50."""

from django import template
from django.utils import formats

from exercises.format import format_points, parse_points
from exercises.translated import translated_message

register = template.Library()


@register.filter
def points(value) -> str:
    """Exact points (a Fraction, a Decimal from the database, "1/3" from a stored report) rounded."""
    if value is None or value == "":
        return "—"
    exact = parse_points(value)
    if exact is None:
        return "—"
    # In the reader's number format: 9.75 in English, 9,75 in German.
    return format_points(exact).replace(".", str(formats.get_format("DECIMAL_SEPARATOR")))


@register.filter
def get_item(container, key):
    """``mapping|get_item:key`` or ``sequence|get_item:index``; None when absent."""
    if container is None:
        return None
    try:
        return container[key]
    except (KeyError, IndexError, TypeError):
        return None


@register.filter
def translated(value) -> str:
    """A sentence the engine or the format checks wrote (stored in English) in the reader's
    language; anything else unchanged (exercises.translated)."""
    return translated_message(value)
