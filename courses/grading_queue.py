"""The grading queue's cohort filter (grading.admin_review, hook ``grading_review_filters``).

Grading lists the submissions waiting for review and never imports courses; courses knows
cohorts, so it hands the queue a filter: the cohorts the instructor may choose, and for one of
them the submissions to keep (that course, that cohort's learners).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from .gradebook import instructor_courses
from .models import Cohort, Enrolment


class CohortReviewFilter:
    param = "cohort"
    label = gettext_lazy("Cohort")

    def _cohorts(self, *, user: Any):
        return Cohort.objects.filter(course__in=instructor_courses(user=user).values("pk"))

    def choices(self, *, user: Any, exercise_id: int | None) -> list[tuple[str, str]]:
        """The cohorts of the user's courses (those that count the exercise, when one is given)."""
        cohorts = self._cohorts(user=user).select_related("course")
        if exercise_id is not None:
            cohorts = cohorts.filter(course__exercises__exercise_id=exercise_id).distinct()
        return [
            (str(c.pk), f"{c.course.title} — {c.name}")
            for c in cohorts.order_by("course__title", "name", "pk")
        ]

    def lookups(self, *, user: Any, value: str) -> dict[str, Any] | None:
        """Submission filters for one cohort; None for a cohort the user may not choose."""
        if not value.isdigit():
            return None
        cohort = self._cohorts(user=user).filter(pk=int(value)).first()
        if cohort is None:
            return None
        return {
            "course_page_id": cohort.course_id,
            "learner_id__in": Enrolment.objects.filter(cohort=cohort).values("learner_id"),
        }
