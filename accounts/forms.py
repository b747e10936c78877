"""Forms for sign-up and the learner profile."""

from django import forms
from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import CERTIFICATE_NAME_MAX_LENGTH, User
from .services import user_set_certificate_name
from .validation import clean_certificate_name


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form (allauth calls `signup`)."""

    certificate_name = forms.CharField(
        label=_("Full name"),
        max_length=CERTIFICATE_NAME_MAX_LENGTH * 2,
        help_text=_("As it should appear on your certificates. You can change it later."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def clean_certificate_name(self) -> str:
        return clean_certificate_name(self.cleaned_data["certificate_name"])

    def signup(self, request, user: User) -> None:
        user_set_certificate_name(user=user, certificate_name=self.cleaned_data["certificate_name"])


def _certificate_name_help() -> str:
    return _("Printed on every certificate you earn from now on. At most %(limit)s characters.") % {
        "limit": CERTIFICATE_NAME_MAX_LENGTH
    }


class ProfileForm(forms.Form):
    """The learner's own settings; the view saves through `services.user_set_certificate_name`."""

    # The field accepts more than the limit so the validator can say how long the name is
    # instead of the browser silently cutting it off.
    certificate_name = forms.CharField(
        label=_("Name on certificates"),
        max_length=CERTIFICATE_NAME_MAX_LENGTH * 2,
        required=False,
        help_text=lazy(_certificate_name_help, str)(),
        widget=forms.TextInput(attrs={"autocomplete": "name", "aria-required": "true"}),
    )

    def clean_certificate_name(self) -> str:
        return clean_certificate_name(self.cleaned_data["certificate_name"])


def language_choices() -> list[tuple[str, str]]:
    """ "Follow my browser", then every offered language in its own name (as people look for it)."""
    # Called each time the form is built, so plain gettext reads the request's language.
    return [("", gettext("Follow my browser")), *settings.LANGUAGES]


class LanguageForm(forms.Form):
    """The language preference on the profile; saved through `services.user_set_language`."""

    language = forms.ChoiceField(
        label=_("Language"),
        choices=language_choices,
        required=False,
        help_text=_("Pages and e-mails use this language, on every device you sign in on."),
    )
