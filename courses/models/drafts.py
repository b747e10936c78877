"""What a learner has typed into an exercise's answer cells but not necessarily submitted.

One draft per learner, course page and exercise, saved as they type (courses.drafts holds the
writes and reads; courses.draft_views the endpoints). Each save bumps `version`; a save sent
against an older version is refused, so two tabs editing at once never overwrite each other
without the learner choosing to.

Imports pages (for the course) and exercises; nothing here imports learning.
"""

from django.conf import settings
from django.db import models

from exercises.models import Exercise, ExerciseRevision

from .pages import CoursePage


class ExerciseDraft(models.Model):
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exercise_drafts"
    )
    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="+")
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="drafts")
    # The answer cells' text by grade_id, as the learner last left them.
    answers = models.JSONField(default=dict)
    # The revision the answers were written against: a newer one may name its cells otherwise.
    revision = models.ForeignKey(
        ExerciseRevision, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "course", "exercise"], name="unique_exercise_draft"
            )
        ]

    def __str__(self) -> str:
        return f"{self.learner}'s draft of {self.exercise} in {self.course} (v{self.version})"
