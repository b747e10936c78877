"""Forms for sign-up and the learner profile."""

from django import forms

from .models import CERTIFICATE_NAME_MAX_LENGTH, User
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
        user.certificate_name = self.cleaned_data["certificate_name"]
        user.save(update_fields=["certificate_name"])


class ProfileForm(forms.ModelForm):
    certificate_name = forms.CharField(
        label="Name on certificates",
        max_length=CERTIFICATE_NAME_MAX_LENGTH * 2,
        help_text=f"Printed on every certificate you earn from now on. At most {CERTIFICATE_NAME_MAX_LENGTH} characters.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    class Meta:
        model = User
        fields = ["certificate_name"]

    def clean_certificate_name(self) -> str:
        return clean_certificate_name(self.cleaned_data["certificate_name"])
