"""URL map. App URLs first; Wagtail's page serving catches everything else."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from api import endpoints as api_endpoints

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("allauth.urls")),
    path("profile/", include("accounts.urls")),
    path("notifications/", include("notifications.urls")),
    path("accounts/api-tokens/", include("api.urls")),
    path("api/", api_endpoints.api.urls),
    path("api/<path:rest>", api_endpoints.unknown_endpoint),
    path("lti/", include("lti.urls")),
    path("", include("courses.urls")),
    path("", include("certificates.urls")),
    path("", include("courses.exercise_urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
