"""Reads for views, tasks, commands and other apps' templates."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from courses.models import CoursePage, CourseProgress

from .codes import code_normalise
from .credentials import STATUS_LIST_SIZE
from .models import Certificate, Status

# Compared against when a typed code is malformed, so malformed and unknown codes cost
# the same query and get the same answer.
_NO_SUCH_CODE = "PMA-0000-0000-0000-0000-0000"


def learner_certificates(*, learner) -> QuerySet[Certificate]:
    """The learner's certificates, newest first (for the dashboard include)."""
    if not getattr(learner, "is_authenticated", False):
        return Certificate.objects.none()
    return Certificate.objects.filter(learner=learner).order_by("-issued_at")


def certificate_by_code(*, code: str) -> Certificate | None:
    """The certificate with this code, typed loosely or not. The course is not joined: every
    page and download shows the snapshots taken at issue; rendering loads it when it needs it."""
    canonical = code_normalise(code) or _NO_SUCH_CODE
    try:
        return Certificate.objects.get(code=canonical)
    except Certificate.DoesNotExist:
        return None


def certificate_for(*, learner, course: CoursePage) -> Certificate | None:
    return Certificate.objects.filter(learner=learner, course=course).first()


def course_final_percent(*, learner, course: CoursePage) -> int | None:
    """The learner's stored course percent, or None when they have no progress there."""
    return (
        CourseProgress.objects.filter(enrolment__learner=learner, enrolment__course=course)
        .values_list("percent", flat=True)
        .first()
    )


def course_completed_learner_ids(*, course: CoursePage) -> list[int]:
    """Learners whose progress in the course is complete (the back-fill's candidates)."""
    return list(
        CourseProgress.objects.filter(enrolment__course=course, completed_at__isnull=False)
        .order_by("completed_at", "pk")
        .values_list("enrolment__learner_id", flat=True)
    )


def course_learners_without_certificate(*, course: CoursePage) -> list[int]:
    """Learners who completed the course and hold no certificate for it, erased and deactivated
    accounts left out (see receivers.issue_on_course_completed)."""
    certified = set(Certificate.objects.filter(course=course).values_list("learner_id", flat=True))
    completed = [pk for pk in course_completed_learner_ids(course=course) if pk not in certified]
    active = set(
        get_user_model()
        .objects.filter(pk__in=completed, is_active=True)
        .values_list("pk", flat=True)
    )
    return [pk for pk in completed if pk in active]


def revoked_positions(*, list_number: int) -> list[int]:
    """Positions set in one revocation status list (list numbers start at 1)."""
    first = (list_number - 1) * STATUS_LIST_SIZE
    indices = Certificate.objects.filter(
        status=Status.REVOKED,
        status_index__gte=first,
        status_index__lt=first + STATUS_LIST_SIZE,
    ).values_list("status_index", flat=True)
    return [index - first for index in indices if index is not None]


def position_is_revoked(*, list_number: int, position: int) -> bool:
    """Whether one position of a revocation status list is set: what the list publishes there."""
    return Certificate.objects.filter(
        status=Status.REVOKED, status_index=(list_number - 1) * STATUS_LIST_SIZE + position
    ).exists()


def status_list_position(status_index: int) -> tuple[int, int]:
    """(list number, position in that list) for a certificate's status index."""
    return status_index // STATUS_LIST_SIZE + 1, status_index % STATUS_LIST_SIZE
