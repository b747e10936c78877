"""Exercises and their revisions.

An `Exercise` is what lessons point at; each uploaded source notebook becomes a new
`ExerciseRevision`, so a grade can always be traced to the exact source it was graded
against and an exercise can be fixed without rewriting history.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.fields import StreamField

from .answer_keys import answer_key_name, answer_key_storage
from .blocks import RubricsBlock
from .format import parse_points
from .points import PointsField

#: The kinds of cell (exercises.format.CellKind values) a person grades.
MANUAL_KINDS = ("manual_answer", "task")


class ValidationStatus(models.TextChoices):
    PENDING = "pending", _("Validation pending")
    VALID = "valid", _("Valid")
    INVALID = "invalid", _("Invalid")
    ERROR = "error", _("Could not validate")


class ScorePolicy(models.TextChoices):
    BEST = "best", _("Best attempt")
    LAST = "last", _("Last attempt")


class LatePolicy(models.TextChoices):
    """What happens to a submission after the learner's due date (grading.late)."""

    CLOSED = "closed", _("Closed: no submissions after the due date")
    PENALTY = "penalty", _("Accepted late, minus a penalty per day")


class Exercise(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    instructions = models.TextField(
        blank=True,
        help_text=_(
            "What the learner computes and why a product manager would. Shown above the notebook."
        ),
    )
    current_revision = models.ForeignKey(
        "ExerciseRevision",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The source learners are graded against."),
    )
    # The attempt policy: enforced by grading.services.submission_create, edited in the exercise admin.
    max_attempts = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "How many times a learner may submit. Leave empty for no limit. Checks do not count."
        ),
    )
    cooldown_seconds = models.PositiveIntegerField(
        default=0,
        help_text=_(
            "Seconds a learner waits between two submissions or checks of this exercise (0 = none)."
        ),
    )
    score_policy = models.CharField(
        max_length=10,
        choices=ScorePolicy.choices,
        default=ScorePolicy.BEST,
        help_text=_("Which attempt's score counts towards the course."),
    )
    due_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_(
            "Learners' due date (a cohort's own date or an extension moves it for them). "
            "Leave empty for no deadline."
        ),
    )
    late_policy = models.CharField(
        max_length=10,
        choices=LatePolicy.choices,
        default=LatePolicy.CLOSED,
        help_text=_("What happens to a submission after the learner's due date."),
    )
    late_penalty_per_day = models.PositiveSmallIntegerField(
        default=10,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "Percent of the score taken off for each started day after the due date "
            "(late policy 'penalty')."
        ),
    )
    late_penalty_cap = models.PositiveSmallIntegerField(
        default=50,
        validators=[MaxValueValidator(100)],
        help_text=_("The most that is ever taken off, in percent (late policy 'penalty')."),
    )
    # Edited in the exercise admin, checked there against the current revision's manual cells;
    # read by grading's review screen (grading.services.manual).
    rubrics = StreamField(
        RubricsBlock(),
        blank=True,
        help_text=_(
            "Optional rubrics for the manually graded cells: criteria with levels worth points."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(late_penalty_per_day__lte=100, late_penalty_cap__lte=100),
                name="exercise_late_penalty_at_most_100",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_ready(self) -> bool:
        """Learners can submit only against a revision that passed validation."""
        return (
            self.current_revision is not None
            and self.current_revision.validation_status == ValidationStatus.VALID
        )

    @property
    def max_score(self) -> Decimal:
        return self.current_revision.max_score if self.current_revision else Decimal(0)

    def rubric_for(self, grade_id: str) -> list[dict]:
        """The criteria of the rubric for one cell: [{"title", "levels": [{"label", "points",
        "description"}]}], an empty list when the cell has none."""
        for block in self.rubrics or []:
            if block.block_type == "cell" and block.value["grade_id"] == grade_id:
                return [
                    {
                        "title": criterion["title"],
                        "levels": [dict(level) for level in criterion["levels"]],
                    }
                    for criterion in block.value["criteria"]
                ]
        return []


# Both files live in the private storage under random names (exercises/answer_keys.py): the
# source holds the answer key, and the release reaches learners only after an enrolment check.
def _source_path(revision: ExerciseRevision, filename: str) -> str:
    return answer_key_name("source")


def _release_path(revision: ExerciseRevision, filename: str) -> str:
    return answer_key_name("release")


class ExerciseRevision(models.Model):
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    source = models.FileField(upload_to=_source_path, storage=answer_key_storage, max_length=255)
    original_filename = models.CharField(max_length=255, blank=True)
    source_sha256 = models.CharField(max_length=64)
    origin = models.CharField(max_length=20, help_text=_("nbgrader or otter"))
    max_score = PointsField(default=0)
    structure = models.JSONField(
        default=list, help_text=_("The parsed cells: kind, grade_id, points, sealed check.")
    )
    release = models.FileField(upload_to=_release_path, storage=answer_key_storage, max_length=255)
    validation_status = models.CharField(
        max_length=10, choices=ValidationStatus.choices, default=ValidationStatus.PENDING
    )
    validation_report = models.JSONField(null=True, blank=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["exercise", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["exercise", "number"], name="unique_exercise_revision_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exercise} r{self.number}"

    @property
    def problems(self) -> list[dict]:
        return list((self.validation_report or {}).get("problems", []))

    @property
    def in_kernel_tests(self) -> list[str]:
        """Test cells that run in the learner's kernel because the judge cannot run them."""
        return list((self.validation_report or {}).get("in_kernel_tests", []))

    @property
    def judge_notes(self) -> list[str]:
        return list((self.validation_report or {}).get("notes", []))

    @property
    def manual_cells(self) -> dict[str, Fraction]:
        """The manually graded cells (nbgrader manual answers and tasks, Otter manual questions):
        grade_id → the points they are worth."""
        return {
            str(c["grade_id"]): parse_points(c.get("points")) or Fraction(0)
            for c in self.structure
            if c.get("kind") in MANUAL_KINDS and c.get("grade_id")
        }

    @property
    def tests(self) -> list[dict]:
        """The graded cells: those worth points (exact text such as "1/3", or a number in older rows)."""
        return [c for c in self.structure if parse_points(c.get("points"))]


def _exercise_file_path(exercise_file: ExerciseFile, filename: str) -> str:
    # A random directory like the notebooks' (answer_keys.answer_key_name): the name the
    # instructor gave lives in the row, so the stored name says nothing about the exercise.
    return f"exercises/{secrets.token_urlsafe(18)}/file"


class ExerciseFile(models.Model):
    """A data file of a revision (a CSV, an image, a helper module).

    Learners download it with the release; every kernel that runs the revision finds it,
    read-only, in its working directory under ``name``. Stored in the private storage: a file
    may be the data a hidden test compares against, so it reaches learners only through the
    enrolled-learner download. A new revision carries its predecessor's files forward
    (exercises.services), pointing at the same stored file.
    """

    revision = models.ForeignKey(ExerciseRevision, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=100)
    file = models.FileField(
        upload_to=_exercise_file_path, storage=answer_key_storage, max_length=255
    )
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["revision", "name"]
        constraints = [
            models.UniqueConstraint(fields=["revision", "name"], name="unique_exercise_file_name"),
        ]

    def __str__(self) -> str:
        return f"{self.revision}: {self.name}"
