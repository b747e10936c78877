"""Every write in courses: enrolment, lesson completion, knowledge checks, progress, instructors,
and the per-test tallies behind the analytics.

Views, page `serve` methods, hooks and commands call these; none of them write models directly.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import GroupPagePermission

from exercises.models import Exercise
from exercises.points import stored_points
from grading.models import Submission, SubmissionKind, SubmissionStatus
from grading.services import SubmissionRefused, submission_create
from grading.uploads import upload_refusal

from .blocks import correct_option_ids, option_ids, quiz_questions
from .cohorts import learner_due_dates
from .enrolment_audit import enrolment_event_record
from .models import (
    Cohort,
    CourseExerciseScore,
    CoursePage,
    CourseProgress,
    Enrolment,
    EnrolmentAction,
    EnrolmentImport,
    EnrolmentSource,
    EnrolmentStatus,
    ExerciseTestTally,
    Invitation,
    KnowledgeCheckAnswer,
    LessonCompletion,
    LessonPage,
    QuizAttempt,
)
from .progress import exercise_points, overall_percent, pass_rules_hold, quiz_gates_hold
from .quizzes import (
    QuizClosure,
    QuizSettings,
    quiz_closed_message,
    quiz_closure,
    quiz_drawn_question_ids,
    quiz_grade,
)
from .selectors import active_enrolment
from .signals import course_completed

COURSE_GROUP_PREFIX = "Course: "
# Instructors draft and submit for moderation; publishing stays with moderators and superusers.
INSTRUCTOR_PAGE_PERMISSIONS = ("add_page", "change_page")


class NotEnrolledError(Exception):
    """The learner has no active enrolment in the course."""


class UnknownKnowledgeCheckError(Exception):
    """The lesson has no knowledge check with that block id."""


class UnknownQuizError(Exception):
    """The lesson has no graded quiz with that block id."""


class QuizClosedError(Exception):
    """The quiz takes no more attempts from this learner; the message says why."""

    def __init__(self, message: str, *, closure: QuizClosure):
        super().__init__(message)
        self.closure = closure


class QuizChangedError(Exception):
    """The answers are to other questions than the learner's draw: the quiz changed meanwhile."""


@dataclass(frozen=True)
class KnowledgeCheckResult:
    answer: KnowledgeCheckAnswer
    is_correct: bool
    progress: CourseProgress


def _active_enrolment(*, learner, course: CoursePage) -> Enrolment:
    enrolment = active_enrolment(learner=learner, course=course)
    if enrolment is None:
        raise NotEnrolledError(_("You are not enrolled in this course."))
    return enrolment


def course_exercise_submit(
    *,
    learner,
    course: CoursePage,
    exercise: Exercise,
    kind: str | None,
    upload: UploadedFile | None = None,
    answers: dict[str, str] | None = None,
) -> Submission:
    """The one way a learner checks or submits an exercise of a course: their active enrolment
    first, the upload's size before a byte of it is read, then grading's own checks and storage
    (grading.services.submission_create, which cannot see enrolments).

    Raises NotEnrolledError or SubmissionRefused; nothing is stored then.
    """
    _active_enrolment(learner=learner, course=course)
    # The learner's cohort may have its own due date for the exercise; grading enforces it.
    due_dates = learner_due_dates(learner=learner, course_id=course.pk)
    due_at, due_source = due_dates.due_at(exercise), due_dates.source(exercise)
    if upload is not None:
        refusal = upload_refusal(upload.size or 0)
        if refusal is not None:
            raise SubmissionRefused(refusal)
        return submission_create(
            learner=learner,
            exercise=exercise,
            course_page=course,
            data=upload.read(),
            kind=kind,
            due_at=due_at,
            due_source=due_source,
        )
    if answers:
        return submission_create(
            learner=learner,
            exercise=exercise,
            course_page=course,
            answers=answers,
            kind=kind,
            due_at=due_at,
            due_source=due_source,
        )
    raise SubmissionRefused(_("Choose a notebook to upload, or write your answers in the editor."))


@transaction.atomic
def enrolment_create(
    *,
    learner,
    course: CoursePage,
    cohort: Cohort | None = None,
    actor=None,
    source: str = EnrolmentSource.SELF,
    enrolment_import: EnrolmentImport | None = None,
    invitation: Invitation | None = None,
) -> Enrolment:
    """Enrol the learner; enrolling again is harmless and re-enrolling keeps earlier progress.

    Staff, imports and invitations name the cohort (None leaves the learner's cohort as it is)
    and say who acted and how; every enrolment that changes is audited (EnrolmentEvent)."""
    if not course.live:
        raise ValidationError(_("This course is not open for enrolment."))
    if cohort is not None and cohort.course_id != course.pk:
        raise ValidationError(_("That cohort belongs to another course."))
    now = timezone.now()
    try:
        with transaction.atomic():
            enrolment, created = Enrolment.objects.get_or_create(
                learner=learner, course=course, defaults={"enrolled_at": now, "cohort": cohort}
            )
    except IntegrityError:
        # A concurrent request enrolled the same learner first.
        enrolment, created = Enrolment.objects.get(learner=learner, course=course), False
    audit = {
        "course": course,
        "learner": learner,
        # The learner acts for themself unless someone else is named.
        "actor": actor if actor is not None or source != EnrolmentSource.SELF else learner,
        "source": source,
        "enrolment_import": enrolment_import,
        "invitation": invitation,
    }
    if created:
        enrolment_event_record(action=EnrolmentAction.ENROLLED, cohort=cohort, **audit)
    else:
        changed = []
        was_active = enrolment.is_active
        if not was_active:
            enrolment.status = EnrolmentStatus.ACTIVE
            enrolment.unenrolled_at = None
            changed += ["status", "unenrolled_at"]
        from_cohort = enrolment.cohort
        if cohort is not None and enrolment.cohort_id != cohort.pk:
            enrolment.cohort = cohort
            changed.append("cohort")
        if changed:
            enrolment.save(update_fields=changed)
        if not was_active:
            enrolment_event_record(
                action=EnrolmentAction.ENROLLED, cohort=enrolment.cohort, **audit
            )
        elif "cohort" in changed:
            enrolment_event_record(
                action=EnrolmentAction.MOVED, cohort=cohort, from_cohort=from_cohort, **audit
            )
    progress_recompute(enrolment=enrolment)
    return enrolment


@transaction.atomic
def enrolment_cancel(
    *,
    learner,
    course: CoursePage,
    actor=None,
    source: str = EnrolmentSource.SELF,
) -> Enrolment:
    """Unenrol; the row and the learner's progress stay, so re-enrolling picks up where they were."""
    enrolment = _active_enrolment(learner=learner, course=course)
    enrolment.status = EnrolmentStatus.UNENROLLED
    enrolment.unenrolled_at = timezone.now()
    enrolment.save(update_fields=["status", "unenrolled_at"])
    enrolment_event_record(
        course=course,
        learner=learner,
        action=EnrolmentAction.UNENROLLED,
        source=source,
        actor=actor if actor is not None or source != EnrolmentSource.SELF else learner,
        cohort=enrolment.cohort,
    )
    return enrolment


def lesson_view_record(*, enrolment: Enrolment, lesson: LessonPage) -> None:
    """Remember the lesson the learner is on, for "continue where you left off"."""
    enrolment.last_lesson = lesson
    enrolment.last_activity_at = timezone.now()
    enrolment.save(update_fields=["last_lesson", "last_activity_at"])


@transaction.atomic
def lesson_complete(*, learner, lesson: LessonPage) -> CourseProgress:
    enrolment = _active_enrolment(learner=learner, course=lesson.course)
    LessonCompletion.objects.get_or_create(
        learner=learner, lesson=lesson, defaults={"completed_at": timezone.now()}
    )
    lesson_view_record(enrolment=enrolment, lesson=lesson)
    return progress_recompute(enrolment=enrolment)


@transaction.atomic
def knowledge_check_answer(
    *, learner, lesson: LessonPage, block_id: str, selected_option_ids: list[str]
) -> KnowledgeCheckResult:
    """Record the learner's answer; right means exactly the right options were chosen."""
    enrolment = _active_enrolment(learner=learner, course=lesson.course)
    check = lesson.knowledge_check(block_id)
    if check is None:
        raise UnknownKnowledgeCheckError(block_id)
    selected = set(selected_option_ids)
    if not selected:
        raise ValidationError(_("Choose at least one option before checking your answer."))
    valid_ids = option_ids(check.value)
    if not selected <= set(valid_ids):
        raise ValidationError(_("That option is not part of this question."))
    is_correct = selected == correct_option_ids(check.value)
    answer, _created = KnowledgeCheckAnswer.objects.select_for_update().get_or_create(
        learner=learner,
        lesson=lesson,
        block_id=block_id,
        defaults={"answered_at": timezone.now()},
    )
    answer.selected_option_ids = [option_id for option_id in valid_ids if option_id in selected]
    answer.is_correct = is_correct
    answer.attempts += 1
    answer.answered_at = timezone.now()
    answer.save(update_fields=["selected_option_ids", "is_correct", "attempts", "answered_at"])
    lesson_view_record(enrolment=enrolment, lesson=lesson)
    progress = progress_recompute(enrolment=enrolment)
    return KnowledgeCheckResult(answer=answer, is_correct=is_correct, progress=progress)


@dataclass(frozen=True)
class QuizAttemptResult:
    attempt: QuizAttempt
    settings: QuizSettings
    best: QuizAttempt
    progress: CourseProgress

    @property
    def attempts_left(self) -> int:
        return max(self.settings.max_attempts - self.attempt.number, 0)


@transaction.atomic
def quiz_attempt_submit(
    *, learner, lesson: LessonPage, block_id: str, answers: dict[str, list[str]], now=None
) -> QuizAttemptResult:
    """Record one attempt at a graded quiz, if the quiz still takes one, and recount progress.

    Refuses, recording nothing: a closed quiz (QuizClosedError: every attempt used or past the due
    date), answers to other questions than the learner's draw (QuizChangedError), and a question
    left unanswered or answered with an option it does not have (ValidationError, by question id).
    The limit holds under concurrent requests: an attempt's number is unique per learner and quiz
    (see QuizAttempt), so of two requests racing for the last attempt only one is written.
    """
    enrolment = _active_enrolment(learner=learner, course=lesson.course)
    quiz = lesson.quiz(block_id)
    if quiz is None:
        raise UnknownQuizError(block_id)
    now = now or timezone.now()
    settings = QuizSettings.of(quiz.value)
    attempts = QuizAttempt.objects.filter(learner=learner, lesson=lesson, block_id=block_id)
    used = attempts.count()
    closure = quiz_closure(settings=settings, attempts_used=used, now=now)
    if closure is not None:
        raise QuizClosedError(
            quiz_closed_message(settings=settings, closure=closure), closure=closure
        )

    drawn = quiz_drawn_question_ids(learner_id=learner.pk, block_id=block_id, quiz_value=quiz.value)
    if set(answers) != set(drawn):
        raise QuizChangedError(block_id)
    questions = quiz_questions(quiz.value)
    errors = {}
    for question_id in drawn:
        chosen = set(answers[question_id])
        if not chosen:
            errors[question_id] = _("Choose at least one option.")
        elif not chosen <= set(option_ids(questions[question_id])):
            errors[question_id] = _("That option is not part of this question.")
    if errors:
        raise ValidationError(errors)

    results = quiz_grade(questions=questions, question_ids=drawn, answers=answers)
    try:
        with transaction.atomic():
            attempt = QuizAttempt.objects.create(
                learner=learner,
                lesson=lesson,
                block_id=block_id,
                number=used + 1,
                answers=[
                    {"question": r.question_id, "selected": r.selected, "correct": r.correct}
                    for r in results
                ],
                correct=sum(1 for r in results if r.correct),
                total=len(results),
                submitted_at=now,
            )
    except IntegrityError:
        # Another request took this attempt's number first; count again and refuse as a closed
        # quiz would if that was the last one.
        used = attempts.count()
        closure = quiz_closure(settings=settings, attempts_used=used, now=now)
        raise QuizClosedError(
            quiz_closed_message(settings=settings, closure=closure)
            if closure is not None
            else _(
                "Another attempt at this quiz was recorded at the same moment. Reload the page."
            ),
            closure=closure or QuizClosure.ATTEMPTS_USED,
        ) from None
    # The attempt just recorded is among them, so there is always a best one.
    best = attempts.order_by("-correct", "-number").first() or attempt
    lesson_view_record(enrolment=enrolment, lesson=lesson)
    progress = progress_recompute(enrolment=enrolment)
    return QuizAttemptResult(attempt=attempt, settings=settings, best=best, progress=progress)


@transaction.atomic
def exercise_score_record(
    *,
    learner,
    course: CoursePage,
    exercise: Exercise,
    points: Decimal | Fraction,
    max_points: Decimal | Fraction,
    raw_points: Decimal | Fraction | None = None,
    late_penalty_percent: int = 0,
) -> CourseExerciseScore:
    """Store the learner's counted score for one of the course's exercises.

    The grading app decides which score counts (best or last attempt, per the exercise's
    policy, a manual override winning), so the stored score follows it down as well as up.
    Course completion stays sticky (see progress_recompute). The learner needs an enrolment
    (active or not) in the course.
    """
    # Stored as grading stores scores (exercises.points): a full score equals its maximum.
    points, max_points = stored_points(points), stored_points(max_points)
    if max_points <= 0 or points < 0 or points > max_points:
        raise ValidationError(_("Points must be between 0 and a positive maximum."))
    enrolment = Enrolment.objects.filter(learner=learner, course=course).first()
    if enrolment is None:
        raise NotEnrolledError(_("You are not enrolled in this course."))
    now = timezone.now()
    # Before a late penalty (None: no penalty, the same as `points`).
    raw = stored_points(raw_points) if raw_points is not None and late_penalty_percent else None
    penalty = late_penalty_percent if raw is not None else 0
    score, created = CourseExerciseScore.objects.select_for_update().get_or_create(
        enrolment=enrolment,
        exercise=exercise,
        defaults={
            "points": points,
            "max_points": max_points,
            "raw_points": raw,
            "late_penalty_percent": penalty,
            "recorded_at": now,
        },
    )
    stored = (score.points, score.max_points, score.raw_points, score.late_penalty_percent)
    if not created and stored != (points, max_points, raw, penalty):
        score.points, score.max_points, score.recorded_at = points, max_points, now
        score.raw_points, score.late_penalty_percent = raw, penalty
        score.save(
            update_fields=[
                "points",
                "max_points",
                "raw_points",
                "late_penalty_percent",
                "recorded_at",
            ]
        )
    progress_recompute(enrolment=enrolment)
    return score


@transaction.atomic
def progress_recompute(*, enrolment: Enrolment) -> CourseProgress:
    """Recount the enrolment's progress and mark the course complete when its pass rules hold.

    Completion is sticky: once reached it is never withdrawn, and course_completed is sent on
    commit exactly once, by whichever call first records it.
    """
    course = enrolment.course
    lessons = list(
        LessonPage.objects.live()
        .descendant_of(course)
        .values_list(
            "pk", "required", "knowledge_check_count", "quiz_question_count", "pass_check_percent"
        )
    )
    lesson_ids = [pk for pk, *_rest in lessons]
    done = set(
        LessonCompletion.objects.filter(
            learner_id=enrolment.learner_id, lesson_id__in=lesson_ids
        ).values_list("lesson_id", flat=True)
    )
    correct_by_lesson = dict(
        KnowledgeCheckAnswer.objects.filter(
            learner_id=enrolment.learner_id, lesson_id__in=lesson_ids, is_correct=True
        )
        .values("lesson_id")
        .annotate(n=Count("pk"))
        .values_list("lesson_id", "n")
    )
    # A graded quiz counts each learner's best attempt (the rule the quiz page states).
    quiz_best_by_lesson: dict[int, int] = {}
    for lesson_id, best in (
        QuizAttempt.objects.filter(learner_id=enrolment.learner_id, lesson_id__in=lesson_ids)
        .values("lesson_id", "block_id")
        .annotate(best=Max("correct"))
        .values_list("lesson_id", "best")
    ):
        quiz_best_by_lesson[lesson_id] = quiz_best_by_lesson.get(lesson_id, 0) + best
    required = [pk for pk, is_required, *_rest in lessons if is_required]
    # A course with no lesson marked required asks for all of them rather than for none.
    if not required:
        required = lesson_ids
    # Answers to checks an instructor has since removed cannot push a lesson past its checks.
    checks_capped = {
        pk: min(correct_by_lesson.get(pk, 0), checks) for pk, _req, checks, _quiz, _pct in lessons
    }
    quiz_capped = {
        pk: min(quiz_best_by_lesson.get(pk, 0), questions)
        for pk, _req, _checks, questions, _pct in lessons
    }
    checks_correct = sum(checks_capped.values()) + sum(quiz_capped.values())
    checks_total = sum(checks + questions for _pk, _req, checks, questions, _pct in lessons)
    exercise = exercise_points(enrolment=enrolment)

    progress, _created = CourseProgress.objects.select_for_update().get_or_create(
        enrolment=enrolment
    )
    progress.lessons_done = len(done)
    progress.lessons_total = len(lessons)
    progress.checks_correct = checks_correct
    progress.checks_total = checks_total
    progress.exercise_points = stored_points(exercise.points)
    progress.exercise_max_points = stored_points(exercise.max_points)
    progress.percent = overall_percent(
        lessons_done=len(done),
        lessons_total=len(lessons),
        checks_correct=checks_correct,
        checks_total=checks_total,
        exercise=exercise,
    )
    progress.save(
        update_fields=[
            "lessons_done",
            "lessons_total",
            "checks_correct",
            "checks_total",
            "exercise_points",
            "exercise_max_points",
            "percent",
            "updated_at",
        ]
    )
    complete = pass_rules_hold(
        required_done=len(done.intersection(required)),
        required_total=len(required),
        exercise=exercise,
        pass_exercise_percent=course.pass_exercise_percent,
        # A lesson's pass share is measured on its graded quiz; a lesson from before graded
        # quizzes, with a pass share over plain knowledge checks, keeps being measured on those.
        quizzes_passed=quiz_gates_hold(
            lessons=[
                (questions, quiz_capped[pk], percent)
                if questions
                else (checks, checks_capped[pk], percent)
                for pk, _req, checks, questions, percent in lessons
            ]
        ),
    )
    if complete and progress.completed_at is None:
        now = timezone.now()
        first = CourseProgress.objects.filter(pk=progress.pk, completed_at__isnull=True).update(
            completed_at=now
        )
        if first:
            progress.completed_at = now
            learner = enrolment.learner
            transaction.on_commit(
                lambda: course_completed.send(sender=CoursePage, learner=learner, course=course)
            )
    return progress


@transaction.atomic
def course_instructors_sync(*, course: CoursePage) -> Group:
    """Mirror the course's instructors into its own group holding page permissions on the course.

    Wagtail's permission checks then limit every instructor to the courses they teach, in the
    explorer, the editor, previews and the moderation workflow alike.
    """
    name = f"{COURSE_GROUP_PREFIX}{course.slug}"[:150]
    group = Group.objects.filter(
        page_permissions__page=course, name__startswith=COURSE_GROUP_PREFIX
    ).first()
    if group is None:
        group, _created = Group.objects.get_or_create(name=name)
    elif group.name != name:
        group.name = name
        group.save(update_fields=["name"])
    for codename in INSTRUCTOR_PAGE_PERMISSIONS:
        permission = Permission.objects.get(
            content_type__app_label="wagtailcore", codename=codename
        )
        GroupPagePermission.objects.get_or_create(group=group, page=course, permission=permission)
    group.user_set.set(course.instructors.all())
    return group


# Per-test tallies behind the analytics ---------------------------------------------------------
#
# The failure rate of each graded test used to be computed by reading every graded report of a
# course at page time. Instead, whenever grading says a submission's result may have changed
# (graded, regraded, failed, overridden: grading.signals.submission_graded, received in
# courses.receivers), the learner's tallies for that exercise in that course are recomputed from
# their own few submissions, and the analytics sum the stored tallies in SQL
# (courses.analytics.failing_tests).

# A test that ran and earned less than full marks; "not_run" counts too (the learner's code
# stopped before the test could pass). Manual (needs review) and skipped tests say nothing about
# what learners get wrong, so they are not measured.
FAILING_STATUSES = frozenset({"failed", "partial", "not_run"})
MEASURED_STATUSES = FAILING_STATUSES | {"passed"}


def report_test_outcomes(report: Any) -> Iterator[tuple[str, bool]]:
    """(grade_id, failed) for each measured test of a grading report, in report order."""
    tests = report.get("tests", []) if isinstance(report, dict) else []
    for test in tests:
        if not isinstance(test, dict):
            continue
        status = str(test.get("status", ""))
        if status in MEASURED_STATUSES:
            yield str(test.get("grade_id", "")), status in FAILING_STATUSES


def tallies_from_reports(reports: Iterable[Any]) -> dict[str, tuple[int, int]]:
    """grade_id → (runs, failures) over the reports of one learner's graded submissions."""
    tallies: dict[str, tuple[int, int]] = {}
    for report in reports:
        for grade_id, failed in report_test_outcomes(report):
            runs, failures = tallies.get(grade_id, (0, 0))
            tallies[grade_id] = (runs + 1, failures + int(failed))
    return tallies


def exercise_test_tallies_record(
    *, course_id: int, learner_id: int, exercise_id: int
) -> dict[str, tuple[int, int]]:
    """Recompute one learner's tallies for one exercise in one course from their graded
    submissions (checks are practice and never count); returns what was stored."""
    reports = Submission.objects.filter(
        course_page_id=course_id,
        learner_id=learner_id,
        exercise_id=exercise_id,
        kind=SubmissionKind.SUBMIT,
        status=SubmissionStatus.GRADED,
    ).values_list("report", flat=True)
    tallies = tallies_from_reports(reports)
    mine = ExerciseTestTally.objects.filter(
        course_id=course_id, learner_id=learner_id, exercise_id=exercise_id
    )
    with transaction.atomic():
        mine.exclude(grade_id__in=list(tallies)).delete()
        if tallies:
            # An upsert, not delete-and-insert: two workers recomputing the same learner at
            # once both write what they read, and neither trips the unique constraint.
            ExerciseTestTally.objects.bulk_create(
                [
                    ExerciseTestTally(
                        course_id=course_id,
                        learner_id=learner_id,
                        exercise_id=exercise_id,
                        grade_id=grade_id,
                        runs=runs,
                        failures=failures,
                    )
                    for grade_id, (runs, failures) in tallies.items()
                ],
                update_conflicts=True,
                unique_fields=["course", "learner", "exercise", "grade_id"],
                update_fields=["runs", "failures"],
            )
    return tallies


def course_test_tallies_rebuild(*, course: CoursePage) -> int:
    """Recompute every tally of a course from its graded submissions (after a bulk import, or
    to repair); returns the number of tallies stored. Reads every report: not for page time."""
    pairs = (
        Submission.objects.filter(course_page_id=course.pk, kind=SubmissionKind.SUBMIT)
        .order_by()
        .values_list("learner_id", "exercise_id")
        .distinct()
    )
    stored = 0
    for learner_id, exercise_id in pairs:
        stored += len(
            exercise_test_tallies_record(
                course_id=course.pk, learner_id=learner_id, exercise_id=exercise_id
            )
        )
    return stored
