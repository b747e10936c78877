"""Background tasks of the grading app: thin, take ids, call services."""

from __future__ import annotations

from django_tasks import task

from exercises.models import ExerciseRevision

from . import services


@task(queue_name="grading")
def exercise_validate_task(*, revision_id: int) -> str:
    revision = ExerciseRevision.objects.select_related("exercise").get(pk=revision_id)
    return services.exercise_revision_validate(revision=revision).validation_status
