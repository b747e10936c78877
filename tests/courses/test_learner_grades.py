"""The learner's grades page: every attempt, its score and feedback, per course (issue 18, item 6).

The RICE exercise is the real nbgrader notebook of tests/fixtures, graded by the fake engine of
tests/grading/submissions_support (rice 2/2, rank 3/3 or 0/3, explain_answer graded by hand).
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses.models import QuizAttempt
from courses.services import enrolment_cancel, enrolment_create
from grading.models import ManualStatus, Submission
from grading.services import grade_override, manual_grade_set, submission_create
from tests.factories import UserFactory, lessons_of
from tests.grading.submissions_support import (
    CORRECT,
    PARTIAL,
    install_fake_engine,
    make_course_exercise,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def engine(monkeypatch):
    return install_fake_engine(monkeypatch)


@pytest.fixture
def exercise(course, engine):
    return make_course_exercise(course)


def _submit(learner, exercise, course, capture, answers) -> Submission:
    with capture(execute=True):
        submission = submission_create(
            learner=learner, exercise=exercise, course_page=course, answers=answers, kind="submit"
        )
    submission.refresh_from_db()
    return submission


def _grades_url(course):
    return reverse("course_grades", kwargs={"course_id": course.pk})


@pytest.fixture
def two_attempts(
    enrolled, exercise, engine, course, instructor, django_capture_on_commit_callbacks
):
    """Attempt 1 partial and still waiting; attempt 2 right, its manual cell graded with feedback."""
    capture = django_capture_on_commit_callbacks
    engine.rank_points = 0.0
    first = _submit(enrolled, exercise, course, capture, PARTIAL)
    engine.rank_points = 3.0
    second = _submit(enrolled, exercise, course, capture, CORRECT)
    with capture(execute=True):
        manual_grade_set(
            submission=second,
            grade_id="explain_answer",
            points="0.5",
            feedback="Names the feature.\n<script>alert('x')</script> Say why reach matters.",
            by=instructor,
        )
    second.refresh_from_db()
    return first, second


def test_the_page_lists_every_attempt_with_its_score_and_the_instructors_feedback(
    client, course, two_attempts
):
    first, second = two_attempts
    assert (first.manual_status, second.manual_status) == (
        ManualStatus.PENDING,
        ManualStatus.GRADED,
    )
    client.force_login(second.learner)
    response = client.get(_grades_url(course))
    assert response.status_code == 200
    grades = response.context["grades"]
    [rice] = grades.exercises
    assert [a.submission.attempt for a in rice.attempts] == [2, 1]
    assert [a.score for a in rice.attempts] == [Decimal("5.5"), Decimal(2)]
    assert rice.counted_id == second.pk
    assert rice.earned * 6 == Decimal("5.5") * 10  # 5.5 of 6 points: that share of its 10
    assert [(f.grade_id, f.points, f.max_points) for f in rice.attempts[0].feedback] == [
        ("explain_answer", Decimal("0.5"), Decimal(1))
    ]
    assert rice.attempts[1].feedback == []  # attempt 1 still waits: nothing to read yet
    assert rice.attempts[1].provisional is True

    html = response.content.decode()
    assert "5.5 / 6" in html and "2 / 6" in html
    assert "Counts" in html
    assert "Names the feature.<br>&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<script>alert" not in html
    assert reverse("submission_detail", kwargs={"submission_id": second.pk}) in html
    assert "Provisional" in html


def test_an_instructors_change_is_marked(client, course, instructor, two_attempts):
    first, _second = two_attempts
    grade_override(submission=first, new_score=Decimal(6), reason="Appeal upheld", by=instructor)
    client.force_login(first.learner)
    response = client.get(_grades_url(course))
    [rice] = response.context["grades"].exercises
    assert rice.counted_id == first.pk
    assert "Set by your instructor" in response.content.decode()


def test_someone_elses_attempts_never_show(client, course, exercise, two_attempts):
    other = UserFactory()
    enrolment_create(learner=other, course=course)
    client.force_login(other)
    response = client.get(_grades_url(course))
    assert response.status_code == 200
    [rice] = response.context["grades"].exercises
    assert rice.attempts == []
    assert "No attempts yet." in response.content.decode()


def test_only_learners_of_the_course_reach_it(client, course, exercise):
    url = _grades_url(course)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    client.force_login(UserFactory())  # never enrolled
    assert client.get(url).status_code == 404
    assert client.get(reverse("course_grades", kwargs={"course_id": 999999})).status_code == 404


def test_a_former_learner_still_reads_their_grades(client, course, two_attempts):
    learner = two_attempts[0].learner
    enrolment_cancel(learner=learner, course=course)
    client.force_login(learner)
    response = client.get(_grades_url(course))
    assert response.status_code == 200
    assert len(response.context["grades"].exercises[0].attempts) == 2


def test_graded_quiz_attempts_and_the_best_one_show(client, course, enrolled, exercise):
    lesson = lessons_of(course)[0]
    now = timezone.now()
    for number, correct in ((1, 2), (2, 4), (3, 3)):
        QuizAttempt.objects.create(
            learner=enrolled,
            lesson=lesson,
            block_id="quiz-1",
            number=number,
            correct=correct,
            total=5,
            submitted_at=now,
        )
    client.force_login(enrolled)
    response = client.get(_grades_url(course))
    [quiz] = response.context["grades"].quizzes
    assert [line.correct for line in quiz.attempts] == [2, 4, 3]
    assert (quiz.best.number, quiz.best.correct) == (2, 4)
    assert "Best: 4 of 5 right" in response.content.decode()


def test_the_query_count_does_not_grow_with_attempts(
    client, course, enrolled, exercise, django_capture_on_commit_callbacks
):
    client.force_login(enrolled)
    _submit(enrolled, exercise, course, django_capture_on_commit_callbacks, PARTIAL)
    client.get(_grades_url(course))  # warm the site and session caches
    with CaptureQueriesContext(connection) as one:
        client.get(_grades_url(course))
    for _ in range(2):
        _submit(enrolled, exercise, course, django_capture_on_commit_callbacks, CORRECT)
    with CaptureQueriesContext(connection) as three:
        response = client.get(_grades_url(course))
    assert len(response.context["grades"].exercises[0].attempts) == 3
    assert len(three) == len(one)


def test_the_course_page_and_dashboard_link_to_it(client, course, enrolled, exercise):
    client.force_login(enrolled)
    url = _grades_url(course)
    assert url in client.get(course.url).content.decode()
    assert url in client.get(reverse("dashboard")).content.decode()
