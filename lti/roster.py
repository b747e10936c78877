"""Names and Role Provisioning Services: the LMS course's roster, into PM Academy enrolment.

Active learners are matched or provisioned by (issuer, sub), exactly as at launch, and enrolled
in the course the LMS course's links open; learners the LMS lists as Inactive or Deleted are
unenrolled (their progress stays). Runs in the task queue: on a launch (at most hourly per LMS
course) and on demand from the admin."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import requests
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.roles import DesignerRole, StudentRole, TeacherRole, TeachingAssistantRole

from courses.models import EnrolmentSource
from courses.selectors import active_enrolment
from courses.services import NotEnrolledError, enrolment_cancel

from .models import LtiContext

logger = logging.getLogger("pma.lti")

SYNC_ON_LAUNCH_EVERY = timedelta(hours=1)
ROLES_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/roles"


@dataclass(frozen=True)
class RosterResult:
    enrolled: int = 0
    unenrolled: int = 0
    instructors: int = 0
    error: str = ""


def _is_learner(roles: list[str]) -> bool:
    body = {ROLES_CLAIM: roles}
    if any(r(body).check() for r in (TeacherRole, DesignerRole, TeachingAssistantRole)):
        return False
    return StudentRole(body).check()


def roster_sync(*, context_id: int, actor: Any = None) -> RosterResult:
    """Read the roster from the LMS and apply it; an LMS that cannot be reached leaves
    enrolment as it was and says why on the context (shown in the admin)."""
    from .launches import cohort_instructor_add, context_cohort, identity_for, learner_enrol
    from .services_connector import service_connector

    context = LtiContext.objects.select_related("registration", "course").get(pk=context_id)
    if not context.memberships_url or context.course is None:
        return RosterResult(error="no roster service or no course for this LMS course")
    nrps = NamesRolesProvisioningService(
        service_connector(context.registration),
        {"context_memberships_url": context.memberships_url},  # type: ignore[typeddict-item]
    )
    try:
        members = nrps.get_members()
    except (LtiException, LtiServiceException, requests.RequestException, ValueError) as error:
        message = f"{type(error).__name__}: {error}"[:2000]
        logger.warning("LTI roster sync failed for context %s: %s", context.pk, message)
        context.roster_error = message
        context.save(update_fields=["roster_error"])
        return RosterResult(error=message)
    enrolled = unenrolled = instructors = 0
    course = context.course
    cohort = context_cohort(context=context)
    for member in members:
        sub = str(member.get("user_id", ""))
        if not sub:
            continue
        roles = list(member.get("roles", []))
        with transaction.atomic():
            identity = identity_for(
                registration=context.registration,
                issuer=context.registration.issuer,
                sub=sub,
                name=str(member.get("name", "")),
                email=str(member.get("email", "")),
            )
            if not _is_learner(roles):
                if member.get("status", "Active") == "Active":
                    cohort_instructor_add(user=identity.user, cohort=cohort)
                instructors += 1
                continue
            if member.get("status", "Active") == "Active":
                try:
                    if active_enrolment(learner=identity.user, course=course) is None:
                        learner_enrol(
                            user=identity.user,
                            course=course,
                            cohort=cohort,
                            actor=actor,
                            source=EnrolmentSource.STAFF,
                        )
                        enrolled += 1
                except ValidationError:
                    continue
            elif active_enrolment(learner=identity.user, course=course) is not None:
                try:
                    enrolment_cancel(
                        learner=identity.user,
                        course=course,
                        actor=actor,
                        source=EnrolmentSource.STAFF,
                    )
                    unenrolled += 1
                except NotEnrolledError:
                    pass
    context.roster_synced_at = timezone.now()
    context.roster_error = ""
    context.save(update_fields=["roster_synced_at", "roster_error"])
    return RosterResult(enrolled=enrolled, unenrolled=unenrolled, instructors=instructors)


def roster_sync_soon(*, context: LtiContext) -> bool:
    """Queue a sync after this launch commits, unless one ran within the hour."""
    if not context.memberships_url:
        return False
    if (
        context.roster_synced_at
        and timezone.now() - context.roster_synced_at < SYNC_ON_LAUNCH_EVERY
    ):
        return False
    from .tasks import roster_sync_task

    transaction.on_commit(lambda: roster_sync_task.enqueue(context_id=context.pk))
    return True
