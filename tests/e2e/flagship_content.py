"""The flagship demo course in the browser tests: what `make run` shows a new learner.

The layout tests and `make screenshots` look at the pages people actually read: the flagship
course's long lessons, its notebooks with markdown, tables and code, and its outline of five
modules. The pages come from demo_site_build, as `make run` builds them. Validating seven notebooks
in the sandbox takes minutes, so the revisions are recorded as valid directly (as
tests.grading.submissions_support.make_exercise does); tests/demo validates them for real.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import transaction

from courses.models import CoursePage, LessonPage
from exercises.models import Exercise
from exercises.services import exercise_revision_record_validation

FLAGSHIP_SLUG = "product-management-foundations"
#: A lesson of prose, a code sample and a callout; and the lesson holding the RICE notebook.
READING_LESSON_SLUG = "what-a-product-manager-does"
EXERCISE_LESSON_SLUG = "rice"
EXERCISE_SLUG = "pmf-rice"


@dataclass(frozen=True)
class Flagship:
    course: CoursePage
    reading_lesson: LessonPage
    exercise_lesson: LessonPage
    exercise: Exercise


def flagship_site() -> Flagship:
    """The demo site (home, catalog, three courses) with the flagship's notebooks open to learners.

    Call it inside live_site.database_turn(). The notebooks' validation is not queued: the
    revisions are recorded valid here, and a queued validation would hold up a grading worker.
    """
    from demo.content import demo_site_build
    from demo.flagship import notebook_exercises

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            notebook_exercises, "exercise_revision_validate_later", lambda *, revision: None
        )
        report = demo_site_build(validate_now=False)
    with transaction.atomic():
        for exercise in Exercise.objects.filter(pk__in=report.exercises.pks.values()):
            revision = exercise.revisions.order_by("-number").first()
            exercise_revision_record_validation(
                revision=revision, report={"valid": True, "problems": []}
            )
    course = CoursePage.objects.get(slug=FLAGSHIP_SLUG)
    lessons = LessonPage.objects.live().descendant_of(course)
    return Flagship(
        course=course,
        reading_lesson=lessons.get(slug=READING_LESSON_SLUG),
        exercise_lesson=lessons.get(slug=EXERCISE_LESSON_SLUG),
        exercise=Exercise.objects.get(slug=EXERCISE_SLUG),
    )


def reference_answers(exercise: Exercise) -> dict[str, str]:
    """The instructor's solution as a learner's answer cells (it scores what validation scored)."""
    from exercises.format import load_notebook_bytes, parse_source
    from grading.engine.validate import solution_notebook
    from grading.services import notebook_answers

    revision = exercise.current_revision
    with revision.source.open("rb") as fh:
        data = fh.read()
    source = parse_source(load_notebook_bytes(data, max_bytes=len(data) + 1))
    return notebook_answers(notebook=solution_notebook(source), revision=revision)


def read_and_answer_everything(*, learner, course: CoursePage) -> None:
    """Enrol, answer every knowledge check and the final quiz right and complete every lesson,
    through the services the lesson pages call."""
    from courses.blocks import knowledge_checks_in, quiz_questions, quizzes_in
    from courses.quizzes import quiz_drawn_question_ids
    from courses.services import (
        enrolment_create,
        knowledge_check_answer,
        lesson_complete,
        quiz_attempt_submit,
    )

    enrolment_create(learner=learner, course=course)
    for lesson in LessonPage.objects.live().descendant_of(course):
        for check in knowledge_checks_in(lesson.body):
            options = check.value["options"].bound_blocks
            knowledge_check_answer(
                learner=learner,
                lesson=lesson,
                block_id=check.id,
                selected_option_ids=[o.id for o in options if o.value["is_correct"]],
            )
        for quiz in quizzes_in(lesson.body):
            questions = quiz_questions(quiz.value)
            drawn = quiz_drawn_question_ids(
                learner_id=learner.pk, block_id=quiz.id, quiz_value=quiz.value
            )
            answers = {
                question_id: [
                    o.id
                    for o in questions[question_id]["options"].bound_blocks
                    if o.value["is_correct"]
                ]
                for question_id in drawn
            }
            quiz_attempt_submit(learner=learner, lesson=lesson, block_id=quiz.id, answers=answers)
        lesson_complete(learner=learner, lesson=lesson)
