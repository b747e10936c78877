"""Extensions in the Wagtail admin: an instructor gives one learner a later due date for one
exercise of their course, changes it or takes it back (grading.late does the work).

Reached from the gradebook (``/admin/gradebook/<course>/extensions/``). What a member of staff
reaches is their scope (courses.cohorts.staff_scope): a cohort's instructor grants extensions
only to their cohorts' learners; any other course answers 404, any other learner a form error.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.widgets import AdminDateTimeInput

from grading.late import ExtensionRefused, extensions_of_course
from grading.models import Extension, ExtensionChange

from .admin_views import CourseMixin, _course_breadcrumbs
from .cohorts import StaffScope, learner_due_dates
from .extensions import course_extension_set
from .gradebook import course_exercises
from .models import Enrolment

#: How many recent changes the page lists (the full audit stays in the database).
HISTORY_SHOWN = 50


class ExtensionForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Learner's e-mail"),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    exercise = forms.TypedChoiceField(label=gettext_lazy("Exercise"), coerce=int)
    due_at = forms.DateTimeField(label=gettext_lazy("New due date"), widget=AdminDateTimeInput())
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("The learner reads it beside their score."),
    )

    def __init__(self, *args, scope: StaffScope, exercises: list[Any], **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.exercises = {row.exercise.pk: row.exercise for row in exercises}
        self.fields["exercise"].choices = [  # type: ignore[attr-defined]
            (row.exercise.pk, row.exercise.title) for row in exercises
        ]

    def clean_email(self) -> Enrolment:
        email = self.cleaned_data["email"].strip()
        enrolment = (
            self.scope.enrolments()
            .select_related("learner", "cohort")
            .filter(learner__email__iexact=email)
            .first()
        )
        if enrolment is None:
            raise ValidationError(
                _(
                    "Nobody with that e-mail is enrolled in this course among the learners you teach."
                )
            )
        return enrolment

    def clean_exercise(self):
        exercise = self.exercises.get(self.cleaned_data["exercise"])
        if exercise is None:
            raise ValidationError(_("That exercise is not one of the course's exercises."))
        return exercise


def _visible_extensions(scope: StaffScope) -> QuerySet[Extension]:
    learners = scope.enrolments().values("learner_id")
    return extensions_of_course(course_page_id=scope.course.pk).filter(learner_id__in=learners)


class ExtensionListView(CourseMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "courses/admin/extensions.html"
    header_icon = "date"

    def get_page_title(self):
        return _("Extensions: %(course)s") % {"course": self.course.title}

    def get_breadcrumbs_items(self):
        return _course_breadcrumbs(self, self.get_page_title())

    def form(self, data=None) -> ExtensionForm:
        return ExtensionForm(data, scope=self.scope, exercises=course_exercises(course=self.course))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        learners = self.scope.enrolments().values("learner_id")
        context.update(
            {
                "course": self.course,
                "form": kwargs.get("form") or self.form(),
                "extensions": list(_visible_extensions(self.scope)),
                "history": list(
                    ExtensionChange.objects.filter(
                        course_page_id=self.course.pk, learner_id__in=learners
                    ).select_related("learner", "exercise", "by")[:HISTORY_SHOWN]
                ),
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        enrolment: Enrolment = form.cleaned_data["email"]
        exercise = form.cleaned_data["exercise"]
        due_at = form.cleaned_data["due_at"]
        try:
            change = course_extension_set(
                enrolment=enrolment,
                exercise=exercise,
                due_at=due_at,
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ExtensionRefused as refused:
            form.add_error("reason", str(refused))
            return self.render_to_response(self.get_context_data(form=form), status=400)
        if change is None:
            messages.info(request, _("That extension was already in place; nothing changed."))
        else:
            messages.success(request, _extension_message(change))
        return HttpResponseRedirect(reverse("gradebook:extensions", args=[self.course.pk]))


class ExtensionRevokeView(CourseMixin, WagtailAdminTemplateMixin, TemplateView):
    """Confirm (GET), then take the extension back (POST): the learner's date falls back."""

    template_name = "courses/admin/extension_revoke.html"
    header_icon = "date"

    def get_page_title(self):
        return _("Revoke an extension: %(course)s") % {"course": self.course.title}

    def get_breadcrumbs_items(self):
        return _course_breadcrumbs(self, self.get_page_title())

    def extension(self) -> Extension:
        extension = get_object_or_404(
            _visible_extensions(self.scope), pk=self.kwargs["extension_id"]
        )
        return extension

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        extension = self.extension()
        enrolment = self.scope.enrolments().filter(learner=extension.learner).first()
        if enrolment is None:
            raise Http404
        dates = learner_due_dates(learner=extension.learner, course_id=self.course.pk)
        context.update(
            {
                "course": self.course,
                "extension": extension,
                "fallback_due": dates.due_at(extension.exercise),
                "error": kwargs.get("error", ""),
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        extension = self.extension()
        enrolment = self.scope.enrolments().filter(learner=extension.learner).first()
        if enrolment is None:
            raise Http404
        reason = (request.POST.get("reason") or "").strip()[:1000]
        try:
            change = course_extension_set(
                enrolment=enrolment,
                exercise=extension.exercise,
                due_at=None,
                reason=reason,
                by=request.user,
            )
        except ExtensionRefused as refused:
            return self.render_to_response(self.get_context_data(error=str(refused)), status=400)
        if change is not None:
            messages.success(request, _extension_message(change))
        return HttpResponseRedirect(reverse("gradebook:extensions", args=[self.course.pk]))


def _extension_message(change: ExtensionChange) -> str:
    who = change.learner.email
    if change.action == "revoked":
        text = _("%(who)s's extension on %(exercise)s is revoked.")
    elif change.action == "changed":
        text = _("%(who)s's extension on %(exercise)s is changed.")
    else:
        text = _("%(who)s has an extension on %(exercise)s.")
    text = text % {"who": who, "exercise": change.exercise.title}
    if change.penalties_changed:
        text += " " + ngettext(
            "The late penalty of %(n)s submission was recomputed.",
            "The late penalties of %(n)s submissions were recomputed.",
            change.penalties_changed,
        ) % {"n": change.penalties_changed}
    return text
