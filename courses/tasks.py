"""Background tasks of the courses app: thin, take ids, call services."""

from __future__ import annotations

from django_tasks import task

from .models import Invitation


@task()
def invitation_send_task(*, invitation_id: int) -> int:
    from .invitations import invitations_send

    return invitations_send(invitations=Invitation.objects.filter(pk=invitation_id))


@task()
def enrolment_import_task(*, import_id: int) -> str:
    from .enrolment_imports import enrolment_import_apply

    return enrolment_import_apply(import_id=import_id).status
