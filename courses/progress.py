"""How course progress is measured: the arithmetic behind services.progress_recompute.

`exercise_points` is the one place exercise scores enter course progress; it also names the
exercises whose score still waits for an instructor's manual grading, which hold completion back. Today it reads the
best scores the grading integration stored through services.exercise_score_record
(CourseExerciseScore rows) and weighs them against the exercises the course declares
(CourseExercise rows, edited under the course's pass rules). Change the source here and nothing
else in progress needs to know.
"""

from dataclasses import dataclass
from fractions import Fraction

from grading.reviews import exercises_awaiting_review

from .models import CourseExercise, CourseExerciseScore, Enrolment


@dataclass(frozen=True)
class ExercisePoints:
    """Exact points: the pass rules compare these, never the rounded values stored for display."""

    points: Fraction
    max_points: Fraction
    # Titles of the exercises whose own pass share (CourseExercise.pass_percent) is not reached.
    below_minimum: tuple[str, ...] = ()
    # Titles of the exercises whose counted score waits for an instructor's manual grading
    # (grading.selectors.exercises_awaiting_review): their points so far are provisional.
    awaiting_review: tuple[str, ...] = ()

    @property
    def percent(self) -> Fraction:
        if not self.max_points:
            return Fraction(0)
        return self.points * 100 / self.max_points


def exercise_points(*, enrolment: Enrolment) -> ExercisePoints:
    """Points the learner earned on the course's declared exercises, and the most they could.

    Each exercise is worth the max points the course declares for it; the learner's best graded
    share of that exercise (points / max points as the grader reported them, at most 1) earns that
    share of its worth. Scores for exercises the course does not declare do not count. Exact
    throughout: a full score is stored equal to its maximum (exercises.points), so its share is 1.
    """
    declared = list(
        CourseExercise.objects.filter(course_id=enrolment.course_id).values_list(
            "exercise_id", "title", "max_points", "pass_percent"
        )
    )
    best = {
        score.exercise_id: score
        for score in CourseExerciseScore.objects.filter(enrolment=enrolment)
    }
    earned = Fraction(0)
    below_minimum: list[str] = []
    for exercise_id, title, worth, pass_percent in declared:
        score = best.get(exercise_id)
        share = Fraction(0)
        if score is not None and score.max_points:
            share = min(Fraction(score.points) / Fraction(score.max_points), Fraction(1))
        earned += Fraction(worth) * share
        if pass_percent is not None and share * 100 < pass_percent:
            below_minimum.append(title)
    maximum = sum((Fraction(worth) for _exercise, _title, worth, _pass in declared), Fraction(0))
    waiting = exercises_awaiting_review(
        learner_id=enrolment.learner_id,
        course_page_id=enrolment.course_id,
        exercise_ids=[exercise_id for exercise_id, *_rest in declared],
    )
    return ExercisePoints(
        points=earned,
        max_points=maximum,
        below_minimum=tuple(below_minimum),
        awaiting_review=tuple(
            title for exercise_id, title, *_rest in declared if exercise_id in waiting
        ),
    )


def exercises_waiting_for_review(*, enrolment: Enrolment) -> list[str]:
    """Titles of the course's exercises whose counted score waits for an instructor's grading."""
    declared = dict(
        CourseExercise.objects.filter(course_id=enrolment.course_id).values_list(
            "exercise_id", "title"
        )
    )
    waiting = exercises_awaiting_review(
        learner_id=enrolment.learner_id,
        course_page_id=enrolment.course_id,
        exercise_ids=list(declared),
    )
    return [title for exercise_id, title in declared.items() if exercise_id in waiting]


def quiz_gates_hold(*, lessons: list[tuple[int, int, int | None]]) -> bool:
    """Every graded quiz reached its share: `lessons` holds (checks, correct, pass percent).

    Lessons without a pass percent, or without checks, gate nothing.
    """
    return all(
        correct * 100 >= percent * checks
        for checks, correct, percent in lessons
        if percent is not None and checks
    )


def overall_percent(
    *,
    lessons_done: int,
    lessons_total: int,
    checks_correct: int,
    checks_total: int,
    exercise: ExercisePoints,
) -> int:
    """The mean of the shares of the parts a course has (lessons, checks, exercises), floored.

    A course without knowledge checks or exercises is measured on what it does have, so a learner
    is never held below 100% by a part that does not exist.
    """
    shares: list[Fraction] = []
    if lessons_total:
        shares.append(Fraction(lessons_done, lessons_total))
    if checks_total:
        shares.append(Fraction(checks_correct, checks_total))
    if exercise.max_points:
        shares.append(min(exercise.points / exercise.max_points, Fraction(1)))
    if not shares:
        return 0
    return int(sum(shares) / len(shares) * 100)


def pass_rules_hold(
    *,
    required_done: int,
    required_total: int,
    exercise: ExercisePoints,
    pass_exercise_percent: int,
    quizzes_passed: bool = True,
) -> bool:
    """All required lessons done, every graded quiz passed, every exercise with its own pass share
    passed and, when the course has exercises, the course's exercise share reached.

    Never while a declared exercise's score waits for manual grading: the exercise points enter
    the pass rules and the certificate records the final percent, so both wait for the final
    score (docs/operations.md, "Manual grading and rubrics")."""
    if required_total == 0 or required_done < required_total:
        return False
    if not quizzes_passed or exercise.below_minimum or exercise.awaiting_review:
        return False
    if exercise.max_points:
        return exercise.percent >= pass_exercise_percent
    return True
