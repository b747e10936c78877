"""Who may enter the Wagtail and Django admins, and how; and which language a signed-in user reads.

Wagtail already refuses users without `wagtailadmin.access_admin`, but it answers with its own
login page; learners get sent to their dashboard instead. With PMA_REQUIRE_STAFF_MFA on, staff
must have an authenticator app before they reach an admin, because they can change courses,
grades and certificates for everyone.
"""

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _

from .languages import supported_language

ADMIN_PREFIXES = ("/admin/", "/django-admin/")
# Leaving an admin must stay possible without a second factor.
MFA_EXEMPT_PATHS = ("/admin/logout/", "/django-admin/logout/")


def is_staff_member(user) -> bool:
    return user.is_staff or user.is_superuser or user.has_perm("wagtailadmin.access_admin")


class LearnersStayOutOfAdminMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and request.path.startswith(ADMIN_PREFIXES)
            and not is_staff_member(user)
        ):
            return redirect("dashboard")
        return self.get_response(request)


class StaffMfaRequiredMiddleware:
    """With PMA_REQUIRE_STAFF_MFA, staff without two-factor authentication set it up first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.PMA_REQUIRE_STAFF_MFA
            and user is not None
            and user.is_authenticated
            and request.path.startswith(ADMIN_PREFIXES)
            and not request.path.startswith(MFA_EXEMPT_PATHS)
            and is_staff_member(user)
            and not is_mfa_enabled(user)
        ):
            messages.warning(
                request,
                _(
                    "Set up an authenticator app before you open the admin: staff accounts on this "
                    "site need two-factor authentication."
                ),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)


class UserLanguageMiddleware:
    """A signed-in user's saved language beats the cookie and the browser's Accept-Language.

    LocaleMiddleware (earlier) has already chosen from the cookie and the browser; this only
    overrides it when the user saved a language we still offer. A stale or unknown stored code is
    ignored, so the page falls back to what LocaleMiddleware chose (English at worst).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = supported_language(getattr(user, "language", ""))
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
