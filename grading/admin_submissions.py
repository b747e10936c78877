"""Submissions in the Wagtail admin: a read-only list and inspect view, overrides, regrades.

Instructors see only submissions made in courses whose pages they may edit (Wagtail's page
permissions; grading never imports courses), superusers see all. Overriding and regrading
need `grading.change_submission`; nobody adds, edits or deletes submissions here.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from wagtail.admin.ui.tables import Column, StatusTagColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from exercises.format import NotebookRejected, SourceInvalid, load_notebook_bytes, parse_source
from exercises.format.autotest import apply_autotests
from exercises.models import Exercise
from exercises.points import PointsFormField
from grading.engine.assemble import assemble

from .models import RegradeBatch, Submission, SubmissionKind
from .selectors import submission_result, submissions_visible_to
from .services import SubmissionRefused, exercise_regrade, grade_override, submission_regrade
from .services.grade_run import autotests_of
from .templatetags.grading_tags import points

CHANGE = "grading.change_submission"


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """Viewing follows the model permissions; adding, editing and deleting are for nobody."""

    def user_has_permission(self, user, action):
        if action in ("add", "change", "delete", "copy"):
            return False
        return user.has_perm("grading.view_submission") or user.has_perm(CHANGE)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class OverrideForm(forms.Form):
    new_score = PointsFormField(
        label=_l("New score"), min_value=0, help_text=_l("A number such as 2, 0.5 or 1/3.")
    )
    reason = forms.CharField(
        label=_l("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_l("Kept on the audit trail with your name and the time."),
    )


class SubmissionIndexView(generic.IndexView):
    def get_base_queryset(self):
        return submissions_visible_to(user=self.request.user)


def _assembled_steps(submission: Submission) -> list[dict]:
    """The notebook as the grader ran it: the instructor's cells with this learner's answers."""
    try:
        with submission.revision.source.open("rb") as fh:
            data = fh.read()
        source = parse_source(load_notebook_bytes(data, max_bytes=len(data) + 1))
        source = apply_autotests(source, autotests_of(submission.revision))
        with submission.notebook.open("rb") as fh:
            learner = fh.read()
        notebook = load_notebook_bytes(learner, max_bytes=len(learner) + 1)
    except (OSError, NotebookRejected, SourceInvalid):
        return []
    return [
        {
            "number": step.cell.index + 1,
            "grade_id": step.cell.grade_id,
            "kind": step.cell.kind.value,
            "code": step.code,
            "from_learner": step.from_learner,
        }
        for step in assemble(source, notebook, mode=submission.kind).steps
    ]


class SubmissionInspectView(generic.InspectView):
    template_name = "grading/admin/submission_inspect.html"

    def get_object(self, queryset=None):
        return get_object_or_404(submissions_visible_to(user=self.request.user), pk=self.pk)

    def get_edit_url(self):
        return None

    def get_delete_url(self):
        return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        submission = self.object
        context.update(
            {
                "submission": submission,
                "result": submission_result(submission=submission),
                "steps": _assembled_steps(submission),
                "overrides": submission.overrides.select_related("by"),
                "regrades": submission.regrade_changes.select_related("batch", "old_revision"),
                "can_change": self.request.user.has_perm(CHANGE)
                and submission.kind == SubmissionKind.SUBMIT,
                "override_form": OverrideForm(initial={"new_score": submission.counted_score}),
                "report": submission.report or {},
            }
        )
        return context


# Submissions are never added, edited or deleted in the admin: only read, overridden and regraded.
register_permission_policy(Submission, ReadOnlyPermissionPolicy(Submission))


class SubmissionViewSet(ModelViewSet):
    model = Submission
    icon = "tasks"
    menu_label = _l("Submissions")
    menu_order = 260
    add_to_admin_menu = True
    inspect_view_enabled = True
    copy_view_enabled = False
    index_view_class = SubmissionIndexView
    inspect_view_class = SubmissionInspectView
    list_filter = ["status", "kind", "exercise", "needs_review", "manual_status"]
    search_fields = ["learner__email", "learner__username", "exercise__title"]
    ordering = ["-created_at"]
    list_display = [
        Column("learner", label=_l("Learner"), accessor="learner"),
        Column("exercise", label=_l("Exercise"), accessor="exercise"),
        Column("attempt", label=_l("Attempt"), accessor="attempt"),
        StatusTagColumn(
            "status",
            label=_l("Status"),
            accessor="get_status_display",
            primary=lambda s: s.status == "graded",
        ),
        Column("counted_score", label=_l("Score"), accessor=lambda s: points(s.counted_score)),
        Column("max_score", label=_l("Out of"), accessor=lambda s: points(s.max_score)),
        Column("needs_review", label=_l("Needs review"), accessor="needs_review"),
        "created_at",
    ]
    form_fields: list[str] = []

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("override/<int:pk>/", submission_override_view, name="override"),
            path("regrade/<int:pk>/", submission_regrade_view, name="regrade"),
            path(
                "regrade-exercise/<int:exercise_pk>/",
                exercise_regrade_view,
                name="regrade_exercise",
            ),
            path("regrades/<int:pk>/", regrade_batch_view, name="regrade_batch"),
        ]


def _changeable(request, pk: int) -> Submission:
    if not request.user.has_perm(CHANGE):
        raise PermissionDenied
    return get_object_or_404(submissions_visible_to(user=request.user), pk=pk)


@require_POST
def submission_override_view(request, pk: int):
    submission = _changeable(request, pk)
    form = OverrideForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(
                request, f"{form.fields[field].label}: {' '.join(str(error) for error in errors)}"
            )
        return redirect("submissions:inspect", submission.pk)
    try:
        grade_override(
            submission=submission,
            new_score=form.cleaned_data["new_score"],
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
    except SubmissionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            _("Score set to %(score)s; the change is on the audit trail.")
            % {"score": points(form.cleaned_data["new_score"])},
        )
    return redirect("submissions:inspect", submission.pk)


@require_POST
def submission_regrade_view(request, pk: int):
    submission = _changeable(request, pk)
    try:
        batch = submission_regrade(submission=submission, by=request.user)
    except SubmissionRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("submissions:inspect", submission.pk)
    messages.success(request, _("Regrade queued."))
    return redirect("submissions:regrade_batch", batch.pk)


def _instructor_course_ids(user) -> list[int] | None:
    if user.is_superuser:
        return None
    return list(
        submissions_visible_to(user=user).values_list("course_page_id", flat=True).distinct()
    )


@require_POST
def exercise_regrade_view(request, exercise_pk: int):
    if not request.user.has_perm(CHANGE):
        raise PermissionDenied
    exercise = get_object_or_404(Exercise, pk=exercise_pk)
    try:
        batch = exercise_regrade(
            exercise=exercise, by=request.user, course_page_ids=_instructor_course_ids(request.user)
        )
    except SubmissionRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("exercises:inspect", exercise.pk)
    messages.success(
        request,
        ngettext(
            "Regrading %(n)s submission in the background.",
            "Regrading %(n)s submissions in the background.",
            batch.total,
        )
        % {"n": batch.total},
    )
    return redirect("submissions:regrade_batch", batch.pk)


def regrade_batch_view(request, pk: int):
    if not (request.user.has_perm(CHANGE) or request.user.has_perm("grading.view_submission")):
        raise PermissionDenied
    batch = get_object_or_404(
        RegradeBatch.objects.select_related("exercise", "revision", "requested_by"), pk=pk
    )
    visible = submissions_visible_to(user=request.user)
    changes = list(
        batch.changes.filter(submission__in=visible).select_related(
            "submission__learner", "old_revision"
        )
    )
    if not changes and not request.user.is_superuser:
        raise Http404
    return TemplateResponse(
        request,
        "grading/admin/regrade_batch.html",
        {
            "batch": batch,
            "changes": changes,
            "changed": [c for c in changes if c.changed],
            "header_title": _("Regrade of %(exercise)s") % {"exercise": batch.exercise},
            "index_url": reverse("submissions:index"),
        },
    )


submission_viewset = SubmissionViewSet("submissions")
