"""The account pages for a person's own API tokens (mounted at /accounts/api-tokens/)."""

from django.urls import path

from . import views

app_name = "api_tokens"
urlpatterns = [
    path("", views.token_list, name="list"),
    path("<int:token_id>/revoke/", views.token_revoke_view, name="revoke"),
]
