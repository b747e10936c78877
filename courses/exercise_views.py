"""Learners at work on notebook exercises: the exercise page, the release download, Check and
Submit, and the live status of their submissions.

These views live in courses because they check enrolment; grading does the rest. Every POST
redirects back (post/redirect/get), so everything works without JavaScript; htmx only polls the
status partial. A refused request shows its reason and stores nothing.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField
from django.db.models.functions import Cast
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from wagtail.models import ReferenceIndex

from exercises.files import release_archive
from exercises.models import Exercise
from grading.models import SubmissionKind
from grading.selectors import learner_submission, submission_result
from grading.services import SubmissionRefused
from grading.uploads import answers_too_large, max_upload_bytes, upload_too_large
from ops.request_limits import FORM_OVERHEAD_BYTES, request_body_limit

from .drafts import draft_sync_submitted
from .exercise_panel import exercise_panel_for_request
from .models import CourseExercise, CoursePage, LessonPage, originals
from .selectors import active_enrolment, learner_can_edit_course
from .services import NotEnrolledError, course_exercise_submit


def course_uses_exercise(*, course: CoursePage, exercise: Exercise) -> bool:
    """An exercise belongs to a course when its pass rules count it or a live lesson embeds it.

    At most two queries, however many lessons the course has: the course's exercise rows, then
    Wagtail's reference index (which records each chooser block's exercise under its lesson page,
    see receivers.index_lesson_references) joined to the course's live lessons. The content types
    come from Django's per-process cache.
    """
    if CourseExercise.objects.filter(course=course, exercise=exercise).exists():
        return True
    embedding = (
        ReferenceIndex.get_references_to(exercise)
        .filter(content_type=ContentType.objects.get_for_model(LessonPage))
        .values("object_id")
    )
    return (
        LessonPage.objects.live()
        .descendant_of(course)
        .annotate(reference_id=Cast("pk", output_field=CharField()))
        .filter(reference_id__in=embedding)
        .exists()
    )


def posted_answers(request) -> dict[str, str]:
    """The answer cells of the editor form, by grade_id."""
    return {
        k.removeprefix("answer-"): v for k, v in request.POST.items() if k.startswith("answer-")
    }


def course_and_exercise(course_id: int, exercise_id: int) -> tuple[CoursePage, Exercise]:
    course = get_object_or_404(originals(CoursePage.objects.live()), pk=course_id)
    exercise = get_object_or_404(
        Exercise.objects.select_related("current_revision"), pk=exercise_id
    )
    if not course_uses_exercise(course=course, exercise=exercise):
        raise Http404(_("This course has no such exercise."))
    return course, exercise


def login_then(url: str) -> HttpResponseRedirect:
    return redirect(f"{reverse('account_login')}?{urlencode({'next': url})}")


def exercise_url(course: CoursePage, exercise: Exercise) -> str:
    return reverse("exercise_page", args=[course.pk, exercise.pk])


def back_to_exercise(request, course: CoursePage, exercise: Exercise) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = exercise_url(course, exercise)
    return redirect(f"{target.split('#')[0]}#exercise-{exercise.pk}")


@require_GET
def exercise_page(request, course_id: int, exercise_id: int):
    course, exercise = course_and_exercise(course_id, exercise_id)
    if not request.user.is_authenticated:
        return login_then(request.get_full_path())
    enrolment = active_enrolment(learner=request.user, course=course)
    if enrolment is None and not learner_can_edit_course(user=request.user, course=course):
        messages.info(request, _("Enrol in this course to work on its exercises."))
        return redirect(course.url)
    context = {"course": course, "exercise": exercise, "lesson": None}
    context.update(
        exercise_panel_for_request(
            request=request, exercise=exercise, course_page_id=course.pk, enrolment=enrolment
        )
    )
    return render(request, "grading/exercise_page.html", context)


@require_GET
def exercise_release(request, course_id: int, exercise_id: int):
    course, exercise = course_and_exercise(course_id, exercise_id)
    if not request.user.is_authenticated:
        return login_then(request.get_full_path())
    if not active_enrolment(learner=request.user, course=course) is not None:
        messages.info(request, _("Enrol in this course to download its exercise notebooks."))
        return redirect(course.url)
    revision = exercise.current_revision
    if revision is None or not exercise.is_ready:
        raise Http404(_("This exercise is not open yet."))
    if revision.files.exists():
        # The notebook reads its data files from its own folder: they travel together.
        return FileResponse(
            release_archive(revision=revision, folder=exercise.slug),
            as_attachment=True,
            filename=f"{exercise.slug}.zip",
            content_type="application/zip",
        )
    return FileResponse(
        revision.release.open("rb"),
        as_attachment=True,
        filename=f"{exercise.slug}.ipynb",
        content_type="application/x-ipynb+json",
    )


def submission_too_large(request, declared_bytes: int) -> HttpResponseRedirect:
    """Refused on Content-Length alone: nothing of the body is read, parsed or stored."""
    if request.content_type == "multipart/form-data":
        message = upload_too_large(declared_bytes)
    else:
        message = answers_too_large(declared_bytes)
    messages.error(request, message)
    target = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("exercise_page", kwargs=request.resolver_match.kwargs)
    return redirect(
        f"{target.split('#')[0]}#exercise-{request.resolver_match.kwargs['exercise_id']}"
    )


@request_body_limit(
    max_bytes=lambda: max_upload_bytes() + FORM_OVERHEAD_BYTES, refuse=submission_too_large
)
@require_POST
def exercise_submit(request, course_id: int, exercise_id: int):
    course, exercise = course_and_exercise(course_id, exercise_id)
    if not request.user.is_authenticated:
        return login_then(exercise_url(course, exercise))
    answers = posted_answers(request)
    try:
        submission = course_exercise_submit(
            learner=request.user,
            course=course,
            exercise=exercise,
            kind=request.POST.get("action"),
            upload=request.FILES.get("notebook"),
            answers=answers,
        )
    except NotEnrolledError:
        messages.info(request, _("Enrol in this course to submit its exercises."))
        return redirect(course.url)
    except SubmissionRefused as refusal:
        # Imported here: draft_views builds on this module's helpers.
        from .draft_views import keep_refused_answers

        messages.error(request, str(refusal))
        keep_refused_answers(request, course=course, exercise=exercise, answers=answers)
        return back_to_exercise(request, course, exercise)
    draft_sync_submitted(
        learner=request.user, course=course, exercise=exercise, answers=dict(submission.answers)
    )
    if submission.kind == SubmissionKind.CHECK:
        messages.success(request, _("Your answers are being checked against the visible tests."))
    else:
        messages.success(
            request, _("Attempt %(n)s submitted; it is being graded.") % {"n": submission.attempt}
        )
    return back_to_exercise(request, course, exercise)


def _own_submission(request, submission_id: int):
    submission = learner_submission(learner=request.user, submission_id=submission_id)
    if submission is None:
        raise Http404(_("No such submission."))
    return submission


@require_GET
@login_required
def submission_detail(request, submission_id: int):
    submission = _own_submission(request, submission_id)
    course = CoursePage.objects.filter(pk=submission.course_page_id).first()
    context = {
        "submission": submission,
        "result": submission_result(submission=submission) if submission.is_done else None,
        "course": course,
        "exercise": submission.exercise,
    }
    return render(request, "grading/submission_page.html", context)


@require_GET
@login_required
def submission_status(request, submission_id: int):
    """The status partial htmx polls every two seconds while grading runs."""
    submission = _own_submission(request, submission_id)
    context = {
        "submission": submission,
        "result": submission_result(submission=submission) if submission.is_done else None,
    }
    return render(request, "grading/includes/submission_status.html", context)


@require_GET
@login_required
def submission_notebook(request, submission_id: int):
    submission = _own_submission(request, submission_id)
    what = f"attempt-{submission.attempt}" if submission.attempt else f"check-{submission.pk}"
    return FileResponse(
        submission.notebook.open("rb"),
        as_attachment=True,
        filename=f"{submission.exercise.slug}-{what}.ipynb",
        content_type="application/x-ipynb+json",
    )
