"""The audit of enrolment changes: one EnrolmentEvent per change, written in the same transaction
as the change itself (by courses.services, courses.enrolment_staff, courses.invitations and
courses.enrolment_imports), never edited or deleted afterwards.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from .models import Cohort, CoursePage, EnrolmentEvent, EnrolmentImport, Invitation


def enrolment_event_record(
    *,
    course: CoursePage,
    action: str,
    source: str,
    learner: Any = None,
    email: str = "",
    actor: Any = None,
    cohort: Cohort | None = None,
    from_cohort: Cohort | None = None,
    enrolment_import: EnrolmentImport | None = None,
    invitation: Invitation | None = None,
) -> EnrolmentEvent:
    return EnrolmentEvent.objects.create(
        course=course,
        learner=learner,
        email=email or (getattr(learner, "email", "") if learner is not None else ""),
        action=action,
        source=source,
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        cohort=cohort,
        from_cohort=from_cohort,
        enrolment_import=enrolment_import,
        invitation=invitation,
        at=timezone.now(),
    )


def enrolment_events(*, course: CoursePage, learner: Any = None) -> QuerySet[EnrolmentEvent]:
    """The course's events, newest first (one learner's, if given), with who and which cohort."""
    events = EnrolmentEvent.objects.filter(course=course)
    if learner is not None:
        events = events.filter(learner=learner)
    return events.select_related("actor", "learner", "cohort", "from_cohort").order_by("-at", "-pk")
