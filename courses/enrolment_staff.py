"""Staff enrolment: instructors enrol learners by e-mail (or invite an address with no account),
move them between cohorts and unenrol them, each within their scope (courses.cohorts.StaffScope),
each audited. The CSV import (courses.enrolment_imports) decides its rows with the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .cohorts import StaffScope
from .invitations import invitation_create
from .models import Cohort, Enrolment, EnrolmentImport, EnrolmentSource, Invitation
from .services import enrolment_cancel, enrolment_create

EMAIL_MAX_LENGTH = 254


class Outcome:
    """What enrolling one address does (the import's preview shows these per row)."""

    ENROL = "enrol"
    INVITE = "invite"
    ALREADY = "already"
    MOVE = "move"
    ERROR = "error"

    labels = {
        ENROL: gettext_lazy("New enrolment"),
        INVITE: gettext_lazy("Invitation"),
        ALREADY: gettext_lazy("Already enrolled"),
        MOVE: gettext_lazy("Moved cohort"),
        ERROR: gettext_lazy("Error"),
    }


def email_problem(email: str) -> str | None:
    """Why this is not an e-mail address we can enrol, or None."""
    if not email:
        return _("No e-mail address.")
    if len(email) > EMAIL_MAX_LENGTH:
        return _("The e-mail address is longer than %(n)s characters.") % {"n": EMAIL_MAX_LENGTH}
    try:
        validate_email(email)
    except ValidationError:
        return _("“%(email)s” is not a valid e-mail address.") % {"email": email}
    return None


def decide(
    *,
    scope: StaffScope,
    cohort: Cohort | None,
    enrolment: Enrolment | None,
    invitation: Invitation | None,
    has_account: bool,
) -> tuple[str, str]:
    """(outcome, reason) of enrolling an address into `cohort` (None: keep or no cohort), given
    its enrolment and pending invitation in the course now. Refusals name the reason."""
    if cohort is None and scope.cohort_ids is not None:
        if enrolment is None or enrolment.cohort_id not in scope.cohort_ids:
            return Outcome.ERROR, _("Name one of your cohorts.")
    elif cohort is not None and not scope.reaches_cohort(cohort):
        return Outcome.ERROR, _("You do not teach the cohort %(cohort)s.") % {"cohort": cohort.name}
    if enrolment is not None:
        if enrolment.cohort_id is not None and not scope.reaches_cohort(enrolment.cohort):
            return Outcome.ERROR, _("This learner is in a cohort you do not teach.")
        if cohort is not None and enrolment.cohort_id != cohort.pk and enrolment.is_active:
            return Outcome.MOVE, ""
        if not enrolment.is_active:
            return Outcome.ENROL, _("Enrolled before; their progress is kept.")
        return Outcome.ALREADY, ""
    if has_account:
        return Outcome.ENROL, ""
    if invitation is not None and invitation.is_live:
        if cohort is not None and invitation.cohort_id != cohort.pk:
            return Outcome.MOVE, _("Invited already; the invitation moves to this cohort.")
        return Outcome.ALREADY, _("Invited already.")
    return Outcome.INVITE, ""


@dataclass(frozen=True)
class StaffEnrolResult:
    outcome: str
    enrolment: Enrolment | None = None
    invitation: Invitation | None = None


def learner_by_email(email: str) -> Any | None:
    return get_user_model().objects.filter(email__iexact=email.strip()).first()


@transaction.atomic
def staff_enrol(
    *,
    scope: StaffScope,
    actor: Any,
    email: str,
    cohort: Cohort | None,
    name: str = "",
    enrolment_import: EnrolmentImport | None = None,
) -> StaffEnrolResult:
    """Enrol the address's learner into the course (and cohort), or invite the address.

    Raises ValidationError with the reason when the address is malformed or the cohort is
    outside the scope; enrolling someone already enrolled there changes nothing."""
    email = email.strip()
    problem = email_problem(email)
    if problem:
        raise ValidationError(problem)
    course = scope.course
    learner = learner_by_email(email)
    enrolment = (
        Enrolment.objects.select_related("cohort").filter(learner=learner, course=course).first()
        if learner is not None
        else None
    )
    invitation = (
        Invitation.objects.filter(course=course, email=email.lower(), status="pending").first()
        if learner is None
        else None
    )
    outcome, reason = decide(
        scope=scope,
        cohort=cohort,
        enrolment=enrolment,
        invitation=invitation,
        has_account=learner is not None,
    )
    source = EnrolmentSource.CSV_IMPORT if enrolment_import else EnrolmentSource.STAFF
    if outcome == Outcome.ERROR:
        raise ValidationError(reason)
    if learner is not None:
        if outcome == Outcome.ALREADY:
            return StaffEnrolResult(outcome=outcome, enrolment=enrolment)
        enrolment = enrolment_create(
            learner=learner,
            course=course,
            cohort=cohort,
            actor=actor,
            source=source,
            enrolment_import=enrolment_import,
        )
        return StaffEnrolResult(outcome=outcome, enrolment=enrolment)
    invitation, _changed = invitation_create(
        course=course,
        email=email,
        cohort=cohort,
        invited_by=actor,
        name=name,
        enrolment_import=enrolment_import,
    )
    return StaffEnrolResult(outcome=outcome, invitation=invitation)


def _reachable(scope: StaffScope, enrolment: Enrolment) -> None:
    if enrolment.course_id != scope.course.pk or not (
        scope.whole_course or enrolment.cohort_id in (scope.cohort_ids or ())
    ):
        raise ValidationError(_("This learner is not in a cohort you teach."))


@transaction.atomic
def staff_move(
    *, scope: StaffScope, actor: Any, enrolment: Enrolment, cohort: Cohort | None
) -> Enrolment:
    """Move an enrolled learner to another cohort of the course (None: out of every cohort,
    for course instructors only)."""
    _reachable(scope, enrolment)
    if not scope.reaches_cohort(cohort):
        raise ValidationError(_("You can move learners only into cohorts you teach."))
    if enrolment.cohort_id == (cohort.pk if cohort else None):
        return enrolment
    if cohort is None:
        from .enrolment_audit import enrolment_event_record
        from .models import EnrolmentAction

        from_cohort = enrolment.cohort
        enrolment.cohort = None
        enrolment.save(update_fields=["cohort"])
        enrolment_event_record(
            course=scope.course,
            learner=enrolment.learner,
            action=EnrolmentAction.MOVED,
            source=EnrolmentSource.STAFF,
            actor=actor,
            from_cohort=from_cohort,
        )
        return enrolment
    if not enrolment.is_active:
        raise ValidationError(_("Enrol the learner again before moving them."))
    return enrolment_create(
        learner=enrolment.learner,
        course=scope.course,
        cohort=cohort,
        actor=actor,
        source=EnrolmentSource.STAFF,
    )


@transaction.atomic
def staff_unenrol(*, scope: StaffScope, actor: Any, enrolment: Enrolment) -> Enrolment:
    """Unenrol the learner; their progress stays, as when they leave themselves."""
    _reachable(scope, enrolment)
    if not enrolment.is_active:
        return enrolment
    return enrolment_cancel(
        learner=enrolment.learner, course=scope.course, actor=actor, source=EnrolmentSource.STAFF
    )
