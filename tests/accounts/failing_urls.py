"""URLs that fail on purpose, to exercise the site's error pages."""

from django.core.exceptions import BadRequest, PermissionDenied
from django.urls import include, path


def boom(request):
    raise RuntimeError("deliberate failure for the 500 page test")


def forbidden(request):
    raise PermissionDenied


def bad(request):
    raise BadRequest


urlpatterns = [
    path("boom/", boom),
    path("forbidden/", forbidden),
    path("bad/", bad),
    path("", include("config.urls")),
]
