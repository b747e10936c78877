"""Grading survives a dropped database connection: the step is retried, the notebook runs once,
the grade is stored once and the course hears of it once. No real server needed (any database)."""

import pytest
from django.db import OperationalError

from grading.models import Submission, SubmissionStatus
from grading.services import grade_run as services
from grading.services import submission_create, submission_reap_expired
from grading.services import submit as submit_service
from grading.signals import submission_graded
from tests.grading.submissions_support import CORRECT

# Committed transactions, as in a worker; serialized rollback restores Wagtail's root page after.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DROPPED = "server closed the connection unexpectedly"


@pytest.fixture(autouse=True)
def quick_retries(settings):
    settings.PMA_GRADING = {**settings.PMA_GRADING, "DB_RETRY_DELAYS": [0.01, 0.01, 0.01]}


@pytest.fixture
def signals():
    sent: list[int] = []

    def record(sender, submission, **kwargs):
        sent.append(submission.pk)

    submission_graded.connect(record, dispatch_uid="test-reliability-signals")
    yield sent
    submission_graded.disconnect(dispatch_uid="test-reliability-signals")


def failing_first(monkeypatch, name: str, *, after_commit: bool) -> list[int]:
    """Make grade_run.<name> fail once with a dropped connection, before or after its work landed."""
    real = getattr(services, name)
    calls: list[int] = []

    def flaky(**kwargs):
        calls.append(kwargs.get("number", 0))
        if len(calls) == 1:
            if after_commit:
                # The COMMIT landed but its reply did not: Django drops on-commit callbacks then.
                send = services.send_graded_on_commit
                services.send_graded_on_commit = lambda submission: None
                try:
                    real(**kwargs)
                finally:
                    services.send_graded_on_commit = send
            raise OperationalError(DROPPED)
        return real(**kwargs)

    monkeypatch.setattr(services, name, flaky)
    return calls


def submit(enrolled, exercise, course) -> Submission:
    # The immediate backend grades on commit, outside any transaction, like a worker.
    pk = submission_create(
        learner=enrolled, exercise=exercise, course_page=course, answers=CORRECT, kind="submit"
    ).pk
    return Submission.objects.get(pk=pk)


@pytest.mark.parametrize(
    "after_commit", [False, True], ids=["dropped-before-commit", "reply-lost-after-commit"]
)
def test_storing_the_grade_is_retried_and_lands_once(
    monkeypatch, enrolled, exercise, course, fake_engine, signals, after_commit
):
    calls = failing_first(monkeypatch, "_store_result", after_commit=after_commit)

    submission = submit(enrolled, exercise, course)

    assert calls == [1, 2]
    assert (submission.status, submission.score, submission.claims) == (
        SubmissionStatus.GRADED,
        5.0,
        1,
    )
    assert len(fake_engine.calls) == 1
    assert signals == [submission.pk]


@pytest.mark.parametrize(
    "after_commit", [False, True], ids=["dropped-before-commit", "reply-lost-after-commit"]
)
def test_claiming_is_retried_and_claims_once(
    monkeypatch, enrolled, exercise, course, fake_engine, signals, after_commit
):
    real_claim = services._claim
    calls: list[bool] = []

    def flaky_claim(**kwargs):
        calls.append(True)
        if len(calls) == 1:
            if after_commit:
                real_claim(**kwargs)
            raise OperationalError(DROPPED)
        return real_claim(**kwargs)

    monkeypatch.setattr(services, "_claim", flaky_claim)

    submission = submit(enrolled, exercise, course)

    assert len(calls) == 2
    assert (submission.status, submission.score, submission.claims) == (
        SubmissionStatus.GRADED,
        5.0,
        1,
    )
    assert len(fake_engine.calls) == 1
    assert signals == [submission.pk]


def test_a_database_that_stays_down_leaves_the_submission_to_the_reaper(
    monkeypatch, enrolled, exercise, course, fake_engine, signals, caplog
):
    def down(**kwargs):
        raise OperationalError(DROPPED)

    real_store = services._store_result
    monkeypatch.setattr(services, "_store_result", down)
    monkeypatch.setattr(submit_service, "enqueue_grading", lambda submission_id: None)
    pk = submit(enrolled, exercise, course).pk

    with pytest.raises(OperationalError):
        services.submission_grade(submission_id=pk, worker="host:1:1")
    stuck = Submission.objects.get(pk=pk)
    assert (stuck.status, stuck.claims, stuck.worker_id) == (
        SubmissionStatus.RUNNING,
        1,
        "host:1:1",
    )
    assert "(try 4 of 4)" not in caplog.text and "(try 3 of 4)" in caplog.text

    # The database is back; the lease runs out; the reaper gives it to the next worker.
    monkeypatch.setattr(services, "_store_result", real_store)
    Submission.objects.filter(pk=pk).update(lease_expires_at=stuck.started_at)
    assert submission_reap_expired() == 1
    graded = Submission.objects.get(pk=pk)
    assert (graded.status, graded.score, graded.claims) == (SubmissionStatus.GRADED, 5.0, 2)
    assert signals == [pk]
