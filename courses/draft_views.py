"""The learner's exercise drafts over HTTP: the JSON endpoint the editor autosaves to, and the
plain form POST ("Save draft", "Reset this cell") that works without JavaScript.

JSON answers carry a clear message in "message" for every refusal: 400 unreadable, 401 logged
out, 403 not enrolled, 404 no such exercise, 409 a newer draft (with it, under "draft"), 413
too large, 429 too many saves. The services are in courses.drafts.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from exercises.models import Exercise
from grading.uploads import answers_too_large, max_upload_bytes
from ops.request_limits import FORM_OVERHEAD_BYTES, request_body_limit

from .drafts import (
    DraftConflict,
    DraftRefused,
    DraftState,
    DraftTooLarge,
    clock_time,
    draft_reset_cell,
    draft_save,
    draft_save_allowed,
    learner_draft,
)
from .exercise_panel import DRAFT_SESSION_KEY
from .exercise_views import (
    back_to_exercise,
    course_and_exercise,
    exercise_url,
    login_then,
    posted_answers,
    submission_too_large,
)
from .models import CoursePage
from .selectors import active_enrolment
from .services import NotEnrolledError


def _draft_body_limit() -> int:
    return max_upload_bytes() + FORM_OVERHEAD_BYTES


def _refusal(message: str, status: int, **extra) -> JsonResponse:
    return JsonResponse({"message": message, **extra}, status=status)


def _json_too_large(request, declared_bytes: int) -> HttpResponse:
    return _refusal(answers_too_large(declared_bytes), 413)


def _too_many() -> JsonResponse:
    response = _refusal(_("Too many saves in a minute; your draft will be saved shortly."), 429)
    response["Retry-After"] = "60"
    return response


def _read_save(request) -> tuple[object, int]:
    """The posted {"version": n, "answers": {grade_id: text}}; ValueError when unreadable."""
    try:
        payload = json.loads(request.body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError from None
    if not isinstance(payload, dict):
        raise ValueError
    version = payload.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise ValueError
    return payload.get("answers"), version


@never_cache
@request_body_limit(max_bytes=_draft_body_limit, refuse=_json_too_large)
@require_http_methods(["GET", "POST"])
def exercise_draft(request, course_id: int, exercise_id: int):
    """GET the learner's draft; POST a save against the version it was typed on."""
    try:
        course, exercise = course_and_exercise(course_id, exercise_id)
    except Http404:
        return _refusal(_("This course has no such exercise."), 404)
    if not request.user.is_authenticated:
        return _refusal(_("You are logged out. Log in again to keep saving your draft."), 401)
    if request.method == "GET":
        if active_enrolment(learner=request.user, course=course) is None:
            return _refusal(_("Enrol in this course to save drafts of its exercises."), 403)
        draft = learner_draft(learner=request.user, course_id=course.pk, exercise=exercise)
        return JsonResponse(DraftState.of(draft).as_json())
    try:
        answers, version = _read_save(request)
    except RequestDataTooBig:
        return _json_too_large(request, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return _refusal(
            _(
                'Your draft could not be read: send JSON like {"version": 3, "answers": '
                '{"cell-id": "text"}}.'
            ),
            400,
        )
    if not draft_save_allowed(learner_id=request.user.pk):
        return _too_many()
    return _save_json(request, course=course, exercise=exercise, answers=answers, version=version)


def _save_json(request, *, course: CoursePage, exercise: Exercise, answers, version: int):
    try:
        state = draft_save(
            learner=request.user,
            course=course,
            exercise=exercise,
            answers=answers,
            base_version=version,
        )
    except NotEnrolledError as refusal:
        return _refusal(str(refusal), 403)
    except DraftTooLarge as refusal:
        return _refusal(str(refusal), 413)
    except DraftRefused as refusal:
        return _refusal(str(refusal), 400)
    except DraftConflict as conflict:
        return _refusal(str(conflict), 409, draft=conflict.current.as_json())
    return JsonResponse(state.as_json())


def posted_draft_version(request) -> int:
    try:
        return max(0, int(request.POST.get("draft_version", "0")))
    except ValueError:
        return 0


def stash_unsaved(request, *, exercise: Exercise, answers: dict[str, str], reason: str) -> None:
    """Answers the server could not save wait in the session for the next page, with why."""
    request.session[DRAFT_SESSION_KEY.format(exercise_id=exercise.pk)] = answers
    messages.warning(
        request,
        _(
            "%(reason)s The answers below are yours from this page and are not saved yet: "
            "press Save draft to keep them (they replace the newer draft), or reload the page "
            "to see the newer draft."
        )
        % {"reason": reason},
    )


def keep_refused_answers(
    request, *, course: CoursePage, exercise: Exercise, answers: dict[str, str]
) -> None:
    """Answers of a Check or Submit that was refused stay: saved as the draft when the draft is
    still the one this page started from, otherwise kept in the session for the next page."""
    if not answers:
        return
    try:
        draft_save(
            learner=request.user,
            course=course,
            exercise=exercise,
            answers=answers,
            base_version=posted_draft_version(request),
        )
    except (DraftConflict, DraftRefused, NotEnrolledError) as refusal:
        stash_unsaved(request, exercise=exercise, answers=answers, reason=str(refusal))


@request_body_limit(max_bytes=_draft_body_limit, refuse=submission_too_large)
@require_POST
def exercise_draft_form(request, course_id: int, exercise_id: int):
    """The editor form's "Save draft" and "Reset this cell" buttons without JavaScript."""
    course, exercise = course_and_exercise(course_id, exercise_id)
    if not request.user.is_authenticated:
        return login_then(exercise_url(course, exercise))
    answers = posted_answers(request)
    reset = request.POST.get("reset_cell", "")
    if not draft_save_allowed(learner_id=request.user.pk):
        stash_unsaved(
            request,
            exercise=exercise,
            answers=answers,
            reason=_("Too many saves in a minute."),
        )
        return back_to_exercise(request, course, exercise)
    try:
        if reset:
            state = draft_reset_cell(
                learner=request.user,
                course=course,
                exercise=exercise,
                answers=answers,
                base_version=posted_draft_version(request),
                grade_id=reset,
            )
        else:
            state = draft_save(
                learner=request.user,
                course=course,
                exercise=exercise,
                answers=answers,
                base_version=posted_draft_version(request),
            )
    except NotEnrolledError:
        messages.info(request, _("Enrol in this course to save drafts of its exercises."))
        return redirect(course.url)
    except (DraftConflict, DraftRefused) as refusal:
        stash_unsaved(request, exercise=exercise, answers=answers, reason=str(refusal))
        return back_to_exercise(request, course, exercise)
    if reset:
        messages.success(
            request,
            _(
                "The cell “%(cell)s” is back to the exercise's original; your other answers are "
                "saved as they were. Draft saved at %(time)s."
            )
            % {"cell": reset, "time": clock_time(state.updated_at)},
        )
    else:
        messages.success(
            request, _("Draft saved at %(time)s.") % {"time": clock_time(state.updated_at)}
        )
    return back_to_exercise(request, course, exercise)
