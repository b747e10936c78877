"""Writes on an exercise: validating its revisions in the sandbox, and its attempt policy."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from exercises.format import load_notebook_bytes
from exercises.format.autotest import RULES_FILENAME
from exercises.models import (
    Exercise,
    ExerciseRevision,
    LatePolicy,
    ScorePolicy,
    ValidationStatus,
)
from exercises.services import exercise_revision_record_validation
from grading.engine.sandbox import SandboxUnavailable
from grading.engine.sandbox.files import KernelFile, with_files
from grading.engine.validate import validate_exercise

from ..kernels import grading_limits, kernel_provider

logger = logging.getLogger(__name__)


def exercise_revision_validate(*, revision: ExerciseRevision) -> ExerciseRevision:
    """Run the reference solution and the release notebook in the sandbox and store the verdict."""
    with revision.source.open("rb") as fh:
        data = fh.read()
    notebook = load_notebook_bytes(data, max_bytes=len(data) + 1)
    try:
        kernels = with_files(kernel_provider(), revision_kernel_files(revision=revision))
        report = validate_exercise(
            notebook,
            kernels=kernels,
            limits=grading_limits(),
            autotest_rules=revision_autotest_rules(revision=revision),
        )
    except SandboxUnavailable as exc:
        logger.error("Cannot validate %s: %s", revision, exc)
        return exercise_revision_record_validation(
            revision=revision, report=None, error=f"The grading sandbox is not available: {exc}"
        )
    return exercise_revision_record_validation(
        revision=revision,
        report=report.to_dict(),
        graded_source=report.source if report.autotests else None,
    )


def revision_autotest_rules(*, revision: ExerciseRevision) -> str | None:
    """The author's rules for nbgrader AUTOTEST lines: the revision's file named autotests.yml,
    beside the notebook as nbgrader finds it in the assignment's directory (None: the defaults)."""
    stored = revision.files.filter(name=RULES_FILENAME).first()
    if stored is None:
        return None
    with stored.file.open("rb") as fh:
        return fh.read().decode("utf-8", errors="replace")


def revision_kernel_files(*, revision: ExerciseRevision) -> tuple[KernelFile, ...]:
    """The revision's data files as every kernel that runs it finds them (read-only, in its
    working directory); read from the private storage once per grading."""
    files = []
    for stored in revision.files.all():
        with stored.file.open("rb") as fh:
            files.append(KernelFile(name=stored.name, data=fh.read()))
    return tuple(files)


def exercise_revision_validate_later(*, revision: ExerciseRevision) -> None:
    """Enqueue validation once the revision is committed."""
    from ..tasks import exercise_validate_task

    transaction.on_commit(lambda: exercise_validate_task.enqueue(revision_id=revision.pk))


def exercise_revision_revalidate(*, revision: ExerciseRevision) -> None:
    """An instructor asks again (e.g. after the sandbox was repaired): back to pending, then validate."""
    revision.validation_status = ValidationStatus.PENDING
    revision.save(update_fields=["validation_status"])
    exercise_revision_validate_later(revision=revision)


def exercise_attempt_policy_set(
    *,
    exercise: Exercise,
    max_attempts: int | None,
    cooldown_seconds: int,
    score_policy: str,
    due_at: Any | None,
    late_policy: str = "",
    late_penalty_per_day: int | None = None,
    late_penalty_cap: int | None = None,
) -> Exercise:
    """Set how often and until when learners may submit, which attempt counts, and what happens
    after the due date (grading.late). Work already handed in is judged again by the new rules."""
    exercise.max_attempts = max_attempts
    exercise.cooldown_seconds = cooldown_seconds or 0
    exercise.score_policy = score_policy or ScorePolicy.BEST
    exercise.due_at = due_at
    exercise.late_policy = late_policy or LatePolicy.CLOSED
    if late_penalty_per_day is not None:
        exercise.late_penalty_per_day = late_penalty_per_day
    if late_penalty_cap is not None:
        exercise.late_penalty_cap = late_penalty_cap
    exercise.full_clean(
        exclude=[f.name for f in exercise._meta.fields if f.name not in LATE_POLICY_FIELDS]
    )
    exercise.save(
        update_fields=[
            "max_attempts",
            "cooldown_seconds",
            "score_policy",
            "due_at",
            *LATE_POLICY_FIELDS,
            "updated_at",
        ]
    )
    from ..late import late_rejudge_exercise

    late_rejudge_exercise(exercise=exercise)
    return exercise


LATE_POLICY_FIELDS = ("late_policy", "late_penalty_per_day", "late_penalty_cap")
