"""Invitations: a course (and cohort) offered to an e-mail address that has no account yet.

The invitation is stored first; the e-mail goes out from the task queue on commit. Its link
(courses.invitation_views) proves the address, so signing up from it needs no confirmation
mail. Whenever an account with a verified address matching pending invitations appears (signed
up, or an address confirmed: allauth's signals, received in courses.receivers), those
invitations are accepted: the learner is enrolled in the course and cohort, audited as enrolled
by invitation on behalf of whoever invited them.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.languages import user_language

from .enrolment_audit import enrolment_event_record
from .models import (
    Cohort,
    CoursePage,
    EnrolmentAction,
    EnrolmentImport,
    EnrolmentSource,
    Invitation,
    InvitationStatus,
)

logger = logging.getLogger(__name__)

DEFAULT_INVITATION_DAYS = 30


def invitation_lifetime() -> timedelta:
    return timedelta(days=int(getattr(settings, "PMA_INVITATION_DAYS", DEFAULT_INVITATION_DAYS)))


def new_token() -> str:
    return secrets.token_urlsafe(32)


def invitation_pending(*, course: CoursePage, email: str) -> Invitation | None:
    return Invitation.objects.filter(
        course=course, email=email.lower(), status=InvitationStatus.PENDING
    ).first()


@transaction.atomic
def invitation_create(
    *,
    course: CoursePage,
    email: str,
    cohort: Cohort | None,
    invited_by: Any,
    name: str = "",
    enrolment_import: EnrolmentImport | None = None,
    send: bool = True,
) -> tuple[Invitation, bool]:
    """Invite the address to the course; (invitation, whether anything changed).

    A pending invitation to the same course is kept (its cohort follows the latest request), so
    inviting twice sends one e-mail; one that has expired is renewed with a new link and sent
    again."""
    email = email.strip().lower()
    now = timezone.now()
    invitation = (
        Invitation.objects.select_for_update()
        .filter(course=course, email=email, status=InvitationStatus.PENDING)
        .first()
    )
    audit = {
        "course": course,
        "email": email,
        "actor": invited_by,
        "source": EnrolmentSource.CSV_IMPORT if enrolment_import else EnrolmentSource.STAFF,
        "enrolment_import": enrolment_import,
    }
    if invitation is not None and invitation.expires_at > now:
        if cohort is not None and invitation.cohort_id != cohort.pk:
            from_cohort = invitation.cohort
            invitation.cohort = cohort
            invitation.save(update_fields=["cohort"])
            enrolment_event_record(
                action=EnrolmentAction.MOVED,
                cohort=cohort,
                from_cohort=from_cohort,
                invitation=invitation,
                **audit,
            )
            return invitation, True
        return invitation, False
    if invitation is not None:
        invitation.token = new_token()
        invitation.expires_at = now + invitation_lifetime()
        invitation.cohort = cohort if cohort is not None else invitation.cohort
        invitation.save(update_fields=["token", "expires_at", "cohort"])
    else:
        invitation = Invitation.objects.create(
            course=course,
            cohort=cohort,
            email=email,
            name=name.strip(),
            invited_by=invited_by if getattr(invited_by, "is_authenticated", False) else None,
            token=new_token(),
            created_at=now,
            expires_at=now + invitation_lifetime(),
            enrolment_import=enrolment_import,
        )
    enrolment_event_record(
        action=EnrolmentAction.INVITED, cohort=invitation.cohort, invitation=invitation, **audit
    )
    if send:
        from .tasks import invitation_send_task

        invitation_id = invitation.pk
        transaction.on_commit(lambda: invitation_send_task.enqueue(invitation_id=invitation_id))
    return invitation, True


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: Any) -> Invitation:
    if invitation.status != InvitationStatus.PENDING:
        raise ValidationError(_("Only a pending invitation can be withdrawn."))
    invitation.status = InvitationStatus.REVOKED
    invitation.save(update_fields=["status"])
    enrolment_event_record(
        course=invitation.course,
        email=invitation.email,
        action=EnrolmentAction.INVITATION_REVOKED,
        source=EnrolmentSource.STAFF,
        actor=actor,
        cohort=invitation.cohort,
        invitation=invitation,
    )
    return invitation


def invitation_url(invitation: Invitation) -> str:
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
    return base + reverse("invitation_open", args=[invitation.token])


def invitation_language(invitation: Invitation) -> str:
    """The invitee has no account, so no language of their own: the e-mail is written in the
    language of whoever invited them (their saved choice, else the site's default)."""
    return user_language(invitation.invited_by)


def _message(invitation: Invitation):
    with translation.override(invitation_language(invitation)):
        return _render(invitation)


def _render(invitation: Invitation):
    return get_adapter().render_mail(
        "courses/email/invitation",
        invitation.email,
        {
            "invitation": invitation,
            "course": invitation.course,
            "cohort": invitation.cohort,
            "url": invitation_url(invitation),
            "inviter": invitation.invited_by.display_name if invitation.invited_by else "",
            "expires_at": invitation.expires_at,
        },
    )


def invitations_send(*, invitations: Iterable[Invitation]) -> int:
    """E-mail each pending invitation its link, over one connection; returns how many went."""
    messages = [
        _message(invitation)
        for invitation in invitations
        if invitation.status == InvitationStatus.PENDING
    ]
    if not messages:
        return 0
    with get_connection() as connection:
        return connection.send_messages(messages) or 0


def invitation_find(*, token: str) -> Invitation | None:
    """The pending, unexpired invitation with this token, or None."""
    if not token or len(token) > 64:
        return None
    return (
        Invitation.objects.select_related("course", "cohort")
        .filter(token=token, status=InvitationStatus.PENDING, expires_at__gt=timezone.now())
        .first()
    )


def invitations_accept_for(*, user: Any) -> list[Invitation]:
    """Accept every pending, unexpired invitation to one of the user's verified addresses: enrol
    them in its course and cohort. An invitation to a course that is closed now stays pending."""
    from .services import enrolment_create

    addresses = {
        address.lower()
        for address in EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
    }
    if not addresses:
        return []
    pending = Invitation.objects.select_related("course", "cohort", "invited_by").filter(
        email__in=addresses, status=InvitationStatus.PENDING, expires_at__gt=timezone.now()
    )
    accepted = []
    for invitation in pending:
        try:
            with transaction.atomic():
                enrolment_create(
                    learner=user,
                    course=invitation.course,
                    cohort=invitation.cohort,
                    actor=invitation.invited_by,
                    source=EnrolmentSource.INVITATION,
                    invitation=invitation,
                )
                invitation.status = InvitationStatus.ACCEPTED
                invitation.accepted_at = timezone.now()
                invitation.accepted_by = user
                invitation.save(update_fields=["status", "accepted_at", "accepted_by"])
        except ValidationError:
            logger.info("Invitation %s kept pending: its course is closed", invitation.pk)
            continue
        accepted.append(invitation)
    return accepted
