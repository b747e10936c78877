"""The grading queue in the Wagtail admin: submissions whose manually graded cells wait for an
instructor, per exercise (and per cohort), oldest first; one submission's cells graded one by one
against the exercise's rubric, with written feedback.

Who may grade: users with ``grading.change_submission`` (instructors), and only submissions made in
courses whose pages they can edit (``submissions_visible_to``, as the submissions admin). Another
course's submission answers 404. Filters by learner group come from the layers above through the
``grading_review_filters`` hook (courses registers the cohort filter): grading never imports them.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet

from exercises.models import Exercise

from .admin_submissions import CHANGE
from .models import ManualStatus, Submission
from .reviews import review_queue, review_queue_exercises, submission_review_cells
from .selectors import submissions_visible_to
from .services import SubmissionRefused, manual_grade_set
from .services.manual import FEEDBACK_CHARS

#: Submissions listed on one page of an exercise's queue.
QUEUE_PAGE = 50


def _grader(request: HttpRequest) -> None:
    if not request.user.has_perm(CHANGE):
        raise PermissionDenied


def _filters() -> list[Any]:
    """Filters the layers above add to the queue (``grading_review_filters`` hook).

    Each has ``param`` (the query parameter), ``label``, ``choices(user=, exercise_id=)`` → [(value,
    label)] and ``lookups(user=, value=)`` → Submission filter keyword arguments, or None when the
    value is not one the user may choose.
    """
    return [make() for make in hooks.get_hooks("grading_review_filters")]


def _filtered(request: HttpRequest, submissions, *, exercise_id: int | None):
    """The queue narrowed by the request's filters, and the filters' state for the template."""
    shown = []
    for review_filter in _filters():
        value = request.GET.get(review_filter.param, "")
        if value:
            lookups = review_filter.lookups(user=request.user, value=value)
            if lookups is None:
                raise Http404
            submissions = submissions.filter(**lookups)
        choices = review_filter.choices(user=request.user, exercise_id=exercise_id)
        if choices or value:  # a filter with nothing to choose is not shown
            shown.append(
                {
                    "param": review_filter.param,
                    "label": review_filter.label,
                    "value": value,
                    "choices": choices,
                }
            )
    return submissions, shown


def _filter_query(request: HttpRequest) -> str:
    params = {f.param: request.GET[f.param] for f in _filters() if request.GET.get(f.param)}
    return f"?{urlencode(params)}" if params else ""


def queue_index(request: HttpRequest) -> HttpResponse:
    _grader(request)
    return TemplateResponse(
        request,
        "grading/admin/review_index.html",
        {
            "exercises": review_queue_exercises(user=request.user),
            "header_title": _("Grading queue"),
        },
    )


def queue_exercise(request: HttpRequest, exercise_id: int) -> HttpResponse:
    _grader(request)
    exercise = get_object_or_404(Exercise, pk=exercise_id)
    waiting, filters = _filtered(
        request, review_queue(user=request.user, exercise_id=exercise.pk), exercise_id=exercise.pk
    )
    total = waiting.count()
    return TemplateResponse(
        request,
        "grading/admin/review_queue.html",
        {
            "exercise": exercise,
            "submissions": list(waiting[:QUEUE_PAGE]),
            "total": total,
            "more": max(total - QUEUE_PAGE, 0),
            "filters": filters,
            "query": _filter_query(request),
            "header_title": _("Grading queue: %(exercise)s") % {"exercise": exercise},
        },
    )


def queue_next(request: HttpRequest, exercise_id: int) -> HttpResponse:
    """The oldest submission of the exercise still waiting (after ``after``), or back to the queue."""
    _grader(request)
    waiting, _shown = _filtered(
        request, review_queue(user=request.user, exercise_id=exercise_id), exercise_id=exercise_id
    )
    after = request.GET.get("after", "")
    if after.isdigit():
        waiting = waiting.exclude(pk=int(after))
    following = waiting.first()
    query = _filter_query(request)
    if following is None:
        messages.success(request, _("Nothing else is waiting for review here."))
        return redirect(reverse("review:exercise", args=[exercise_id]) + query)
    return redirect(reverse("review:submission", args=[following.pk]) + query)


class CellGradeForm(forms.Form):
    points = forms.CharField(
        label=gettext_lazy("Points"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=gettext_lazy("A number such as 1, 0.5 or 1/3. Empty: the rubric levels' sum."),
    )
    feedback = forms.CharField(
        label=gettext_lazy("Feedback to the learner"),
        required=False,
        max_length=FEEDBACK_CHARS,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


def _reviewable(request: HttpRequest, pk: int) -> Submission:
    _grader(request)
    return get_object_or_404(submissions_visible_to(user=request.user), pk=pk)


def review_submission(request: HttpRequest, pk: int) -> HttpResponse:
    submission = _reviewable(request, pk)
    cells = submission_review_cells(submission=submission)
    if not cells:
        raise Http404(_("This submission has no manually graded cells."))
    query = _filter_query(request)
    drafts = request.session.pop(f"review-draft-{submission.pk}", {})
    return TemplateResponse(
        request,
        "grading/admin/review_submission.html",
        {
            "submission": submission,
            "cells": cells,
            "drafts": drafts,
            "graded": sum(1 for cell in cells if cell.grade is not None),
            "query": query,
            "next_url": reverse("review:next", args=[submission.exercise_id])
            + (query + "&" if query else "?")
            + urlencode({"after": submission.pk}),
            "queue_url": reverse("review:exercise", args=[submission.exercise_id]) + query,
            "header_title": _("Grade %(exercise)s by %(learner)s")
            % {
                "learner": submission.learner.get_full_name() or submission.learner.email,
                "exercise": submission.exercise,
            },
            "feedback_chars": FEEDBACK_CHARS,
        },
    )


@require_POST
def grade_cell(request: HttpRequest, pk: int, grade_id: str) -> HttpResponse:
    submission = _reviewable(request, pk)
    form = CellGradeForm(request.POST)
    back = reverse("review:submission", args=[submission.pk]) + _filter_query(request)
    anchor = f"#cell-{grade_id}"
    if not form.is_valid():
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
        messages.error(request, error)
        _keep_draft(request, submission, grade_id, error)
        return redirect(back + anchor)
    levels: list[int | None] = []
    for key in sorted(
        (k for k in request.POST if k.startswith("level-")), key=lambda k: int(k[6:] or 0)
    ):
        raw = request.POST.get(key, "")
        if not key[6:].isdigit():
            continue
        index = int(key[6:])
        levels.extend([None] * (index - len(levels) + 1))
        levels[index] = int(raw) if raw.isdigit() else None
    was_pending = submission.manual_status == ManualStatus.PENDING
    try:
        manual_grade_set(
            submission=submission,
            grade_id=grade_id,
            points=form.cleaned_data["points"],
            feedback=form.cleaned_data["feedback"],
            levels=levels,
            by=request.user,
        )
    except SubmissionRefused as refusal:
        messages.error(request, str(refusal))
        _keep_draft(request, submission, grade_id, str(refusal))
        return redirect(back + anchor)
    submission.refresh_from_db(fields=["manual_status", "score"])
    if was_pending and submission.manual_status == ManualStatus.GRADED:
        messages.success(
            request,
            _("Every cell is graded: the learner now sees the final score and your feedback."),
        )
        return redirect(back)  # the top: the message and "Next ungraded submission"
    messages.success(request, _("Saved the grade for “%(id)s”.") % {"id": grade_id})
    return redirect(back + anchor)


def _keep_draft(request: HttpRequest, submission: Submission, grade_id: str, error: str) -> None:
    """A refused grade's points and feedback come back in the form, with the reason beside it:
    nothing typed is lost."""
    request.session[f"review-draft-{submission.pk}"] = {
        grade_id: {
            "points": request.POST.get("points", "")[:40],
            "feedback": request.POST.get("feedback", "")[: FEEDBACK_CHARS * 2],
            "error": error,
        }
    }


class ReviewViewSet(ViewSet):
    name = "review"
    icon = "edit"
    menu_label = gettext_lazy("Grading queue")
    menu_order = 255
    add_to_admin_menu = True
    url_prefix = "grading-queue"

    def get_urlpatterns(self):
        return [
            path("", queue_index, name="index"),
            path("exercise/<int:exercise_id>/", queue_exercise, name="exercise"),
            path("exercise/<int:exercise_id>/next/", queue_next, name="next"),
            path("submission/<int:pk>/", review_submission, name="submission"),
            path("submission/<int:pk>/cell/<str:grade_id>/", grade_cell, name="grade"),
        ]

    @property
    def menu_item_class(self):
        return GraderMenuItem


class GraderMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(CHANGE)


review_viewset = ReviewViewSet()
