"""What a learner did in a course: enrolment, lessons completed, knowledge-check answers, quiz
attempts, counted exercise scores, progress, and the per-test tallies behind the analytics.

Each record points at the pages of courses.models.pages, which this module imports (the pages
never import it). Written through courses.services only.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from exercises.points import PointsField

from .cohorts import Cohort
from .pages import CoursePage, LessonPage


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    UNENROLLED = "unenrolled", _("Unenrolled")


# Longer names are cut for sorting only; they still show whole.
SORT_NAME_MAX_LENGTH = 255


class Enrolment(models.Model):
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="enrolments")
    status = models.CharField(
        max_length=20, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ACTIVE
    )
    enrolled_at = models.DateTimeField()
    unenrolled_at = models.DateTimeField(null=True, blank=True)
    last_lesson = models.ForeignKey(
        LessonPage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_activity_at = models.DateTimeField(null=True, blank=True)
    # The learner's name as the gradebook sorts it (courses.learner_names keeps it in step with
    # the learner), stored so a page of a big course reads the index in order.
    sort_name = models.CharField(max_length=SORT_NAME_MAX_LENGTH, blank=True, editable=False)
    # The cohort the learner runs with, if the course has cohorts; losing the cohort keeps the
    # enrolment (and everything the learner did).
    cohort = models.ForeignKey(
        Cohort, null=True, blank=True, on_delete=models.SET_NULL, related_name="enrolments"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["learner", "course"], name="unique_enrolment")
        ]
        indexes = [
            models.Index(fields=["learner", "status"]),
            models.Index(fields=["course", "sort_name", "id"], name="enrolment_gradebook_order"),
            models.Index(
                fields=["course", "cohort", "sort_name", "id"], name="enrolment_cohort_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.learner} in {self.course}"

    @property
    def is_active(self) -> bool:
        return self.status == EnrolmentStatus.ACTIVE


class LessonCompletion(models.Model):
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_completions"
    )
    lesson = models.ForeignKey(LessonPage, on_delete=models.CASCADE, related_name="completions")
    completed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["learner", "lesson"], name="unique_lesson_completion")
        ]

    def __str__(self) -> str:
        return f"{self.learner} completed {self.lesson}"


class KnowledgeCheckAnswer(models.Model):
    """The learner's latest answer to one knowledge check; block_id is the StreamField block id."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="knowledge_check_answers"
    )
    lesson = models.ForeignKey(LessonPage, on_delete=models.CASCADE, related_name="check_answers")
    block_id = models.CharField(max_length=64)
    selected_option_ids = models.JSONField(default=list)
    is_correct = models.BooleanField(default=False)
    attempts = models.PositiveIntegerField(default=0)
    answered_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "lesson", "block_id"], name="unique_knowledge_check_answer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.learner} on {self.lesson} ({self.block_id})"


class QuizAttempt(models.Model):
    """One submitted attempt at a graded quiz (blocks.QuizBlock); block_id is the quiz's block id.

    Attempts are numbered from 1 per learner and quiz. The unique number is what keeps the limit:
    two requests racing for the last attempt both ask for the same number, and only one is
    written. Attempts are kept for good, whatever the quiz becomes.
    """

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    lesson = models.ForeignKey(LessonPage, on_delete=models.CASCADE, related_name="quiz_attempts")
    block_id = models.CharField(max_length=64)
    number = models.PositiveSmallIntegerField()
    # The drawn questions in the order asked, each with the chosen option ids and whether right:
    # [{"question": id, "selected": [option ids], "correct": bool}, ...]
    answers = models.JSONField(default=list)
    correct = models.PositiveSmallIntegerField()
    total = models.PositiveSmallIntegerField()
    submitted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "lesson", "block_id", "number"], name="unique_quiz_attempt"
            )
        ]

    def __str__(self) -> str:
        return f"{self.learner} on {self.lesson} ({self.block_id}) #{self.number}"


class CourseExerciseScore(models.Model):
    """The best score a learner reached on one exercise of a course (written by grading)."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="exercise_scores"
    )
    # PROTECT: a learner's score must never vanish silently; an exercise with scores cannot be
    # deleted (its submissions protect it too).
    exercise = models.ForeignKey(
        "exercises.Exercise", on_delete=models.PROTECT, related_name="course_scores"
    )
    # Stored as grading stores the submission's score (exercises.points): a full score equals
    # max_points.
    points = PointsField()
    max_points = PointsField()
    # The counted attempt's late penalty (grading.late): `points` is after it; the score before
    # it is kept so the gradebook shows both, with the reason.
    late_penalty_percent = models.PositiveSmallIntegerField(default=0)
    raw_points = PointsField(null=True, blank=True)
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "exercise"], name="unique_exercise_score")
        ]
        indexes = [
            # Covers the analytics' score distributions: one course's scores are read from the
            # index alone (20 -> 10 ms for a course of 4,876 learners, bench/scale).
            models.Index(
                fields=["enrolment", "exercise", "points", "max_points"],
                name="exercise_score_covering",
            )
        ]

    def __str__(self) -> str:
        return f"{self.exercise_id}: {self.points}/{self.max_points}"


class CourseProgress(models.Model):
    """Stored progress of one enrolment; recomputed by services.progress_recompute."""

    enrolment = models.OneToOneField(Enrolment, on_delete=models.CASCADE, related_name="progress")
    lessons_done = models.PositiveIntegerField(default=0)
    lessons_total = models.PositiveIntegerField(default=0)
    checks_correct = models.PositiveIntegerField(default=0)
    checks_total = models.PositiveIntegerField(default=0)
    exercise_points = PointsField(default=0)
    exercise_max_points = PointsField(default=0)
    percent = models.PositiveSmallIntegerField(default=0)
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "course progress"

    def __str__(self) -> str:
        return f"{self.enrolment}: {self.percent}%"

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None


class ExerciseTestTally(models.Model):
    """How one learner's graded submissions of an exercise in a course fared on one graded test.

    Kept by courses.services from grading's submission_graded signal and summed by the course
    analytics, so failure rates never read submission reports at page time.
    """

    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="+")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # CASCADE: a tally only summarises the learner's graded submissions, which are the record
    # (they PROTECT the exercise) and from which services.course_test_tallies_rebuild recomputes
    # every tally; it holds nothing of its own to lose.
    exercise = models.ForeignKey(
        "exercises.Exercise", on_delete=models.CASCADE, related_name="course_test_tallies"
    )
    grade_id = models.CharField(max_length=200)
    runs = models.PositiveIntegerField(help_text=_("Graded submissions in which the test ran."))
    failures = models.PositiveIntegerField(
        help_text=_("Of those, how many earned less than full marks on it (or never reached it).")
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["course", "learner", "exercise", "grade_id"],
                name="unique_exercise_test_tally",
            )
        ]
        # Covers the analytics' sum per test, so it reads the index alone.
        indexes = [
            models.Index(
                fields=["course", "exercise", "grade_id", "runs", "failures"],
                name="test_tally_per_test_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.exercise_id}/{self.grade_id}: {self.failures} of {self.runs}"
