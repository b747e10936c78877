"""Background tasks of the grading app: thin, take ids, call services."""

from __future__ import annotations

import os
import socket
import threading

from django_tasks import task

from exercises.models import ExerciseRevision

from . import services
from .services import runs


def worker_id() -> str:
    """Who is grading, for the submission's record and the claim check."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


@task(queue_name="grading")
def exercise_validate_task(*, revision_id: int) -> str:
    revision = ExerciseRevision.objects.select_related("exercise").get(pk=revision_id)
    return services.exercise_revision_validate(revision=revision).validation_status


@task(queue_name="grading")
def submission_grade_task(*, submission_id: int) -> str:
    # Reaping first means a restarted worker picks up what its dead predecessor left running.
    services.submission_reap_expired()
    return services.submission_grade(submission_id=submission_id, worker=worker_id()).status


@task(queue_name="grading")
def regrade_batch_task(*, batch_id: int) -> str:
    return services.regrade_batch_run(batch_id=batch_id, worker=worker_id()).status


@task(queue_name="runs")
def notebook_run_task(*, run_id: int) -> str:
    # Its own queue and worker, so a learner's run never waits behind grading nor delays it.
    return runs.notebook_run_execute(run_id=run_id, worker=worker_id()).status
