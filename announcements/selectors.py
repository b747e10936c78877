"""Reads of announcements: what a person sees on a course page."""

from __future__ import annotations

from django.db.models import Q

from .models import Announcement

COURSE_PAGE_LIMIT = 5


def course_announcements(*, course, enrolment=None, can_edit: bool = False) -> list[Announcement]:
    """The newest announcements of the course that the person may read: every one for the
    course's editors, the course-wide ones and their own cohort's for an enrolled learner,
    none for anyone else (no query then)."""
    if course is None or not course.pk:
        return []
    announcements = Announcement.objects.filter(course_id=course.pk)
    if not can_edit:
        if enrolment is None or not enrolment.is_active:
            return []
        cohort_id = getattr(enrolment, "cohort_id", None)
        announcements = announcements.filter(Q(cohort__isnull=True) | Q(cohort_id=cohort_id))
    return list(
        announcements.select_related("cohort").order_by("-posted_at", "-pk")[:COURSE_PAGE_LIMIT]
    )


def instructor_announcements(*, courses, cohorts) -> list[Announcement]:
    """What staff read in the admin: everything posted to the courses they teach whole, and, in
    courses where they teach some cohorts, what was posted to those cohorts or course-wide."""
    return list(
        Announcement.objects.filter(
            Q(course__in=courses)
            | Q(cohort__in=cohorts)
            | Q(cohort__isnull=True, course__cohorts__in=cohorts)
        )
        .distinct()
        .select_related("course", "cohort", "posted_by")
        .order_by("-posted_at", "-pk")[:200]
    )
