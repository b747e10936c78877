"""The attempt policy: the one place that decides whether a learner may check or submit an
exercise now, what their next attempt's number is, and how many they have left.

``submission_create`` asks before it stores anything and the exercise panel asks to show the
learner where they stand; each fetches the facts its own way (the panel in its one query) and
hands them to ``attempt_standing``.

The due date is the caller's to give: a learner's cohort may have its own (courses works it out;
grading cannot see cohorts). ``EXERCISE_DUE`` means the exercise's own ``due_at``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from exercises.models import Exercise, LatePolicy, ScorePolicy

from .late import Lateness, lateness
from .models import DueSource, SubmissionKind, SubmissionStatus

#: The submissions that use up one of a learner's attempts: every submission (never a check)
#: except those the grader failed to grade (an internal error, the sandbox down, workers lost
#: again and again). Learner-caused outcomes (timeouts, memory, crashes, wrong values) are
#: graded verdicts and do count. A failed one counts again once an instructor scores it.
USES_AN_ATTEMPT = Q(kind=SubmissionKind.SUBMIT) & (
    ~Q(status=SubmissionStatus.FAILED) | Q(override_score__isnull=False)
)


class Due(Enum):
    EXERCISE = "exercise"


#: "The exercise's own due date": what callers that know of no other date pass.
EXERCISE_DUE = Due.EXERCISE


def effective_due(*, exercise: Exercise, due_at: datetime | None | Due) -> datetime | None:
    return exercise.due_at if due_at is Due.EXERCISE else due_at


def scheduled_due(
    *, exercise: Exercise, due_at: datetime | None | Due, source: str = DueSource.SCHEDULE
) -> tuple[datetime | None, str]:
    """The caller's date and where it came from, before any extension (grading.late)."""
    if due_at is Due.EXERCISE:
        due = exercise.due_at
        return due, (DueSource.EXERCISE if due is not None else DueSource.NONE)
    if due_at is None:
        return None, DueSource.NONE
    return due_at, source


def not_an_attempt() -> str:
    return _("This did not use one of your attempts.")


def not_open_yet() -> str:
    """Why nothing can be checked or submitted against an exercise that has not passed validation."""
    return _(
        "This exercise is not open yet: its notebook has not passed validation. "
        "Please try again later."
    )


@dataclass(frozen=True)
class AttemptStanding:
    """Where a learner stands against an exercise's policy at one moment."""

    exercise: Exercise
    now: datetime
    attempts_used: int
    #: The number the next submission gets: numbers are never reused, so a failed submission
    #: keeps its own and the next one follows it.
    next_attempt: int
    cooldown_until: datetime | None
    #: The due date that holds for this learner (their extension, their cohort's, or the
    #: exercise's); None: none. `due_source` says which (grading.models.DueSource).
    due_at: datetime | None = None
    due_source: str = DueSource.NONE

    @property
    def ready(self) -> bool:
        return self.exercise.is_ready

    @property
    def past_due(self) -> bool:
        return self.due_at is not None and self.now > self.due_at

    @property
    def accepts_late(self) -> bool:
        return self.exercise.late_policy == LatePolicy.PENALTY

    @property
    def closed(self) -> bool:
        """Past the due date of an exercise that accepts nothing late."""
        return self.past_due and not self.accepts_late

    @property
    def lateness_now(self) -> Lateness:
        """How a submission made now would be judged (its days late and penalty)."""
        return lateness(
            exercise=self.exercise, due_at=self.due_at, source=self.due_source, at=self.now
        )

    @property
    def attempts_left(self) -> int | None:
        if self.exercise.max_attempts is None:
            return None
        return max(self.exercise.max_attempts - self.attempts_used, 0)

    @property
    def can_check(self) -> bool:
        return self.ready and not self.closed

    @property
    def can_submit(self) -> bool:
        return self.can_check and self.attempts_left != 0

    def refusal(self, kind: str) -> str | None:
        """Why a ``kind`` request is refused now, in the learner's words; None when it may go."""
        exercise = self.exercise
        if not self.ready:
            return not_open_yet()
        if self.closed:
            assert self.due_at is not None  # noqa: S101 - closed says so
            due = formats.date_format(timezone.localtime(self.due_at), "DATETIME_FORMAT")
            return _(
                "This exercise was due on %(due)s; it no longer accepts submissions or checks."
            ) % {"due": due}
        if kind == SubmissionKind.SUBMIT and self.attempts_left == 0:
            if exercise.score_policy == ScorePolicy.BEST:
                message = _(
                    "You have used all %(n)s attempts at this exercise; your best score is the one "
                    "that counts. You can still check your answers."
                )
            else:
                message = _(
                    "You have used all %(n)s attempts at this exercise; your last score is the one "
                    "that counts. You can still check your answers."
                )
            return message % {"n": exercise.max_attempts}
        if self.cooldown_until is not None:
            wait = int((self.cooldown_until - self.now).total_seconds()) + 1
            return _(
                "Please wait %(n)s more seconds before you check or submit this exercise again."
            ) % {"n": wait}
        return None


def attempt_standing(
    *,
    exercise: Exercise,
    attempts_used: int,
    last_attempt: int | None,
    last_sent_at: datetime | None,
    due_at: datetime | None | Due,
    due_source: str = DueSource.SCHEDULE,
    now: datetime | None = None,
) -> AttemptStanding:
    """The policy applied to the facts: attempts used (``USES_AN_ATTEMPT``), the highest attempt
    number given so far, when the learner last checked or submitted this exercise, and the due
    date that holds for them (``EXERCISE_DUE``: the exercise's own; an extension already
    applied by the caller, with `due_source` saying where a given date came from)."""
    now = now or timezone.now()
    cooldown_until = None
    if last_sent_at is not None and exercise.cooldown_seconds:
        until = last_sent_at + timedelta(seconds=exercise.cooldown_seconds)
        cooldown_until = until if until > now else None
    return AttemptStanding(
        exercise=exercise,
        now=now,
        attempts_used=attempts_used,
        next_attempt=(last_attempt or 0) + 1,
        cooldown_until=cooldown_until,
        due_at=effective_due(exercise=exercise, due_at=due_at),
        due_source=scheduled_due(exercise=exercise, due_at=due_at, source=due_source)[1],
    )
