"""Learners through the whole flagship course in the real sandbox: one passes and is certified,
one fails the capstone and is not.

`load_demo --validate-now` runs once for this module (the suite's only validation of the seven
demo notebooks), inside a transaction rolled back at the end; each test runs in a savepoint.
"""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from certificates.models import Certificate
from courses.blocks import knowledge_checks_in, quiz_questions, quizzes_in
from courses.models import CoursePage, CourseProgress, LessonPage
from courses.quizzes import quiz_drawn_question_ids
from courses.services import exercise_score_record
from exercises.format import load_notebook_bytes, parse_source
from exercises.models import Exercise, ValidationStatus
from grading.engine.validate import solution_notebook
from grading.models import ManualStatus, Submission
from grading.services import manual_grade_set, notebook_answers
from tests.factories import UserFactory

pytestmark = [pytest.mark.sandbox, pytest.mark.django_db]

CAPSTONE_WITHOUT_A_PLAN = """
def wsjf(item):
    return 0.0


def priority_order(backlog):
    return [item["name"] for item in backlog]


def plan_roadmap(backlog, capacity):
    return {"unscheduled": [item["name"] for item in backlog]}
"""


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        out = StringIO()
        call_command("load_demo", "--validate-now", stdout=out)
    yield out.getvalue()
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@pytest.fixture
def course(demo, settings):
    # A learner who works through seven exercises in a test does it faster than anyone could.
    settings.PMA_GRADING = {**settings.PMA_GRADING, "RATE_LIMIT_PER_MINUTE": 0}
    return CoursePage.objects.get(slug="product-management-foundations")


def reference_answers(exercise: Exercise) -> dict[str, str]:
    revision = exercise.current_revision
    with revision.source.open("rb") as fh:
        data = fh.read()
    source = parse_source(load_notebook_bytes(data, max_bytes=len(data) + 1))
    return notebook_answers(notebook=solution_notebook(source), revision=revision)


def submit(client, capture, course, exercise, answers) -> Submission:
    fields = {"action": "submit", **{f"answer-{k}": v for k, v in answers.items()}}
    with capture(execute=True):
        response = client.post(reverse("exercise_submit", args=[course.pk, exercise.pk]), fields)
    assert response.status_code == 302
    return Submission.objects.filter(learner=response.wsgi_request.user, exercise=exercise).latest(
        "pk"
    )


def read_and_answer_everything(client, capture, course):
    """Enrol, open and complete every lesson and answer every check and the final quiz right,
    through HTTP."""
    with capture(execute=True):
        assert client.post(reverse("course_enrol", args=[course.pk])).status_code == 302
        learner_id = client.get(reverse("dashboard")).wsgi_request.user.pk
        for lesson in LessonPage.objects.descendant_of(course).live():
            assert client.get(lesson.url).status_code == 200
            for check in knowledge_checks_in(lesson.body):
                right = [o.id for o in check.value["options"].bound_blocks if o.value["is_correct"]]
                url = reverse("knowledge_check_answer", args=[lesson.pk, check.id])
                assert client.post(url, {"options": right}).status_code == 302
            for quiz in quizzes_in(lesson.body):
                questions = quiz_questions(quiz.value)
                drawn = quiz_drawn_question_ids(
                    learner_id=learner_id, block_id=quiz.id, quiz_value=quiz.value
                )
                fields = {"questions": drawn}
                for question_id in drawn:
                    options = questions[question_id]["options"].bound_blocks
                    fields[f"q-{question_id}"] = [o.id for o in options if o.value["is_correct"]]
                url = reverse("knowledge_check_answer", args=[lesson.pk, quiz.id])
                assert client.post(url, fields).status_code == 302
            assert client.post(reverse("lesson_complete", args=[lesson.pk])).status_code == 302


def test_load_demo_validated_every_exercise_and_made_it_current(demo):
    assert demo.count(": valid") == 7
    for exercise in Exercise.objects.filter(slug__startswith="pmf-"):
        revision = exercise.current_revision
        assert revision is not None and revision.number == 1, exercise.slug
        assert revision.validation_status == ValidationStatus.VALID, revision.problems
        assert exercise.is_ready
    out = StringIO()
    call_command("load_demo", "--validate-now", stdout=out)
    assert out.getvalue() == "Demo content is already in place; nothing changed.\n"


def test_a_learner_who_does_everything_right_is_certified(
    client, course, django_capture_on_commit_callbacks
):
    learner = UserFactory()
    client.force_login(learner)
    read_and_answer_everything(client, django_capture_on_commit_callbacks, course)
    assert not CourseProgress.objects.get(enrolment__learner=learner).is_complete

    scores = {}
    for counted in course.exercises.select_related("exercise"):
        exercise = counted.exercise
        submission = submit(
            client,
            django_capture_on_commit_callbacks,
            course,
            exercise,
            reference_answers(exercise),
        )
        scores[exercise.slug] = (submission.status, submission.score, submission.max_score)

    assert scores == {
        "pmf-rice": ("graded", 10.0, 10.0),
        "pmf-ice": ("graded", 9.0, 10.0),
        "pmf-moscow": ("graded", 10.0, 10.0),
        "pmf-kano": ("graded", 10.0, 10.0),
        "pmf-wsjf": ("graded", 10.0, 10.0),
        "pmf-weighted-scoring": ("graded", 10.0, 10.0),
        "pmf-capstone": ("graded", 18.0, 20.0),
    }
    progress = CourseProgress.objects.get(enrolment__learner=learner)
    assert (progress.lessons_done, progress.checks_correct, progress.checks_total) == (16, 24, 24)
    assert (progress.exercise_points, progress.exercise_max_points) == (
        Decimal("77.00"),
        Decimal("80.00"),
    )
    # ICE and the capstone have cells a person grades: the course waits for the instructor.
    waiting = Submission.objects.filter(learner=learner, manual_status=ManualStatus.PENDING)
    assert sorted(waiting.values_list("exercise__slug", flat=True)) == ["pmf-capstone", "pmf-ice"]
    assert not progress.is_complete
    assert not Certificate.objects.filter(learner=learner, course=course).exists()

    instructor = course.instructors.first()
    for submission in waiting:
        for test in submission.report["tests"]:
            if test["kind"] == "manual" and test["status"] == "needs_review":
                with django_capture_on_commit_callbacks(execute=True):
                    manual_grade_set(
                        submission=submission,
                        grade_id=test["grade_id"],
                        points=test["max_points"],
                        feedback="Clear and well argued.",
                        by=instructor,
                    )
    progress.refresh_from_db()
    assert (progress.exercise_points, progress.exercise_max_points) == (
        Decimal("80.00"),
        Decimal("80.00"),
    )
    assert progress.is_complete
    certificate = Certificate.objects.get(learner=learner, course=course)
    assert certificate.course_title == "Product Management Foundations"


def test_a_learner_who_fails_the_capstone_is_not_certified(
    client, course, django_capture_on_commit_callbacks
):
    learner = UserFactory()
    client.force_login(learner)
    read_and_answer_everything(client, django_capture_on_commit_callbacks, course)
    # The six framework exercises at their reference scores (graded for real in the test above).
    for slug, points in {
        "pmf-rice": 10,
        "pmf-ice": 9,
        "pmf-moscow": 10,
        "pmf-kano": 10,
        "pmf-wsjf": 10,
        "pmf-weighted-scoring": 10,
    }.items():
        with django_capture_on_commit_callbacks(execute=True):
            exercise_score_record(
                learner=learner,
                course=course,
                exercise=Exercise.objects.get(slug=slug),
                points=Decimal(points),
                max_points=Decimal(10),
            )

    capstone = Exercise.objects.get(slug="pmf-capstone")
    answers = {**reference_answers(capstone), "capstone_answer": CAPSTONE_WITHOUT_A_PLAN.strip()}
    submission = submit(client, django_capture_on_commit_callbacks, course, capstone, answers)

    assert submission.status == "graded"
    assert submission.score < 12.0  # below the capstone's 60% of 20 points
    progress = CourseProgress.objects.get(enrolment__learner=learner)
    assert (progress.lessons_done, progress.checks_correct) == (16, 24)
    assert progress.exercise_points >= Decimal("59.00")
    assert not progress.is_complete
    assert not Certificate.objects.filter(learner=learner, course=course).exists()
