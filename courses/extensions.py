"""Extensions as a course grants them: grading.late does the work (the learner's new date, their
submissions judged again, the audit row); this adds the learner's cohort dates as the fallback and
tells the learner, in their own language, once the change is committed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accounts.languages import user_language
from exercises.models import Exercise
from grading.late import exercise_schedule, extension_set
from grading.models import DueSource, ExtensionAction, ExtensionChange, Submission
from notifications.models import NotificationKind
from notifications.services import notify

from .cohorts import cohort_due_dates
from .models import CoursePage, Enrolment


def _cohort_schedule(enrolment: Enrolment):
    """The learner's date without an extension: their cohort's, else the exercise's."""
    dates = cohort_due_dates(cohort=enrolment.cohort) if enrolment.cohort_id else {}  # type: ignore[arg-type]

    def schedule_for(submission: Submission) -> tuple[datetime | None, str]:
        if submission.exercise_id in dates:
            return dates[submission.exercise_id], DueSource.SCHEDULE
        return exercise_schedule(submission)

    return schedule_for


def course_extension_set(
    *,
    enrolment: Enrolment,
    exercise: Exercise,
    due_at: datetime | None,
    reason: str,
    by: Any,
) -> ExtensionChange | None:
    """Grant, change or (due_at None) revoke the enrolled learner's extension on an exercise of
    their course; the learner is notified after commit. Raises grading.late.ExtensionRefused."""
    course: CoursePage = enrolment.course  # type: ignore[assignment]
    change = extension_set(
        learner=enrolment.learner,
        exercise=exercise,
        course_page=course,
        due_at=due_at,
        reason=reason,
        by=by,
        schedule_for=_cohort_schedule(enrolment),
    )
    if change is not None:
        change_id = change.pk
        transaction.on_commit(lambda: _notify(change_id=change_id, course_id=course.pk))
    return change


def _notify(*, change_id: int, course_id: int) -> None:
    change = ExtensionChange.objects.select_related("learner", "exercise").get(pk=change_id)
    with translation.override(user_language(change.learner)):
        exercise = change.exercise.title
        if change.action == ExtensionAction.REVOKED:
            title = _("Your extension on %(exercise)s was withdrawn") % {"exercise": exercise}
        else:
            title = _("Your due date for %(exercise)s is now %(due)s") % {
                "exercise": exercise,
                "due": formats.date_format(
                    timezone.localtime(change.new_due_at), "DATETIME_FORMAT"
                ),
            }
        body = _("Your instructor's reason: %(reason)s") % {"reason": change.reason}
        notify(
            recipient=change.learner,
            kind=NotificationKind.DUE_DATE_CHANGED,
            title=title,
            body=body,
            url=reverse("course_grades", args=[course_id]),
            dedupe_key=f"extension:{change.pk}",
            context={"exercise": exercise},
        )
