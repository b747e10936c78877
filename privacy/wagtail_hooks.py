"""Admin for privacy requests (privacy.admin_views)."""

from wagtail import hooks

from .admin_views import privacy_viewset


@hooks.register("register_admin_viewset")
def register_privacy_viewset():
    return privacy_viewset
