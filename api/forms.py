"""Forms for making tokens: a person's own (account settings) and a service token (admin)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models import CoursePage, originals

from .models import Scope
from .tokens import PERSONAL_LIFETIMES, SERVICE_MAX_DAYS

READ_SCOPES = [
    Scope.COURSES_READ,
    Scope.PROGRESS_READ,
    Scope.SUBMISSIONS_READ,
    Scope.CERTIFICATES_READ,
]


def _lifetime_choices():
    return [(str(days), _("%(days)s days") % {"days": days}) for days in PERSONAL_LIFETIMES]


class PersonalTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What you will use it for, e.g. “Gradebook sync script”."),
    )
    lifetime = forms.TypedChoiceField(
        label=_("Expires after"),
        choices=_lifetime_choices,
        coerce=int,
        initial="90",
    )
    scopes = forms.MultipleChoiceField(
        label=_("What it may do"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=READ_SCOPES,
        help_text=_(
            "A token never reaches more than you do: a learner's token reads only their own "
            "records, an instructor's also those of the courses they teach."
        ),
    )

    def expires_at(self):
        return timezone.now() + timedelta(days=self.cleaned_data["lifetime"])


class ServiceTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("The system that will use it, e.g. “HR sync”.")
    )
    user = forms.ModelChoiceField(
        label=_("Service user"),
        queryset=get_user_model().objects.none(),
        required=False,
        help_text=_(
            "The token acts as this account and reaches what it reaches. Leave empty to act "
            "for the courses below alone, as their instructors do."
        ),
    )
    courses = forms.ModelMultipleChoiceField(
        label=_("Courses"),
        queryset=CoursePage.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("With a service user: only these of its courses. Without: these courses."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("At most two years from today."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (  # type: ignore[attr-defined]
            get_user_model().objects.filter(is_active=True).order_by("email")
        )
        self.fields["courses"].queryset = originals(CoursePage.objects.all()).order_by("title")  # type: ignore[attr-defined]
        self.fields["expires_on"].initial = (timezone.now() + timedelta(days=365)).date()
        self.fields["user"].label_from_instance = lambda user: f"{user.display_name} <{user.email}>"  # type: ignore[attr-defined]

    def clean(self):
        data = super().clean() or {}
        if not data.get("user") and not data.get("courses"):
            raise forms.ValidationError(
                _("Choose a service user, or the courses the token is for.")
            )
        return data

    def expires_at(self):
        day = self.cleaned_data["expires_on"]
        moment = timezone.make_aware(datetime.combine(day, time.min))
        return min(moment, timezone.now() + timedelta(days=SERVICE_MAX_DAYS - 1))
