"""Admin for announcements: instructors post to their own courses (announcements.admin_views)."""

from wagtail import hooks

from .admin_views import announcement_viewset


@hooks.register("register_admin_viewset")
def register_announcement_viewset():
    return announcement_viewset
