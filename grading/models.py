"""Submissions, their grades, instructor overrides and regrade batches.

A submission is written before any slow work starts and is never deleted: a new attempt
supersedes it, an override or a regrade is recorded beside it. The course a submission was
made in is a plain `wagtailcore.Page`, because grading must not import courses.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from exercises.points import PointsField, stored_points


class SubmissionKind(models.TextChoices):
    SUBMIT = "submit", _("Submission")
    CHECK = "check", _("Check")


class SubmissionStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    GRADED = "graded", _("Graded")
    FAILED = "failed", _("Failed")


class SubmissionOrigin(models.TextChoices):
    UPLOAD = "upload", _("Uploaded notebook")
    EDITOR = "editor", _("Edited in the browser")


class DueSource(models.TextChoices):
    """Where the due date a submission was judged against came from (grading.late)."""

    NONE = "none", _("No due date")
    EXERCISE = "exercise", _("The exercise's due date")
    SCHEDULE = "schedule", _("The learner's cohort due date")
    EXTENSION = "extension", _("An extension")


def penalised_points(score: Decimal, percent: int) -> Decimal:
    """`score` less `percent` of it, rounded as every stored score is (exercises.points)."""
    if not percent:
        return score
    return stored_points(Fraction(score) * (100 - percent) / 100)


class ManualStatus(models.TextChoices):
    """Where a submission stands with its manually graded cells (grading.services.manual)."""

    NONE = "none", _("Nothing to grade by hand")
    PENDING = "pending", _("Waiting for an instructor")
    GRADED = "graded", _("Graded by an instructor")


def _notebook_path(submission: Submission, filename: str) -> str:
    # Unguessable names: media storage may be served publicly by a misconfigured proxy.
    return f"submissions/{submission.exercise_id}/{submission.learner_id}/{uuid.uuid4().hex}.ipynb"


class Submission(models.Model):
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submissions"
    )
    exercise = models.ForeignKey(
        "exercises.Exercise", on_delete=models.PROTECT, related_name="submissions"
    )
    revision = models.ForeignKey(
        "exercises.ExerciseRevision",
        on_delete=models.PROTECT,
        related_name="submissions",
        help_text=_("The exercise source it is (or was last) graded against."),
    )
    course_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The course the learner submitted in."),
    )
    kind = models.CharField(max_length=10, choices=SubmissionKind.choices)
    origin = models.CharField(max_length=10, choices=SubmissionOrigin.choices)
    status = models.CharField(
        max_length=10, choices=SubmissionStatus.choices, default=SubmissionStatus.QUEUED
    )
    failure_reason = models.TextField(blank=True)
    notebook = models.FileField(upload_to=_notebook_path, max_length=255)
    notebook_sha256 = models.CharField(max_length=64)
    answers = models.JSONField(
        default=dict, blank=True, help_text=_("The learner's answer cells: grade_id → text.")
    )
    seed = models.BigIntegerField(help_text=_("Seeds the sealed checks' hidden inputs."))
    attempt = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Checks are not attempts.")
    )
    created_at = models.DateTimeField()
    queued_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    worker_id = models.CharField(max_length=200, blank=True)
    claims = models.PositiveSmallIntegerField(
        default=0,
        help_text=_("How many times a worker started grading it (more than one after a crash)."),
    )
    report = models.JSONField(null=True, blank=True)
    outputs = models.JSONField(
        default=dict,
        blank=True,
        help_text=_("Sanitised outputs of the learner's answer cells, by grade_id."),
    )
    # Points as exercises.points stores them: the report's exact values rounded one way, so a
    # full score equals max_score. The exact values are in the report.
    score = PointsField(null=True, blank=True)
    max_score = PointsField(default=0)
    override_score = PointsField(
        null=True,
        blank=True,
        help_text=_("Set by an instructor's override; it wins over the graded score."),
    )
    needs_review = models.BooleanField(default=False)
    # Pending while a manually graded cell has no ManualGrade yet: the score is then the
    # auto-graded part only, and provisional. Graded: the score includes every manual grade.
    manual_status = models.CharField(
        max_length=10, choices=ManualStatus.choices, default=ManualStatus.NONE
    )
    # The late policy as judged for this submission (grading.late): the due date that held for
    # the learner, where it came from, the started days after it, and the percent taken off the
    # graded score. Recomputed (and audited) when an extension or a due date changes.
    due_at = models.DateTimeField(null=True, blank=True)
    due_source = models.CharField(max_length=10, choices=DueSource.choices, default=DueSource.NONE)
    late_days = models.PositiveSmallIntegerField(default=0)
    late_penalty_percent = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "exercise", "course_page", "attempt"],
                condition=Q(kind="submit"),
                name="unique_submission_attempt",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="submit", attempt__isnull=False) | Q(kind="check", attempt__isnull=True)
                ),
                name="submission_attempt_only_for_submit",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0),
                name="submission_score_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(late_penalty_percent__lte=100),
                name="submission_late_penalty_at_most_100",
            ),
        ]
        indexes = [
            models.Index(fields=["learner", "exercise", "course_page", "kind"]),
            models.Index(fields=["status", "lease_expires_at"]),
            models.Index(fields=["learner", "created_at"]),
            # The course analytics count a course's recent submissions per day and kind from
            # this index alone.
            models.Index(
                fields=["course_page", "created_at", "kind"], name="submission_course_activity"
            ),
            # The grading queue: an exercise's submissions waiting for review, oldest first.
            models.Index(
                fields=["exercise", "manual_status", "created_at"], name="submission_review_queue"
            ),
        ]

    def __str__(self) -> str:
        what = f"attempt {self.attempt}" if self.kind == SubmissionKind.SUBMIT else "check"
        return f"{self.exercise} by {self.learner} ({what})"

    @property
    def is_done(self) -> bool:
        return self.status in (SubmissionStatus.GRADED, SubmissionStatus.FAILED)

    @property
    def raw_score(self) -> Decimal | None:
        """The score before any late penalty: an instructor's override wins over the graded one."""
        return self.override_score if self.override_score is not None else self.score

    @property
    def late_penalty_applies(self) -> bool:
        """An override is the points the instructor decided: the late penalty never touches it."""
        return self.late_penalty_percent > 0 and self.override_score is None

    @property
    def counted_score(self) -> Decimal | None:
        """The score that counts: an instructor's override wins over the graded score; a late
        penalty takes its percent off the graded score (grading.late)."""
        if self.override_score is not None or self.score is None:
            return self.raw_score
        return penalised_points(self.score, self.late_penalty_percent)

    @property
    def awaiting_review(self) -> bool:
        """The score is provisional: manual cells wait for an instructor and no override decides."""
        return self.manual_status == ManualStatus.PENDING and self.override_score is None


class GradeOverride(models.Model):
    """The audit trail of manual grade changes: who, when, old → new, and why."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="overrides")
    old_score = PointsField(null=True, blank=True)
    new_score = PointsField()
    reason = models.TextField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="grade_override_reason_required"),
            models.CheckConstraint(
                condition=Q(new_score__gte=0), name="grade_override_score_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission}: {self.old_score} → {self.new_score}"


class ManualGrade(models.Model):
    """An instructor's grade for one manually graded cell of a submission, with written feedback.

    One row per (submission, cell), changed only by grading.services.manual_grade_set, which
    writes a ManualGradeChange for every change. ``max_points`` is the cell's worth as the stored
    report gives it, so a later revision of the exercise cannot move the bound under a grade.
    """

    submission = models.ForeignKey(
        Submission, on_delete=models.PROTECT, related_name="manual_grades"
    )
    grade_id = models.CharField(max_length=200)
    max_points = PointsField()
    points = PointsField()
    rubric_levels = models.JSONField(
        default=list,
        blank=True,
        help_text=_(
            "The rubric levels chosen, as they read when chosen: criterion, level, points."
        ),
    )
    feedback = models.TextField(blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    graded_at = models.DateTimeField()

    class Meta:
        ordering = ["submission", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "grade_id"], name="unique_manual_grade_per_cell"
            ),
            models.CheckConstraint(
                condition=Q(points__gte=0) & Q(points__lte=models.F("max_points")),
                name="manual_grade_points_within_max",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission}: {self.grade_id} {self.points}/{self.max_points}"


class ManualGradeChange(models.Model):
    """The append-only audit of manual grades: who changed which cell's grade, when, old → new."""

    grade = models.ForeignKey(ManualGrade, on_delete=models.PROTECT, related_name="changes")
    old_points = PointsField(null=True, blank=True)
    new_points = PointsField()
    old_feedback = models.TextField(blank=True)
    new_feedback = models.TextField(blank=True)
    old_levels = models.JSONField(default=list, blank=True)
    new_levels = models.JSONField(default=list, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.grade.grade_id}: {self.old_points} → {self.new_points}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("The manual grading audit is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The manual grading audit is append-only.")


class RegradeStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")


class RegradeBatch(models.Model):
    """Regrading one submission or every submission of an exercise against its current revision."""

    exercise = models.ForeignKey(
        "exercises.Exercise", on_delete=models.PROTECT, related_name="regrades"
    )
    revision = models.ForeignKey(
        "exercises.ExerciseRevision", on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=RegradeStatus.choices, default=RegradeStatus.QUEUED
    )
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "regrade batches"

    def __str__(self) -> str:
        return f"Regrade of {self.exercise} ({self.done}/{self.total})"

    @property
    def percent(self) -> int:
        return self.done * 100 // self.total if self.total else 100


class RegradeChange(models.Model):
    """One line of a regrade's diff; the earlier grade is kept here, so nothing is lost."""

    batch = models.ForeignKey(RegradeBatch, on_delete=models.CASCADE, related_name="changes")
    submission = models.ForeignKey(
        Submission, on_delete=models.PROTECT, related_name="regrade_changes"
    )
    old_revision = models.ForeignKey(
        "exercises.ExerciseRevision", on_delete=models.PROTECT, related_name="+"
    )
    old_status = models.CharField(max_length=10, choices=SubmissionStatus.choices)
    old_score = PointsField(null=True, blank=True)
    old_report = models.JSONField(null=True, blank=True)
    new_score = PointsField(null=True, blank=True)
    new_status = models.CharField(max_length=10, choices=SubmissionStatus.choices, blank=True)
    done = models.BooleanField(default=False)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "submission"], name="unique_regrade_change"),
        ]

    def __str__(self) -> str:
        return f"{self.submission}: {self.old_score} → {self.new_score}"

    @property
    def changed(self) -> bool:
        return self.done and (
            self.old_score != self.new_score or self.old_status != self.new_status
        )


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    TIMED_OUT = "timed_out", _("Timed out")
    FAILED = "failed", _("Failed")


#: The states a run leaves only through a worker (or the stale-run sweep).
RUN_ACTIVE_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)


class NotebookRun(models.Model):
    """A learner running their notebook up to one cell, without using an attempt.

    Scratch work, not a submission: no score, no verdict, never counted. Stored before it is
    queued (on the ``runs`` queue, apart from grading) so its state can be polled; only the last
    few of each learner's runs of an exercise are kept (grading.services.runs).
    """

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notebook_runs"
    )
    exercise = models.ForeignKey(
        "exercises.Exercise", on_delete=models.CASCADE, related_name="notebook_runs"
    )
    revision = models.ForeignKey(
        "exercises.ExerciseRevision", on_delete=models.CASCADE, related_name="+"
    )
    course_page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    up_to = models.PositiveIntegerField(
        help_text=_("The last cell run: its 0-based position in the exercise notebook.")
    )
    answers = models.JSONField(
        default=dict, blank=True, help_text=_("The learner's answer cells: grade_id → text.")
    )
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    outputs = models.JSONField(
        default=list,
        blank=True,
        help_text=_("Each cell run, in order: its position, status and sanitised outputs."),
    )
    message = models.TextField(blank=True)
    worker_id = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["learner", "exercise", "created_at"]),
            models.Index(fields=["learner", "status"]),
        ]

    def __str__(self) -> str:
        return f"Run of {self.exercise} by {self.learner} to cell {self.up_to + 1}"

    @property
    def is_done(self) -> bool:
        return self.status not in RUN_ACTIVE_STATUSES


class Extension(models.Model):
    """One learner's own due date for one exercise of one course, granted by an instructor.

    It replaces the cohort's or the exercise's date for that learner (grading.late). Changing or
    revoking it re-judges the learner's submissions; every change is in ExtensionChange.
    """

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="extensions"
    )
    exercise = models.ForeignKey(
        "exercises.Exercise", on_delete=models.CASCADE, related_name="extensions"
    )
    course_page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    due_at = models.DateTimeField(_("new due date"))
    reason = models.TextField(_("reason"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField()

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "exercise", "course_page"], name="unique_extension"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="extension_reason_required"),
        ]

    def __str__(self) -> str:
        return f"{self.learner} on {self.exercise_id} until {self.due_at:%Y-%m-%d %H:%M}"


class ExtensionAction(models.TextChoices):
    GRANTED = "granted", _("Granted")
    CHANGED = "changed", _("Changed")
    REVOKED = "revoked", _("Revoked")


class ExtensionChange(models.Model):
    """Append-only audit of extensions: who gave which learner what date, why, and how many of
    their submissions' late penalties changed because of it."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="extension_changes"
    )
    exercise = models.ForeignKey(
        "exercises.Exercise", on_delete=models.PROTECT, related_name="extension_changes"
    )
    course_page = models.ForeignKey(
        "wagtailcore.Page", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=10, choices=ExtensionAction.choices)
    old_due_at = models.DateTimeField(null=True, blank=True)
    new_due_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField()
    penalties_changed = models.PositiveIntegerField(default=0)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.learner_id} on {self.exercise_id} at {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Extension changes are an audit record: they are never edited.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Extension changes are an audit record: they are never deleted.")
