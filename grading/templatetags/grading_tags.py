"""Template filters for scores: points as people write them (5, 3.5, 0.33), never 3.50."""

from django import template

register = template.Library()


@register.filter
def points(value) -> str:
    if value is None or value == "":
        return "—"
    try:
        number = round(float(value), 2)
    except (TypeError, ValueError):
        return "—"
    return f"{number:g}"
