"""Faults with real processes: a worker killed mid-grading, Redis restarted with jobs queued,
the database connection of a grading worker cut. The database is the source of truth: every
submission ends graded exactly once."""

from decimal import Decimal

import pytest
from django.db import connection

from grading.models import Submission, SubmissionStatus
from grading.services import submission_create
from tests.grading.submissions_support import CORRECT, PARTIAL
from tests.integration.conftest import SLOW_RICE_ANSWER, counted_points
from tests.integration.processes import needs_postgres, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.sandbox, needs_postgres]

SLOW_CORRECT = {**CORRECT, "rice_answer": SLOW_RICE_ANSWER}


def running(pk: int) -> Submission | None:
    return Submission.objects.filter(pk=pk, status=SubmissionStatus.RUNNING).first()


def all_done(ids: list[int]) -> list[Submission] | None:
    found = list(Submission.objects.filter(pk__in=ids).order_by("pk"))
    return found if all(s.is_done for s in found) else None


def worker_pid(submission: Submission) -> str:
    return submission.worker_id.split(":")[1]


def test_worker_killed_while_grading_is_graded_exactly_once_after_its_lease(
    deployment, course, exercise, enrol
):
    deployment.lease_seconds = 30
    doomed = deployment.start_worker("worker-doomed")
    [learner] = enrol(1)
    pk = submission_create(
        learner=learner, exercise=exercise, course_page=course, answers=SLOW_CORRECT, kind="submit"
    ).pk
    taken = wait_until(
        lambda: running(pk), timeout=120, what="the first worker to claim the submission"
    )
    assert (worker_pid(taken), taken.claims) == (str(doomed.pid), 1)

    doomed.kill9()
    survivor = deployment.start_worker("worker-survivor")
    reaper = deployment.start_reaper(interval=1)
    graded = wait_until(
        lambda: all_done([pk]), timeout=240, what="the reaper and the second worker"
    )[0]

    assert (graded.status, graded.score, graded.attempt, graded.claims) == (
        SubmissionStatus.GRADED,
        5.0,
        1,
        2,
    )
    assert worker_pid(graded) == str(survivor.pid)
    # Taken back only once the dead worker's lease had run out, never while it might still finish.
    assert graded.started_at >= taken.lease_expires_at
    assert Submission.objects.filter(learner=learner).count() == 1
    # Recorded by the worker's on-commit signal, a moment after the grade itself.
    wait_until(
        lambda: counted_points(learner) == Decimal("8.333333"), timeout=30, what="the course score"
    )
    assert "Re-queued 1 submission(s)." in reaper.output()


def test_jobs_lost_with_a_redis_restart_are_requeued_from_the_database(
    deployment, course, exercise, enrol
):
    deployment.lease_seconds = 20
    worker = deployment.start_worker("worker-a")
    people = enrol(4)
    busy = submission_create(
        learner=people[0],
        exercise=exercise,
        course_page=course,
        answers=SLOW_CORRECT,
        kind="submit",
    ).pk
    wait_until(
        lambda: running(busy), timeout=120, what="the worker to start on the slow submission"
    )
    waiting = [
        submission_create(
            learner=person, exercise=exercise, course_page=course, answers=given, kind="submit"
        ).pk
        for person, given in zip(people[1:], [CORRECT, PARTIAL, CORRECT], strict=True)
    ]
    assert deployment.redis.queue_length("grading") == 3

    deployment.redis.restart()  # no persistence: the three queued jobs are gone
    assert deployment.redis.queue_length("grading") == 0
    assert set(Submission.objects.filter(pk__in=waiting).values_list("status", flat=True)) == {
        "queued"
    }
    deployment.start_reaper(interval=1)
    graded = wait_until(
        lambda: all_done([busy, *waiting]), timeout=240, what="re-queued submissions"
    )

    assert [(s.status, s.score, s.claims) for s in graded] == [
        (SubmissionStatus.GRADED, 5.0, 1),
        (SubmissionStatus.GRADED, 5.0, 1),
        (SubmissionStatus.GRADED, 3.5, 1),
        (SubmissionStatus.GRADED, 5.0, 1),
    ]
    assert worker.alive(), "the worker reconnects to the restarted Redis by itself"


def test_database_connection_cut_while_grading_is_retried_and_graded_once(
    deployment, course, exercise, enrol
):
    worker = deployment.start_worker("worker-cut")
    [learner] = enrol(1)
    pk = submission_create(
        learner=learner, exercise=exercise, course_page=course, answers=SLOW_CORRECT, kind="submit"
    ).pk
    wait_until(lambda: running(pk), timeout=120, what="the worker to claim the submission")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = %s",
            ["worker-cut"],
        )
        assert cursor.fetchone()[0] >= 1

    graded = wait_until(lambda: all_done([pk]), timeout=180, what="the worker to store the grade")[
        0
    ]

    assert (graded.status, graded.score, graded.claims) == (SubmissionStatus.GRADED, 5.0, 1)
    assert worker_pid(graded) == str(worker.pid)
    assert (
        f"Database error while storing the grade of submission {pk} (try 1 of 6)" in worker.output()
    )
    # Recorded by the worker's on-commit signal, a moment after the grade itself.
    wait_until(
        lambda: counted_points(learner) == Decimal("8.333333"), timeout=30, what="the course score"
    )
