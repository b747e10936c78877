"""Cohorts: groups of a course's learners who run through it together, with their own dates,
their own instructors and their own due date per exercise (falling back to the exercise's).

Imports pages (for the course) and exercises; learning imports this module (Enrolment.cohort),
never the other way round. Written through courses.cohorts only.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .pages import CoursePage


class Cohort(models.Model):
    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="cohorts")
    name = models.CharField(_("name"), max_length=120)
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    # A cohort's own instructors see and change only their cohorts of the course (unless they
    # teach the whole course too: CoursePage.instructors).
    instructors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="taught_cohorts",
        verbose_name=_("instructors"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course", "name"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        constraints = [
            models.UniqueConstraint(fields=["course", "name"], name="unique_cohort_name"),
            models.CheckConstraint(
                condition=models.Q(starts_at__isnull=True)
                | models.Q(ends_at__isnull=True)
                | models.Q(ends_at__gte=models.F("starts_at")),
                name="cohort_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            raise ValidationError({"ends_at": _("A cohort cannot end before it starts.")})


class CohortDueDate(models.Model):
    """The due date of one exercise for one cohort; without one the exercise's due_at holds."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="due_dates")
    exercise = models.ForeignKey(
        "exercises.Exercise", on_delete=models.CASCADE, related_name="cohort_due_dates"
    )
    due_at = models.DateTimeField(_("due"))

    class Meta:
        verbose_name = _("cohort due date")
        verbose_name_plural = _("cohort due dates")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "exercise"], name="unique_cohort_due_date")
        ]

    def __str__(self) -> str:
        return f"{self.cohort}: {self.exercise_id} due {self.due_at:%Y-%m-%d %H:%M}"
