"""URL map. App URLs first; Wagtail's page serving catches everything else."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.utils import timezone
from django.views.decorators.cache import cache_page
from django.views.i18n import JavaScriptCatalog
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from accounts import views as accounts_views
from api import endpoints as api_endpoints
from courses.localization import serve as content_serve

# The JavaScript catalogue (gettext() in our scripts) changes only with a deploy: cached per
# language for an hour. Pages ask for it with ?l=<language> (templates/base.html), so a browser
# never reuses one language's copy after the switch; the prefix keeps a new process from reading
# an older deploy's copy from a shared cache.
javascript_catalog = cache_page(3600, key_prefix=f"jsi18n-{timezone.now().timestamp():.0f}")(
    JavaScriptCatalog.as_view()
)

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # The language switch: Django's set_language, which also saves a signed-in user's choice.
    path("i18n/setlang/", accounts_views.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", javascript_catalog, name="javascript-catalog"),
    path("accounts/", include("allauth.urls")),
    path("profile/", include("accounts.urls")),
    path("notifications/", include("notifications.urls")),
    path("accounts/api-tokens/", include("api.urls")),
    path("accounts/privacy/", include("privacy.urls")),
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

# Pages are routed through the original (default-locale) tree in every language, so a page has
# one URL and one identity; translations only change what it shows (courses.localization).
urlpatterns += [
    re_path(r"^((?:[\w\-]+/)*)$", content_serve, name="wagtail_serve"),
    path("", include(wagtail_urls)),
]
