"""Background work for announcements, on the `notifications` queue. Tasks take ids."""

from __future__ import annotations

from django_tasks import task

from .models import Announcement
from .services import announcement_notify


@task(queue_name="notifications")
def announcement_notify_task(*, announcement_id: int) -> int:
    announcement = Announcement.objects.select_related("course").get(pk=announcement_id)
    return announcement_notify(announcement=announcement)
