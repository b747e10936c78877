"""Fixtures for the privacy tests: a learner with something of every kind the platform holds.

`ada` (the shared `learner`) is enrolled in a course with an exercise, has two graded submissions
(one with an instructor's manual grade and feedback), a draft, a notebook run, a knowledge-check
answer, a lesson completed, a certificate, notifications, an API token, an LMS link and a second
e-mail address. `grace` is another learner in the same course, so totals can be compared.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.utils import timezone

from api.models import ApiToken, TokenKind
from courses.models import (
    CourseExerciseScore,
    Enrolment,
    ExerciseDraft,
    KnowledgeCheckAnswer,
    LessonCompletion,
)
from courses.services import enrolment_create
from grading.models import ManualGrade, NotebookRun, Submission
from lti.models import LtiIdentity, PlatformRegistration
from notifications.models import NotificationKind, NotificationPreference
from notifications.services import notify
from tests.factories import UserFactory, completed, course_page, instructor_user, lesson_of
from tests.grading.submissions_support import make_course_exercise

NOTEBOOK = (
    b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5, "ada": "my notebook"}'
)


@pytest.fixture(autouse=True)
def signing_keys(settings, tmp_path):
    settings.PMA_CERT_KEYS_DIR = tmp_path / "keys"
    return settings.PMA_CERT_KEYS_DIR


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def course(catalog):
    return course_page(catalog, instructor=instructor_user(certificate_name="Marty Cagan"))


@pytest.fixture
def exercise(course):
    return make_course_exercise(course)


def make_submission(learner, course, exercise, *, attempt, score, manual="none", answer="x"):
    now = timezone.now() - timedelta(hours=3 - attempt)
    submission = Submission(
        learner=learner,
        exercise=exercise,
        revision=exercise.current_revision,
        course_page=course,
        kind="submit",
        origin="editor",
        status="graded",
        notebook_sha256="0" * 64,
        seed=1,
        attempt=attempt,
        created_at=now,
        queued_at=now,
        finished_at=now,
        score=Decimal(score),
        max_score=Decimal(10),
        manual_status=manual,
        report={
            "tests": [
                {
                    "grade_id": "rice_test",
                    "status": "passed",
                    "points": score,
                    "max_points": 8,
                    "message": "RICE scores are right.",
                    "hidden_source": "assert rice(1) == 42  # HIDDEN TEST SOURCE",
                },
                {
                    "grade_id": "why",
                    "kind": "manual",
                    "status": "needs_review",
                    "points": 0,
                    "max_points": 2,
                },
            ],
            "answer_key": "ANSWER KEY 42",
        },
        answers={"rice": f"def rice(): return {answer}  # ada's answer"},
        outputs={"rice": [{"text": "ada printed this"}]},
    )
    submission.notebook.save("submission.ipynb", ContentFile(NOTEBOOK), save=False)
    submission.save()
    return submission


@pytest.fixture
def grace(course, exercise):
    person = UserFactory(
        username="grace", email="grace@example.org", certificate_name="Grace Hopper"
    )
    enrolment = enrolment_create(learner=person, course=course)
    make_submission(person, course, exercise, attempt=1, score="5")
    CourseExerciseScore.objects.create(
        enrolment=enrolment,
        exercise=exercise,
        points=Decimal(5),
        max_points=Decimal(10),
        recorded_at=timezone.now(),
    )
    return person


@pytest.fixture
def ada(learner, course, exercise, grace):
    """The learner with data of every kind (see the module docstring)."""
    from certificates.services import certificate_issue

    enrolment = enrolment_create(learner=learner, course=course)
    first = make_submission(learner, course, exercise, attempt=1, score="6")
    second = make_submission(learner, course, exercise, attempt=2, score="8", manual="graded")
    ManualGrade.objects.create(
        submission=second,
        grade_id="why",
        max_points=Decimal(2),
        points=Decimal("1.5"),
        feedback="Good reasoning, Ada; cite the reach source.",
        graded_at=timezone.now(),
    )
    CourseExerciseScore.objects.create(
        enrolment=enrolment,
        exercise=exercise,
        points=Decimal(8),
        max_points=Decimal(10),
        recorded_at=timezone.now(),
    )
    ExerciseDraft.objects.create(
        learner=learner,
        course=course,
        exercise=exercise,
        answers={"rice": "draft by ada"},
        updated_at=timezone.now(),
    )
    NotebookRun.objects.create(
        learner=learner,
        exercise=exercise,
        revision=exercise.current_revision,
        course_page=course,
        up_to=1,
        answers={"rice": "run by ada"},
        created_at=timezone.now(),
    )
    lesson = lesson_of(course)
    LessonCompletion.objects.create(learner=learner, lesson=lesson, completed_at=timezone.now())
    KnowledgeCheckAnswer.objects.create(
        learner=learner,
        lesson=lesson,
        block_id="check-1",
        selected_option_ids=["a"],
        is_correct=True,
        attempts=1,
        answered_at=timezone.now(),
    )
    completed(learner, course, percent=92)
    certificate_issue(learner=learner, course=course)
    notify(
        recipient=learner,
        kind=NotificationKind.values[0],
        title="Your submission was graded",
        body="Hello Ada",
        dedupe_key="privacy-test",
    )
    NotificationPreference.objects.create(
        user=learner, kind=NotificationKind.values[0], email_enabled=False
    )
    ApiToken.objects.create(
        kind=TokenKind.PERSONAL,
        name="Ada's warehouse",
        user=learner,
        prefix="adaprefix",
        secret_hash="f" * 64,
        scopes=["progress:read"],
        created_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=30),
    )
    registration = PlatformRegistration.objects.create(
        name="Canvas (ACME)",
        issuer="https://canvas.example.edu",
        client_id="client-1",
        auth_login_url="https://canvas.example.edu/login",
        auth_token_url="https://canvas.example.edu/token",
        key_set_url="https://canvas.example.edu/jwks",
    )
    LtiIdentity.objects.create(
        registration=registration,
        issuer="https://canvas.example.edu",
        sub="lms-ada-1",
        user=learner,
        name="Ada L.",
        email="ada@school.example.edu",
    )
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=learner, email="ada.work@example.org", verified=True)
    learner.first_name, learner.last_name = "Ada", "Lovelace"
    learner.save()
    assert Enrolment.objects.filter(learner=learner).count() == 1
    learner.first_submission = first
    learner.second_submission = second
    return learner
