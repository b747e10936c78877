"""Two RQ worker processes on a real Redis grade submissions end to end through the sandbox."""

from decimal import Decimal

import pytest
from rq.registry import FailedJobRegistry

from grading.models import Submission, SubmissionStatus
from grading.services import submission_create
from tests.grading.submissions_support import CORRECT, PARTIAL

from .conftest import counted_points
from .processes import needs_postgres, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.sandbox, needs_postgres]


def all_done(ids: list[int]) -> list[Submission] | None:
    found = list(Submission.objects.filter(pk__in=ids).order_by("pk"))
    return found if all(s.is_done for s in found) else None


def test_two_rq_workers_grade_submissions_end_to_end(deployment, course, exercise, enrol):
    workers = [deployment.start_worker("worker-a"), deployment.start_worker("worker-b")]
    people = enrol(4)
    answers = [CORRECT, PARTIAL, CORRECT, PARTIAL]
    # Each call commits, and on commit enqueues into Redis, exactly as the submit view does.
    ids = [
        submission_create(
            learner=person, exercise=exercise, course_page=course, answers=given, kind="submit"
        ).pk
        for person, given in zip(people, answers, strict=True)
    ]
    ids.append(
        submission_create(
            learner=people[0], exercise=exercise, course_page=course, answers=CORRECT, kind="check"
        ).pk
    )

    graded = wait_until(
        lambda: all_done(ids), timeout=240, what="five submissions to be graded by the workers"
    )

    assert [(s.kind, s.attempt, s.status, s.score, s.max_score, s.claims) for s in graded] == [
        ("submit", 1, SubmissionStatus.GRADED, 5.0, 6.0, 1),
        ("submit", 1, SubmissionStatus.GRADED, 3.5, 6.0, 1),
        ("submit", 1, SubmissionStatus.GRADED, 5.0, 6.0, 1),
        ("submit", 1, SubmissionStatus.GRADED, 3.5, 6.0, 1),
        ("check", None, SubmissionStatus.GRADED, 5.0, 6.0, 1),
    ]
    assert [t["status"] for t in graded[1].report["tests"]] == ["passed", "partial", "needs_review"]
    # Graded by the worker processes (hostname:pid:thread), not by this one.
    assert {s.worker_id.split(":")[1] for s in graded} <= {str(w.pid) for w in workers}
    # The signal ran in the worker after commit: courses recorded the counted scores.
    expected = [Decimal("8.333333"), Decimal("5.833333"), Decimal("8.333333"), Decimal("5.833333")]
    wait_until(
        lambda: [counted_points(p) for p in people] == expected, timeout=30, what="course scores"
    )
    client = deployment.redis.client()
    assert deployment.redis.queue_length("grading") == 0
    assert FailedJobRegistry("grading", connection=client).count == 0
