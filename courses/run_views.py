"""Learners running their notebook up to a cell, without using an attempt (grading.services.runs).

Enrolment is checked here, as for Check and Submit (courses/exercise_views.py). A POST from the
page's script (``HX-Request``) gets the run's status partial back (202, or 429 when the learner
is sending too many, with the reason); a plain form POST redirects back to the page with
``?run=<id>``, which then shows the run and its outputs. A refused run stores nothing, and the
answers of a plain form come back in the editor.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from grading.services.runs import RunRefused, learner_run, notebook_run_create
from grading.uploads import max_upload_bytes
from ops.request_limits import FORM_OVERHEAD_BYTES, request_body_limit

from .exercise_panel import DRAFT_SESSION_KEY
from .exercise_views import course_and_exercise, exercise_url, login_then, posted_answers
from .selectors import active_enrolment

STATUS_TEMPLATE = "grading/includes/run_status.html"


def _from_script(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _page_url(request, course, exercise, *, run_id: int | None = None) -> str:
    """Where a plain form goes back to: the page it came from (``next``), with ``?run=<id>``."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = exercise_url(course, exercise)
    path = urlsplit(target).path
    anchor = f"#exercise-{exercise.pk}-run-status" if run_id else f"#exercise-{exercise.pk}"
    return f"{path}?{urlencode({'run': run_id})}{anchor}" if run_id else f"{path}{anchor}"


def _status(request, exercise, *, run=None, refusal: str = "", status: int = 200) -> HttpResponse:
    context = {"exercise": exercise, "run": run, "refusal": refusal, "oob": True}
    return render(request, STATUS_TEMPLATE, context, status=status)


def _run_too_large(request, declared_bytes: int) -> HttpResponse:
    """Refused on Content-Length alone, before the body is read."""
    from .exercise_views import submission_too_large

    if not _from_script(request):
        return submission_too_large(request, declared_bytes)
    message = _(
        "Your answers come to %(size).1f MB; at most %(limit).1f MB can be sent at once."
    ) % {
        "size": declared_bytes / 2**20,
        "limit": max_upload_bytes() / 2**20,
    }
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")


@request_body_limit(
    max_bytes=lambda: max_upload_bytes() + FORM_OVERHEAD_BYTES, refuse=_run_too_large
)
@require_POST
def exercise_run(request, course_id: int, exercise_id: int):
    course, exercise = course_and_exercise(course_id, exercise_id)
    script = _from_script(request)
    if not request.user.is_authenticated:
        if script:
            return _status(request, exercise, refusal=_("Log in to run your notebook."), status=403)
        return login_then(exercise_url(course, exercise))
    if active_enrolment(learner=request.user, course=course) is None:
        refusal = _("Enrol in this course to run its exercises.")
        if script:
            return _status(request, exercise, refusal=refusal, status=403)
        messages.info(request, refusal)
        return redirect(course.url)
    answers = posted_answers(request)
    try:
        run = notebook_run_create(
            learner=request.user,
            exercise=exercise,
            course_page=course,
            answers=answers,
            up_to=request.POST.get("up_to"),
        )
    except RunRefused as refusal:
        if script:
            return _status(
                request, exercise, refusal=str(refusal), status=429 if refusal.too_many else 400
            )
        if answers:
            request.session[DRAFT_SESSION_KEY.format(exercise_id=exercise.pk)] = answers
        messages.error(request, str(refusal))
        return redirect(_page_url(request, course, exercise))
    if script:
        return _status(request, exercise, run=run, status=202)
    return redirect(_page_url(request, course, exercise, run_id=run.pk))


@require_GET
@login_required
def exercise_run_status(request, run_id: int):
    """The status partial htmx polls every second while the run is queued or running."""
    run = learner_run(learner=request.user, run_id=run_id)
    if run is None:
        raise Http404(_("No such run."))
    return _status(request, run.exercise, run=run)
