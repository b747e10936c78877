"""A view that crashes, to see the security headers of the plain 500 page."""

from django.urls import include, path


def crash(request):
    raise RuntimeError("deliberate failure for the 500 security header test")


urlpatterns = [path("crash/", crash), path("", include("config.urls"))]
