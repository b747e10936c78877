"""Admin for API service tokens (api.admin_views)."""

from wagtail import hooks

from .admin_views import service_token_viewset


@hooks.register("register_admin_viewset")
def register_service_token_viewset():
    return service_token_viewset
