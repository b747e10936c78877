"""A learner's grades in one course: every exercise attempt with its score and feedback, every
graded quiz attempt, knowledge checks, and where the course's pass rules stand.

What the learner sees on /courses/<id>/grades/. It shows scores as the learner's own pages do
(the counted attempt marked, an instructor's change marked, a provisional score while manual
cells wait), and never anything a learner may not read elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from grading.history import AttemptRecord, learner_course_attempts
from grading.models import Extension
from grading.selectors import learner_exercise_score

from .blocks import quizzes_in
from .cohorts import learner_due_dates
from .models import (
    CourseExercise,
    CoursePage,
    CourseProgress,
    Enrolment,
    LessonPage,
    QuizAttempt,
)


@dataclass(frozen=True)
class ExerciseGrades:
    title: str
    exercise_id: int
    #: What the exercise is worth in the course's exercise points.
    worth: Decimal
    pass_percent: int | None
    due_at: datetime | None
    cohort_date: bool
    attempts: list[AttemptRecord]
    #: The attempt that counts (best or last, as the exercise says), if any.
    counted_id: int | None
    #: Course points earned from the counted attempt (its share of `worth`).
    earned: Fraction
    #: The learner's own extension (grading.late); `due_at` is its date then.
    extension: Extension | None = None

    @property
    def waiting(self) -> bool:
        counted = next((a for a in self.attempts if a.submission.pk == self.counted_id), None)
        return counted is not None and counted.provisional


@dataclass(frozen=True)
class QuizLine:
    number: int
    correct: int
    total: int
    submitted_at: datetime


@dataclass(frozen=True)
class QuizGrades:
    lesson: LessonPage
    position: int
    attempts: list[QuizLine]

    @property
    def best(self) -> QuizLine:
        return max(
            self.attempts, key=lambda line: (Fraction(line.correct, line.total or 1), -line.number)
        )


@dataclass(frozen=True)
class CourseGrades:
    course: CoursePage
    enrolment: Enrolment
    percent: int
    completed_at: datetime | None
    checks_correct: int
    checks_total: int
    exercise_points: Decimal
    exercise_max_points: Decimal
    cohort_name: str
    exercises: list[ExerciseGrades] = field(default_factory=list)
    quizzes: list[QuizGrades] = field(default_factory=list)


def learner_course_grades(*, learner, course: CoursePage, enrolment: Enrolment) -> CourseGrades:
    try:
        progress = enrolment.progress
    except CourseProgress.DoesNotExist:
        progress = CourseProgress()
    declared = list(
        CourseExercise.objects.filter(course=course)
        .select_related("exercise")
        .order_by("sort_order", "pk")
    )
    attempts = learner_course_attempts(
        learner=learner,
        course_page_id=course.pk,
        exercise_ids=[row.exercise_id for row in declared],
    )
    due = learner_due_dates(learner=learner, course_id=course.pk, enrolment=enrolment)
    extensions = {
        extension.exercise_id: extension
        for extension in Extension.objects.filter(learner=learner, course_page_id=course.pk)
    }
    exercises = []
    for row in declared:
        mine = attempts.get(row.exercise_id, [])
        counted = (
            learner_exercise_score(learner=learner, exercise=row.exercise, course_page_id=course.pk)
            if mine
            else None
        )
        share = Fraction(0)
        if counted is not None and counted.max_score:
            share = min(Fraction(counted.score) / Fraction(counted.max_score), Fraction(1))
        exercises.append(
            ExerciseGrades(
                title=row.title or row.exercise.title,
                exercise_id=row.exercise_id,
                worth=row.max_points,
                pass_percent=row.pass_percent,
                due_at=(
                    extensions[row.exercise_id].due_at
                    if row.exercise_id in extensions
                    else due.due_at(row.exercise)
                ),
                cohort_date=due.is_cohort_date(row.exercise),
                attempts=mine,
                extension=extensions.get(row.exercise_id),
                counted_id=counted.submission.pk if counted else None,
                earned=Fraction(row.max_points) * share,
            )
        )
    return CourseGrades(
        course=course,
        enrolment=enrolment,
        percent=progress.percent,
        completed_at=progress.completed_at,
        checks_correct=progress.checks_correct,
        checks_total=progress.checks_total,
        exercise_points=progress.exercise_points,
        exercise_max_points=progress.exercise_max_points,
        cohort_name=due.cohort_name,
        exercises=exercises,
        quizzes=_quizzes(learner=learner, course=course),
    )


def _quizzes(*, learner, course: CoursePage) -> list[QuizGrades]:
    """Graded quiz attempts in the course's lessons, in the order the lessons and quizzes come."""
    attempts = (
        QuizAttempt.objects.filter(learner=learner, lesson__path__startswith=course.path)
        .select_related("lesson")
        .order_by("lesson__path", "block_id", "number")
    )
    grouped: dict[tuple[int, str], list[QuizAttempt]] = {}
    lessons: dict[int, LessonPage] = {}
    for attempt in attempts:
        grouped.setdefault((attempt.lesson_id, attempt.block_id), []).append(attempt)
        lessons[attempt.lesson_id] = attempt.lesson
    result = []
    for (lesson_id, block_id), lines in grouped.items():
        lesson = lessons[lesson_id]
        order = [quiz.id for quiz in quizzes_in(lesson.body)]
        result.append(
            QuizGrades(
                lesson=lesson,
                position=order.index(block_id) + 1 if block_id in order else 0,
                attempts=[QuizLine(a.number, a.correct, a.total, a.submitted_at) for a in lines],
            )
        )
    return result
