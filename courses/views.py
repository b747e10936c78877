"""Learner actions (enrol, unenrol, complete a lesson, answer a check, send a quiz attempt) and
the dashboard.

Pages render through Wagtail; these views only take POSTs and redirect back (post/redirect/get),
so everything works without JavaScript.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from .blocks import option_ids
from .forms import KnowledgeCheckForm
from .models import CoursePage, LessonPage, originals
from .panels import dashboard_panels
from .selectors import QuizInput, learner_dashboard
from .services import (
    NotEnrolledError,
    QuizAttemptResult,
    QuizChangedError,
    QuizClosedError,
    UnknownKnowledgeCheckError,
    UnknownQuizError,
    enrolment_cancel,
    enrolment_create,
    knowledge_check_answer,
    lesson_complete,
    quiz_attempt_submit,
)


def _live_course(course_id: int) -> CoursePage:
    return get_object_or_404(originals(CoursePage.objects.live()), pk=course_id)


def _live_lesson(lesson_id: int) -> LessonPage:
    return get_object_or_404(originals(LessonPage.objects.live()), pk=lesson_id)


def _login_then(url: str) -> HttpResponseRedirect:
    return redirect(f"{reverse('account_login')}?{urlencode({'next': url})}")


@login_required
def dashboard(request):
    return render(
        request,
        "courses/dashboard.html",
        {"dashboard": learner_dashboard(learner=request.user), "panels": dashboard_panels(request)},
    )


@require_POST
def enrol(request, course_id: int):
    course = _live_course(course_id)
    if not request.user.is_authenticated:
        return _login_then(course.url)
    try:
        enrolment_create(learner=request.user, course=course)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(course.url)
    messages.success(request, _("You are enrolled in %(course)s.") % {"course": course.title})
    return redirect(course.url)


@require_POST
@login_required
def unenrol(request, course_id: int):
    course = _live_course(course_id)
    try:
        enrolment_cancel(learner=request.user, course=course)
    except NotEnrolledError as error:
        messages.info(request, str(error))
    else:
        messages.success(
            request,
            _("You left %(course)s. Your progress is kept if you enrol again.")
            % {"course": course.title},
        )
    return redirect(course.url)


@require_POST
@login_required
def complete_lesson(request, lesson_id: int):
    lesson = _live_lesson(lesson_id)
    try:
        progress = lesson_complete(learner=request.user, lesson=lesson)
    except NotEnrolledError as error:
        messages.info(request, str(error))
        return redirect(lesson.course.url)
    if progress.is_complete:
        messages.success(request, _("Lesson completed. You have completed this course!"))
    else:
        messages.success(request, _("Lesson completed."))
    return redirect(lesson.url)


@require_POST
@login_required
def answer_knowledge_check(request, lesson_id: int, block_id: str):
    lesson = _live_lesson(lesson_id)
    if lesson.quiz(block_id) is not None:
        return _submit_quiz_attempt(request, lesson=lesson, block_id=block_id)
    check = lesson.knowledge_check(block_id)
    if check is None:
        raise Http404(_("This lesson has no such question."))
    anchor = f"{lesson.url}#kc-{block_id}"
    form = KnowledgeCheckForm(request.POST, option_ids=option_ids(check.value))
    if not form.is_valid():
        # Show the errors on the question itself, in the lesson, rather than after a redirect.
        request.knowledge_check_errors = {block_id: form.errors.get("options", [])}
        response = lesson.serve(request)
        if response.status_code == 200:
            response.status_code = 400
        return response
    try:
        result = knowledge_check_answer(
            learner=request.user,
            lesson=lesson,
            block_id=block_id,
            selected_option_ids=form.cleaned_data["options"],
        )
    except NotEnrolledError as error:
        messages.info(request, str(error))
        return redirect(lesson.course.url)
    except (UnknownKnowledgeCheckError, ValidationError):
        messages.error(request, _("That answer could not be checked. Please try again."))
        return redirect(anchor)
    if result.is_correct:
        messages.success(request, _("Correct!"))
    else:
        messages.warning(request, _("Not quite. Read the feedback and try again."))
    return redirect(anchor)


def _submit_quiz_attempt(request, *, lesson: LessonPage, block_id: str):
    """A graded quiz's form posts to the same address as a knowledge check's."""
    anchor = f"{lesson.url}#quiz-{block_id}"
    # The form names its questions, so a question left blank still arrives (with no options).
    answers = {
        question_id: request.POST.getlist(f"q-{question_id}")
        for question_id in request.POST.getlist("questions")
    }
    try:
        result = quiz_attempt_submit(
            learner=request.user, lesson=lesson, block_id=block_id, answers=answers
        )
    except NotEnrolledError as error:
        messages.info(request, str(error))
        return redirect(lesson.course.url)
    except UnknownQuizError:
        raise Http404(_("This lesson has no such question.")) from None
    except QuizClosedError as error:
        messages.error(request, str(error))
        return redirect(anchor)
    except QuizChangedError:
        messages.error(
            request,
            _(
                "This quiz changed since you opened it, so your answers were not recorded. "
                "Please answer the questions shown now."
            ),
        )
        return redirect(anchor)
    except ValidationError as error:
        # Show which questions need an answer, in the lesson, with the learner's choices kept.
        errors = {key: " ".join(messages_) for key, messages_ in error.message_dict.items()}
        request.quiz_input = {block_id: QuizInput(answers=answers, errors=errors)}
        response = lesson.serve(request)
        if response.status_code == 200:
            response.status_code = 400
        return response
    messages.success(request, _attempt_recorded(result))
    return redirect(anchor)


def _attempt_recorded(result: QuizAttemptResult) -> str:
    attempt, best = result.attempt, result.best
    recorded = _("Attempt %(number)d of %(max)d recorded: %(correct)d of %(total)d right.") % {
        "number": attempt.number,
        "max": result.settings.max_attempts,
        "correct": attempt.correct,
        "total": attempt.total,
    }
    if result.attempts_left:
        left = ngettext(
            "You have %(left)d attempt left; your best score counts.",
            "You have %(left)d attempts left; your best score counts.",
            result.attempts_left,
        ) % {"left": result.attempts_left}
    else:
        left = _(
            "That was your last attempt: your best score, %(correct)d of %(total)d, stands."
        ) % {
            "correct": best.correct,
            "total": best.total,
        }
    return f"{recorded} {left}"
