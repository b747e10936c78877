"""Posting announcements and telling the learners they are for.

announcement_post stores the announcement first; telling the learners (an in-site notification
and an e-mail each, in bulk) runs in the `notifications` queue after commit.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from courses.models import Cohort, CoursePage, Enrolment, EnrolmentStatus
from notifications.models import NotificationKind
from notifications.services import notify_many

from .models import Announcement


class AnnouncementError(ValueError):
    """The announcement cannot be posted as asked; the message says why, for the instructor."""


def announcement_post(
    *, course: CoursePage, title: str, body: str, posted_by, cohort: Cohort | None = None
) -> Announcement:
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise AnnouncementError(_("An announcement needs a title and a message."))
    if cohort is not None and cohort.course_id != course.pk:
        raise AnnouncementError(
            _("The cohort %(cohort)s is not a cohort of %(course)s.")
            % {"cohort": cohort.name, "course": course.title}
        )
    announcement = Announcement.objects.create(
        course=course, cohort=cohort, title=title, body=body, posted_by=posted_by
    )
    announcement_id = announcement.pk

    def enqueue() -> None:
        from .tasks import announcement_notify_task

        announcement_notify_task.enqueue(announcement_id=announcement_id)

    transaction.on_commit(enqueue)
    return announcement


def announcement_recipients(*, announcement: Announcement) -> QuerySet:
    """Learners actively enrolled in the course (in the cohort, if the announcement names one)."""
    enrolments = Enrolment.objects.filter(
        course_id=announcement.course_id, status=EnrolmentStatus.ACTIVE
    )
    if announcement.cohort_id is not None:
        enrolments = enrolments.filter(cohort_id=announcement.cohort_id)
    return get_user_model().objects.filter(pk__in=enrolments.values("learner_id"))


def announcement_notify(*, announcement: Announcement) -> int:
    """Tell each learner once (a retried task tells nobody twice); returns how many were told now."""
    course = announcement.course
    url = course.get_url() or ""
    return notify_many(
        recipients=announcement_recipients(announcement=announcement),
        kind=NotificationKind.ANNOUNCEMENT,
        title=f"{course.title}: {announcement.title}",
        body=announcement.body,
        url=f"{url}#announcements" if url else "",
        dedupe_key=f"announcement:{announcement.pk}",
        context={"course_title": course.title},
    )
