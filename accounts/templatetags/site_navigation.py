"""Template tags for the site header: which section of the site the visitor is in."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def aria_current(context, section_path: str) -> str:
    """`aria-current` for a header link: "page" on the section's own URL, "true" below it."""
    request = context.get("request")
    if request is None:
        return ""
    path = request.path
    if path == section_path:
        return format_html('aria-current="{}"', "page")
    if section_path != "/" and path.startswith(section_path):
        return format_html('aria-current="{}"', "true")
    return ""
