"""What the browser tests find on the site: one small, complete course with a notebook exercise.

The learner journey needs one lesson, one knowledge check and one exercise to reach a certificate;
the flagship demo course (demo/content.py) has six exercises and a capstone, which would
make every journey grade seven notebooks. The course here is built with the same factories as the
other tests, and its exercise is the RICE notebook the grading tests use.
"""

from __future__ import annotations

from dataclasses import dataclass

from courses.models import CourseExercise, CoursePage, LessonPage, ModulePage
from exercises.models import Exercise
from tests.factories import (
    catalog_page,
    check_block,
    instructor_user,
    publish_child,
    site_home,
)
from tests.grading.submissions_support import make_exercise

COURSE_TITLE = "Prioritization Essentials"
LESSON_TITLE = "Scoring a backlog with RICE"
KC_QUESTION = "Which parts of a RICE score make a feature rank higher?"
KC_RIGHT = "More people reached per quarter"
KC_WRONG = "More person-months of effort"


@dataclass(frozen=True)
class LearnerCourse:
    course: CoursePage
    module: ModulePage
    lesson: LessonPage
    exercise: Exercise
    instructor: object


def learner_course() -> LearnerCourse:
    """A published site: home, catalog, and a one-lesson course whose exercise counts for passing."""
    home = site_home()
    catalog = catalog_page(home)
    instructor = instructor_user(certificate_name="Marty Cagan")
    course = publish_child(
        catalog,
        CoursePage(
            title=COURSE_TITLE,
            slug="prioritization-essentials",
            summary="Rank a product backlog with RICE and explain the ranking to stakeholders.",
            outcomes="Score features with RICE\nRank a backlog and defend the order",
            level="beginner",
            estimated_hours=1,
        ),
    )
    course.instructors.set([instructor])
    course.save_revision().publish()
    exercise = make_exercise(slug="rice", title="RICE scoring")
    CourseExercise.objects.create(
        course=course, exercise=exercise, title=exercise.title, max_points=10
    )
    module = publish_child(
        course,
        ModulePage(
            title="Scoring and ranking", slug="scoring", summary="RICE from first principles."
        ),
    )
    body = [
        {
            "type": "paragraph",
            "value": "<p>RICE multiplies Reach, Impact and Confidence, and divides by Effort.</p>",
        },
        check_block(
            question=KC_QUESTION,
            options=(
                (KC_RIGHT, True, "Reach multiplies the score."),
                (KC_WRONG, False, "Effort divides the score, so more effort ranks lower."),
            ),
        ),
        {"type": "exercise", "value": {"exercise": exercise.pk}},
    ]
    lesson = publish_child(
        module,
        LessonPage(
            title=LESSON_TITLE, slug="rice", summary="Score and rank four features.", body=body
        ),
    )
    return LearnerCourse(
        course=CoursePage.objects.get(pk=course.pk),
        module=module,
        lesson=lesson,
        exercise=exercise,
        instructor=instructor,
    )


def certified_learner(course: CoursePage, *, name: str, percent: int = 92):
    """A learner who completed `course`, with their certificate issued and rendered."""
    from certificates.services import certificate_issue
    from tests.factories import UserFactory, completed

    learner = UserFactory(certificate_name=name)
    completed(learner, course, percent=percent)
    return learner, certificate_issue(learner=learner, course=course)


def graded_submission(site: LearnerCourse, learner, answers: dict[str, str], worker):
    """An attempt sent as the editor would send it, graded by the worker in the sandbox."""
    from courses.services import enrolment_create
    from grading.services import submission_create

    from .live_site import database_turn

    with database_turn():
        enrolment_create(learner=learner, course=site.course)
        submission = submission_create(
            learner=learner,
            exercise=site.exercise,
            course_page=site.course,
            answers=answers,
            kind="submit",
        )
    worker.wait_until_idle()
    with database_turn():
        submission.refresh_from_db()
    return submission


def learner_who_worked(site: LearnerCourse, *, name: str, answers: dict[str, str], worker):
    """A learner who submitted `answers` and completed the lesson, through the services and the
    worker (so progress and any certificate are what the site itself computed)."""
    from courses.services import lesson_complete
    from tests.factories import UserFactory

    from .live_site import database_turn

    with database_turn():
        learner = UserFactory(certificate_name=name)
    graded_submission(site, learner, answers, worker)
    with database_turn():
        lesson_complete(learner=learner, lesson=site.lesson)
    worker.wait_until_idle()
    return learner
