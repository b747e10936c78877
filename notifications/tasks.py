"""Background work for notifications, on the `notifications` queue. Tasks take ids."""

from __future__ import annotations

from django_tasks import task

from . import services


@task(queue_name="notifications")
def notification_emails_send_task(*, notification_ids: list[int]) -> dict[str, int]:
    # Retrying a few due failures first: a mail server back up is noticed without an operator.
    services.emails_retry_due()
    return services.emails_send(notification_ids=notification_ids)
