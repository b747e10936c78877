"""Drafts of a learner's answers to an exercise: saved as they type, read back on any device.

A save names the version it was typed against (`base_version`). Saving is one conditional
UPDATE on that version, so of two tabs that started from the same version only the first one
saved wins; the other gets `DraftConflict` with the newer draft and its learner chooses (load
it, or save again on top of it). Nothing is overwritten behind anyone's back. A save of the
answers the draft already holds succeeds whatever its version: the tab is merely behind.

A successful Check or Submit makes the draft equal to what was sent (`draft_sync_submitted`),
so the editor and the submission never disagree after it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from exercises.models import Exercise
from grading.services import answer_grade_ids, release_answer_stubs
from grading.uploads import answers_too_large, max_upload_bytes

from .models import CoursePage, ExerciseDraft
from .selectors import active_enrolment
from .services import NotEnrolledError

DEFAULT_SAVES_PER_MINUTE = 120


class DraftRefused(Exception):
    """The draft cannot be saved as sent; the message says why, in the learner's words."""


class DraftTooLarge(DraftRefused):
    pass


class DraftConflict(Exception):
    """A newer draft was saved (in another tab or on another device) since this one was loaded."""

    def __init__(self, current: DraftState) -> None:
        super().__init__(
            _(
                "A newer draft of this exercise was saved at %(time)s, in another tab or on "
                "another device."
            )
            % {"time": clock_time(current.updated_at)}
        )
        self.current = current


@dataclass(frozen=True)
class DraftState:
    """A draft as the page and the draft endpoint show it; version 0: nothing saved yet."""

    version: int
    answers: dict[str, str]
    updated_at: datetime | None
    revision_id: int | None = None

    @classmethod
    def of(cls, draft: ExerciseDraft | None) -> DraftState:
        if draft is None:
            return cls(version=0, answers={}, updated_at=None)
        return cls(
            version=draft.version,
            answers=dict(draft.answers),
            updated_at=draft.updated_at,
            revision_id=draft.revision_id,
        )

    @property
    def saved_label(self) -> str:
        """ "Saved at 14:05" in the site's time zone; empty before the first save."""
        if self.updated_at is None:
            return ""
        return _("Saved at %(time)s") % {"time": clock_time(self.updated_at)}

    def as_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "answers": self.answers,
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
            "status": self.saved_label,
        }


def clock_time(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%H:%M") if moment is not None else ""


def learner_draft(*, learner: Any, course_id: int, exercise: Exercise) -> ExerciseDraft | None:
    """The learner's draft of the exercise in the course: one query, None for visitors."""
    if not learner.is_authenticated:
        return None
    return ExerciseDraft.objects.filter(
        learner=learner, course_id=course_id, exercise=exercise
    ).first()


def draft_saves_per_minute() -> int:
    return int(getattr(settings, "PMA_DRAFT_SAVES_PER_MINUTE", DEFAULT_SAVES_PER_MINUTE))


def draft_save_allowed(*, learner_id: int) -> bool:
    """At most PMA_DRAFT_SAVES_PER_MINUTE saves a minute per learner, counted in the cache.

    Autosave waits 1.5 s after the last key, so one tab sends far fewer; the limit is for
    scripts, not people.
    """
    limit = draft_saves_per_minute()
    if not limit:
        return True
    key = f"courses:draft-saves:{learner_id}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=65)
    try:
        count = cache.incr(key)
    except ValueError:
        # The entry expired between add and incr; this save starts a fresh minute.
        cache.set(key, 1, timeout=65)
        count = 1
    return count <= limit


def _clean_answers(*, exercise: Exercise, answers: Any) -> dict[str, str]:
    """The answers of the exercise's answer cells, each a string; other keys are dropped (a
    revision published while the page was open may have renamed cells)."""
    revision = exercise.current_revision
    if revision is None or not exercise.is_ready:
        raise DraftRefused(_("This exercise is not open yet, so there is nothing to save."))
    if not isinstance(answers, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in answers.items()
    ):
        raise DraftRefused(
            _("Your draft could not be read: each answer cell's text must be a string.")
        )
    size = sum(len(k.encode()) + len(v.encode()) for k, v in answers.items())
    if size > max_upload_bytes():
        raise DraftTooLarge(answers_too_large(size))
    known = set(answer_grade_ids(revision=revision))
    # A form posts its textareas with CRLF line ends, scripts with LF: stored as the grader does.
    return {k: v.replace("\r\n", "\n") for k, v in answers.items() if k in known}


def _current(*, learner: Any, course: CoursePage, exercise: Exercise) -> DraftState:
    return DraftState.of(learner_draft(learner=learner, course_id=course.pk, exercise=exercise))


def draft_save(
    *,
    learner: Any,
    course: CoursePage,
    exercise: Exercise,
    answers: Any,
    base_version: int,
) -> DraftState:
    """Save the learner's answers over the draft they started from (`base_version`).

    Raises NotEnrolledError, DraftRefused (DraftTooLarge) or DraftConflict; nothing is written
    then.
    """
    if active_enrolment(learner=learner, course=course) is None:
        raise NotEnrolledError(_("Enrol in this course to save drafts of its exercises."))
    cleaned = _clean_answers(exercise=exercise, answers=answers)
    current = _current(learner=learner, course=course, exercise=exercise)
    if current.version and current.answers == cleaned:
        return current
    now = timezone.now()
    revision_id = exercise.current_revision_id
    if current.version == 0:
        try:
            with transaction.atomic():
                ExerciseDraft.objects.create(
                    learner=learner,
                    course=course,
                    exercise=exercise,
                    answers=cleaned,
                    revision_id=revision_id,
                    version=1,
                    updated_at=now,
                )
        except IntegrityError:
            # Another tab's first save landed between the read and this write.
            raise DraftConflict(
                _current(learner=learner, course=course, exercise=exercise)
            ) from None
        return DraftState(version=1, answers=cleaned, updated_at=now, revision_id=revision_id)
    # One conditional UPDATE: of two saves sent against the same version exactly one matches.
    saved = ExerciseDraft.objects.filter(
        learner=learner, course=course, exercise=exercise, version=base_version
    ).update(answers=cleaned, revision_id=revision_id, version=F("version") + 1, updated_at=now)
    if not saved:
        raise DraftConflict(_current(learner=learner, course=course, exercise=exercise))
    return DraftState(
        version=base_version + 1, answers=cleaned, updated_at=now, revision_id=revision_id
    )


def draft_reset_cell(
    *,
    learner: Any,
    course: CoursePage,
    exercise: Exercise,
    answers: Any,
    base_version: int,
    grade_id: str,
) -> DraftState:
    """Save `answers` with one cell put back to the exercise's original (the release's text)."""
    revision = exercise.current_revision
    stubs = release_answer_stubs(revision=revision) if revision is not None else {}
    if grade_id not in stubs:
        raise DraftRefused(
            _("This exercise has no answer cell named “%(cell)s” to reset.") % {"cell": grade_id}
        )
    merged = {**answers, grade_id: stubs[grade_id]} if isinstance(answers, dict) else answers
    return draft_save(
        learner=learner,
        course=course,
        exercise=exercise,
        answers=merged,
        base_version=base_version,
    )


def draft_sync_submitted(
    *, learner: Any, course: CoursePage, exercise: Exercise, answers: dict[str, str]
) -> None:
    """After a Check or Submit was accepted: the draft becomes what was sent, whatever its
    version (the submission is the learner's newest word)."""
    if not answers:
        return
    now = timezone.now()
    fields = {
        "answers": dict(answers),
        "revision_id": exercise.current_revision_id,
        "updated_at": now,
    }
    mine = ExerciseDraft.objects.filter(learner=learner, course=course, exercise=exercise)
    if mine.update(version=F("version") + 1, **fields):
        return
    try:
        with transaction.atomic():
            ExerciseDraft.objects.create(
                learner=learner, course=course, exercise=exercise, version=1, **fields
            )
    except IntegrityError:
        mine.update(version=F("version") + 1, **fields)
