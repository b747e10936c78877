"""`{% admin_userbar %}`: Wagtail's userbar, for the people who can use it.

Wagtail's `{% wagtailuserbar %}` loads every signed-in visitor's permissions to decide (two
queries per page); this asks accounts.admin_access first, which remembers the answer, so learners
cost nothing and instructors and staff get Wagtail's own tag.
"""

from django import template
from wagtail.admin.templatetags.wagtailuserbar import wagtailuserbar

from accounts.admin_access import can_access_admin

register = template.Library()


@register.simple_tag(takes_context=True)
def admin_userbar(context, position: str = "bottom-right") -> str:
    request = context.get("request")
    if request is None or not can_access_admin(getattr(request, "user", None)):
        return ""
    return wagtailuserbar(context, position)


@register.filter
def opens_admin(user) -> bool:
    """`{% if user|opens_admin %}`: the same remembered answer, for the header's Admin link."""
    return can_access_admin(user)
