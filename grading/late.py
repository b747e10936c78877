"""Due dates, extensions and the late policy: when a learner's submission is late, by how much,
and what it costs.

The due date that holds for a learner on an exercise of a course is, first match wins:

1. their own extension (``Extension``, granted by an instructor for that course);
2. the date their caller scheduled (courses passes the learner's cohort date, ``SCHEDULE``);
3. the exercise's own ``due_at`` (``EXERCISE``).

An exercise's late policy then decides (``exercises.models.LatePolicy``):

- ``CLOSED``: nothing is accepted after the due date (``grading.attempts`` refuses it);
- ``PENALTY``: a submission is accepted, and ``late_penalty_per_day`` percent of its graded
  score is taken off for every started day after the due date, never more than
  ``late_penalty_cap`` percent. A check never counts, so it is never penalised.

Every submission stores what it was judged against (due date, its source, days late and the
percent) when it is made. The raw score stays as graded; ``Submission.counted_score`` applies the
percent, and an instructor's override is never penalised. Granting, changing or revoking an
extension re-judges that learner's submissions at once (``extension_set``), audited in
``ExtensionChange``; so does a change to a due date or to the policy (``late_rejudge``), so the
counted score always follows today's rules. Whenever a penalty changes, ``submission_graded`` is
sent on commit so course progress, the gradebook and an LMS hear of the new counted score.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from exercises.models import Exercise, LatePolicy

from .models import (
    DueSource,
    Extension,
    ExtensionAction,
    ExtensionChange,
    Submission,
    SubmissionKind,
    SubmissionStatus,
)

DAY = timedelta(days=1)


class ExtensionRefused(Exception):
    """The extension was not saved; the message says why, in the instructor's words."""


@dataclass(frozen=True)
class Lateness:
    """How a submission made at one moment stands against the learner's due date."""

    due_at: datetime | None
    source: str
    days: int
    percent: int

    @property
    def is_late(self) -> bool:
        return self.days > 0


def days_late(*, due_at: datetime | None, at: datetime) -> int:
    """Started days after the due date: one second late is one day; on time (or none) is 0."""
    if due_at is None or at <= due_at:
        return 0
    return math.ceil((at - due_at) / DAY)


def penalty_percent(*, exercise: Exercise, days: int) -> int:
    """The percent taken off for `days` late under the exercise's policy (0 when closed: a
    closed exercise accepts nothing late, and what it accepted before closing keeps its own)."""
    if days <= 0 or exercise.late_policy != LatePolicy.PENALTY:
        return 0
    return min(exercise.late_penalty_per_day * days, exercise.late_penalty_cap, 100)


def lateness(*, exercise: Exercise, due_at: datetime | None, source: str, at: datetime) -> Lateness:
    days = days_late(due_at=due_at, at=at)
    return Lateness(
        due_at=due_at,
        source=source if due_at is not None else DueSource.NONE,
        days=days,
        percent=penalty_percent(exercise=exercise, days=days),
    )


def extension_for(
    *, learner: Any, exercise: Exercise, course_page_id: int | None
) -> Extension | None:
    if course_page_id is None or not getattr(learner, "is_authenticated", False):
        return None
    return Extension.objects.filter(
        learner=learner, exercise=exercise, course_page_id=course_page_id
    ).first()


def due_for(
    *,
    exercise: Exercise,
    extension: Extension | None,
    scheduled: datetime | None,
    scheduled_source: str,
) -> tuple[datetime | None, str]:
    """The learner's due date and where it came from (see the module's order)."""
    if extension is not None:
        return extension.due_at, DueSource.EXTENSION
    if scheduled is None:
        return None, DueSource.NONE
    return scheduled, scheduled_source


def policy_sentence(exercise: Exercise) -> str:
    """The late policy in one sentence a learner understands."""
    if exercise.late_policy != LatePolicy.PENALTY:
        return _("Nothing is accepted after the due date.")
    if not exercise.late_penalty_per_day or not exercise.late_penalty_cap:
        return _("Late submissions are accepted without a penalty.")
    return _(
        "Late submissions are accepted: %(per_day)s%% of the score is taken off for each started "
        "day after the due date, at most %(cap)s%%."
    ) % {"per_day": exercise.late_penalty_per_day, "cap": exercise.late_penalty_cap}


def penalty_reason(submission: Submission) -> str:
    """Why a submission's score was reduced, or "" when it was not (shown beside the raw score)."""
    if not submission.late_days or submission.due_at is None:
        return ""
    due = formats.date_format(timezone.localtime(submission.due_at), "DATETIME_FORMAT")
    late = ngettext(
        "Submitted %(days)s day after the due date (%(due)s).",
        "Submitted %(days)s days after the due date (%(due)s).",
        submission.late_days,
    ) % {"days": submission.late_days, "due": due}
    if submission.due_source == DueSource.EXTENSION:
        late = ngettext(
            "Submitted %(days)s day after your extended due date (%(due)s).",
            "Submitted %(days)s days after your extended due date (%(due)s).",
            submission.late_days,
        ) % {"days": submission.late_days, "due": due}
    if submission.override_score is not None:
        return _("%(late)s Your instructor set the score, so no late penalty applies.") % {
            "late": late
        }
    if not submission.late_penalty_percent:
        return late
    return _("%(late)s Late penalty: %(percent)s%% of the score.") % {
        "late": late,
        "percent": submission.late_penalty_percent,
    }


# -- Re-judging ---------------------------------------------------------------------------------

#: What a re-judge asks of its caller for each submission: the learner's scheduled due date (the
#: cohort's or the exercise's) and its source, extensions aside (they are looked up here).
ScheduleFor = Callable[[Submission], tuple[datetime | None, str]]


def exercise_schedule(submission: Submission) -> tuple[datetime | None, str]:
    """The schedule when nothing but the exercise sets it (no cohort dates)."""
    due = submission.exercise.due_at
    return due, (DueSource.EXERCISE if due is not None else DueSource.NONE)


def late_rejudge(submissions: QuerySet[Submission], *, schedule_for: ScheduleFor) -> int:
    """Judge these submissions again by today's due dates, extensions and policy; store what
    changed and tell the layers above (``submission_graded`` on commit) of every counted score
    that may have moved. Returns how many submissions' penalties changed.

    Checks are never judged. Runs in the caller's transaction (or its own).
    """
    from .services.grade_run import send_graded_on_commit

    changed = 0
    touched: dict[tuple[int, int, int | None], Submission] = {}
    rows = (
        submissions.filter(kind=SubmissionKind.SUBMIT)
        .select_related("exercise")
        .order_by("learner_id", "exercise_id", "course_page_id", "attempt")
    )
    extensions: dict[tuple[int, int, int], Extension] = {}
    with transaction.atomic():
        rows = rows.select_for_update(of=("self",))
        items = list(rows)
        keys = {(s.learner_id, s.exercise_id, s.course_page_id) for s in items}
        if keys:
            found = Extension.objects.filter(
                learner_id__in={k[0] for k in keys},
                exercise_id__in={k[1] for k in keys},
                course_page_id__in={k[2] for k in keys if k[2] is not None},
            )
            extensions = {(e.learner_id, e.exercise_id, e.course_page_id): e for e in found}
        for submission in items:
            key = (submission.learner_id, submission.exercise_id, submission.course_page_id)
            scheduled, source = schedule_for(submission)
            due, due_source = due_for(
                exercise=submission.exercise,
                extension=extensions.get(key),  # type: ignore[arg-type]
                scheduled=scheduled,
                scheduled_source=source,
            )
            judged = lateness(
                exercise=submission.exercise,
                due_at=due,
                source=due_source,
                at=submission.created_at,
            )
            before = (
                submission.due_at,
                submission.due_source,
                submission.late_days,
                submission.late_penalty_percent,
            )
            after = (judged.due_at, judged.source, judged.days, judged.percent)
            if before == after:
                continue
            if submission.late_penalty_percent != judged.percent:
                changed += 1
                touched[key] = submission
            submission.due_at, submission.due_source = judged.due_at, judged.source
            submission.late_days, submission.late_penalty_percent = judged.days, judged.percent
            submission.save(
                update_fields=["due_at", "due_source", "late_days", "late_penalty_percent"]
            )
        for submission in touched.values():
            latest = _latest_scored(submission)
            if latest is not None:
                send_graded_on_commit(latest)
    return changed


def _exercise_or_stored_schedule(submission: Submission) -> tuple[datetime | None, str]:
    """A submission judged by the exercise's date follows it; one judged by a cohort date keeps
    that date (courses re-judges those when the cohort's date moves)."""
    if submission.due_source == DueSource.SCHEDULE:
        return submission.due_at, DueSource.SCHEDULE
    return exercise_schedule(submission)


def late_rejudge_exercise(*, exercise: Exercise) -> int:
    """After the exercise's due date or late policy changed: judge its submissions again."""
    return late_rejudge(
        Submission.objects.filter(exercise=exercise), schedule_for=_exercise_or_stored_schedule
    )


def _latest_scored(submission: Submission) -> Submission | None:
    """The learner's latest scored submission of that exercise in that course: receivers
    recompute the counted score from any one of them."""
    return (
        Submission.objects.filter(
            learner_id=submission.learner_id,
            exercise_id=submission.exercise_id,
            course_page_id=submission.course_page_id,
            kind=SubmissionKind.SUBMIT,
        )
        .filter(Q(status=SubmissionStatus.GRADED) | Q(override_score__isnull=False))
        .order_by("-attempt")
        .first()
    )


# -- Extensions ---------------------------------------------------------------------------------


def extension_set(
    *,
    learner: Any,
    exercise: Exercise,
    course_page: Any,
    due_at: datetime | None,
    reason: str,
    by: Any,
    schedule_for: ScheduleFor = exercise_schedule,
) -> ExtensionChange | None:
    """Grant, change or (``due_at`` None) revoke a learner's extension on an exercise of a
    course, re-judge their submissions, and record it all. Returns the audit row, or None when
    nothing changed (the same date again, or revoking what does not exist).

    `schedule_for` gives the learner's scheduled date without the extension (courses passes the
    cohort's); raises ExtensionRefused without a reason.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ExtensionRefused(_("Say why the due date changes: the learner reads it."))
    now = timezone.now()
    with transaction.atomic():
        current = (
            Extension.objects.select_for_update()
            .filter(learner=learner, exercise=exercise, course_page=course_page)
            .first()
        )
        old = current.due_at if current is not None else None
        if due_at is None:
            if current is None:
                return None
            current.delete()
            action = ExtensionAction.REVOKED
        elif current is None:
            Extension.objects.create(
                learner=learner,
                exercise=exercise,
                course_page=course_page,
                due_at=due_at,
                reason=reason,
                granted_by=by,
                granted_at=now,
            )
            action = ExtensionAction.GRANTED
        else:
            if current.due_at == due_at and current.reason == reason:
                return None
            current.due_at, current.reason = due_at, reason
            current.granted_by, current.granted_at = by, now
            current.save(update_fields=["due_at", "reason", "granted_by", "granted_at"])
            action = ExtensionAction.CHANGED
        changed = late_rejudge(
            Submission.objects.filter(
                learner=learner, exercise=exercise, course_page_id=course_page.pk
            ),
            schedule_for=schedule_for,
        )
        return ExtensionChange.objects.create(
            learner=learner,
            exercise=exercise,
            course_page_id=course_page.pk,
            action=action,
            old_due_at=old,
            new_due_at=due_at,
            reason=reason,
            penalties_changed=changed,
            by=by,
            at=now,
        )


def extensions_of_course(*, course_page_id: int, learner_ids: Iterable[int] | None = None):
    """A course's extensions, newest first, with learner and exercise (one query)."""
    found = Extension.objects.filter(course_page_id=course_page_id)
    if learner_ids is not None:
        found = found.filter(learner_id__in=list(learner_ids))
    return found.select_related("learner", "exercise", "granted_by").order_by("-granted_at")
