"""manage.py grading_reaper --once: re-queues expired leases, says how many, and lets a failure through."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from grading.models import Submission, SubmissionStatus
from grading.services import submission_create

from .submissions_support import CORRECT

pytestmark = pytest.mark.django_db


def reap(*args: str) -> str:
    out = StringIO()
    call_command("grading_reaper", "--once", *args, stdout=out)
    return out.getvalue()


def test_once_requeues_an_expired_lease_and_says_so(
    enrolled, exercise, course, fake_engine, django_capture_on_commit_callbacks
):
    submission = submission_create(
        learner=enrolled, exercise=exercise, course_page=course, answers=CORRECT, kind="submit"
    )
    Submission.objects.filter(pk=submission.pk).update(
        status=SubmissionStatus.RUNNING,
        worker_id="dead-worker",
        lease_expires_at=timezone.now() - timedelta(seconds=5),
        claims=1,
    )

    with django_capture_on_commit_callbacks(execute=True):
        output = reap()

    assert output == "Re-queued 1 submission(s).\n"
    submission.refresh_from_db()
    assert (submission.status, submission.claims, submission.score) == (
        SubmissionStatus.GRADED,
        2,
        5.0,
    )


def test_a_sweep_with_nothing_to_do_is_quiet_unless_verbose():
    assert reap() == ""
    assert reap("--verbosity", "2") == "Re-queued 0 submission(s).\n"


def test_once_lets_the_failure_of_its_sweep_through(monkeypatch):
    def unreachable():
        raise ConnectionError("Redis is unreachable")

    monkeypatch.setattr(
        "grading.management.commands.grading_reaper.submission_reap_expired", unreachable
    )
    with pytest.raises(ConnectionError, match="Redis is unreachable"):
        reap()
