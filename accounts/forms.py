"""Forms for sign-up and the learner profile."""

from django import forms

from .models import CERTIFICATE_NAME_MAX_LENGTH, User
from .services import user_set_certificate_name
from .validation import clean_certificate_name


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form (allauth calls `signup`)."""

    certificate_name = forms.CharField(
        label="Full name",
        max_length=CERTIFICATE_NAME_MAX_LENGTH * 2,
        help_text="As it should appear on your certificates. You can change it later.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def clean_certificate_name(self) -> str:
        return clean_certificate_name(self.cleaned_data["certificate_name"])

    def signup(self, request, user: User) -> None:
        user_set_certificate_name(user=user, certificate_name=self.cleaned_data["certificate_name"])


class ProfileForm(forms.Form):
    """The learner's own settings; the view saves through `services.user_set_certificate_name`."""

    # The field accepts more than the limit so the validator can say how long the name is
    # instead of the browser silently cutting it off.
    certificate_name = forms.CharField(
        label="Name on certificates",
        max_length=CERTIFICATE_NAME_MAX_LENGTH * 2,
        required=False,
        help_text=(
            "Printed on every certificate you earn from now on. "
            f"At most {CERTIFICATE_NAME_MAX_LENGTH} characters."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "name", "aria-required": "true"}),
    )

    def clean_certificate_name(self) -> str:
        return clean_certificate_name(self.cleaned_data["certificate_name"])
