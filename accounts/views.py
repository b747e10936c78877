"""The learner's profile page, and the language switch that remembers a signed-in choice."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from .forms import LanguageForm, ProfileForm
from .languages import browser_language, supported_language
from .selectors import user_account_security
from .services import user_set_certificate_name, user_set_language


def _render_profile(request, *, form=None, language_form=None):
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form
            or ProfileForm(initial={"certificate_name": request.user.certificate_name}),
            "language_form": language_form
            or LanguageForm(initial={"language": supported_language(request.user.language)}),
            "security": user_account_security(user=request.user),
        },
    )


@login_required
def profile(request):
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            user_set_certificate_name(
                user=request.user, certificate_name=form.cleaned_data["certificate_name"]
            )
            messages.success(request, _("Your name on certificates is saved."))
            return redirect("profile")
        return _render_profile(request, form=form)
    return _render_profile(request)


@login_required
@require_POST
def profile_language(request):
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return _render_profile(request, language_form=form)
    user = user_set_language(user=request.user, language=form.cleaned_data["language"])
    response = redirect("profile")
    if user.language:
        # The message is read on the next page, in the language just chosen.
        with translation.override(user.language):
            messages.success(request, _("Your language is saved."))
        _remember_in_cookie(response, user.language)
    else:
        with translation.override(browser_language(request)):
            messages.success(request, _("Pages now follow your browser's language."))
        response.delete_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
        )
    return response


def _remember_in_cookie(response, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@require_POST
def set_language(request):
    """Django's set_language (cookie, then redirect to `next`), which also saves a signed-in
    user's choice, so it follows them to other devices. An unknown code changes nothing."""
    response = django_set_language(request)
    language = supported_language(request.POST.get("language"))
    user = request.user
    if language and user.is_authenticated and request.POST.get("language") == language:
        user_set_language(user=user, language=language)
    return response
