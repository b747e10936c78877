"""Submitting: the learner's request checked (policy, notebook, rate), stored, and queued for grading.

`SubmissionRefused` carries the one sentence a learner reads when a request is turned down; a refused
request stores nothing. Enrolment is checked one level up, in courses.services.course_exercise_submit.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from exercises.format import NotebookRejected, load_notebook_bytes
from exercises.format.loading import MAX_CELL_SOURCE_CHARS
from exercises.models import Exercise, ExerciseRevision

from ..attempts import (
    EXERCISE_DUE,
    USES_AN_ATTEMPT,
    Due,
    attempt_standing,
    not_open_yet,
    scheduled_due,
)
from ..kernels import grading_settings
from ..late import due_for, extension_for, lateness
from ..models import (
    DueSource,
    Submission,
    SubmissionKind,
    SubmissionOrigin,
    SubmissionStatus,
)
from ..uploads import max_upload_bytes, upload_refusal
from .grade_run import enqueue_grading
from .notebooks import (
    answer_grade_ids,
    cell_grade_id,
    normalise_answer,
    notebook_answers,
    release_answer_stubs,
    release_notebook_of,
)
from .refusals import SubmissionRefused

logger = logging.getLogger(__name__)


DEFAULT_RATE_LIMIT_PER_MINUTE = 6


def rate_limit_per_minute() -> int:
    return int(grading_settings().get("RATE_LIMIT_PER_MINUTE", DEFAULT_RATE_LIMIT_PER_MINUTE))


def _policy_check(
    *,
    learner: Any,
    exercise: Exercise,
    course_page_id: int | None,
    kind: str,
    due_at: datetime | None | Due = EXERCISE_DUE,
    due_source: str = DueSource.SCHEDULE,
) -> int | None:
    """Refuse what the attempt policy (attempts.py) or the rate limit forbids; the attempt number a
    submission would get (None for a check)."""
    now = timezone.now()
    mine = Submission.objects.filter(
        learner=learner, exercise=exercise, course_page_id=course_page_id
    )
    facts: dict[str, Any] = {"last": None, "used": 0}
    if kind == SubmissionKind.SUBMIT:
        facts = mine.filter(kind=SubmissionKind.SUBMIT).aggregate(
            last=Max("attempt"), used=Count("pk", filter=USES_AN_ATTEMPT)
        )
    last_sent_at = None
    if exercise.cooldown_seconds:
        last_sent_at = mine.order_by("-created_at").values_list("created_at", flat=True).first()
    standing = attempt_standing(
        exercise=exercise,
        attempts_used=facts["used"],
        last_attempt=facts["last"],
        last_sent_at=last_sent_at,
        due_at=due_at,
        due_source=due_source,
        now=now,
    )
    refusal = standing.refusal(kind)
    if refusal is not None:
        raise SubmissionRefused(refusal)
    attempt = standing.next_attempt if kind == SubmissionKind.SUBMIT else None
    limit = rate_limit_per_minute()
    recent = list(
        Submission.objects.filter(learner=learner, created_at__gt=now - timedelta(minutes=1))
        .order_by("created_at")
        .values_list("created_at", flat=True)[:limit]
    )
    if limit and len(recent) >= limit:
        wait = int((recent[0] + timedelta(minutes=1) - now).total_seconds()) + 1
        raise SubmissionRefused(
            _(
                "You have sent %(limit)s checks and submissions in the last minute, the most the graders "
                "accept from one person. Please try again in %(wait)s seconds."
            )
            % {"limit": limit, "wait": wait}
        )
    return attempt


def _notebook_from_upload(
    *, data: bytes, revision: ExerciseRevision, exercise: Exercise
) -> tuple[Any, dict[str, str]]:
    refusal = upload_refusal(len(data))
    if refusal is not None:
        raise SubmissionRefused(refusal)
    try:
        notebook = load_notebook_bytes(data, max_bytes=max_upload_bytes())
    except NotebookRejected as exc:
        raise SubmissionRefused(str(exc)) from None
    answers = notebook_answers(notebook=notebook, revision=revision)
    if not answers:
        raise SubmissionRefused(
            _(
                "This notebook is not the one for the exercise '%(title)s': none of its answer cells "
                "(%(cells)s) is in it. Download the exercise notebook from this page, work in that copy, "
                "and upload it."
            )
            % {"title": exercise.title, "cells": ", ".join(answer_grade_ids(revision=revision))}
        )
    return notebook, answers


def _notebook_from_answers(
    *, answers: Any, revision: ExerciseRevision
) -> tuple[dict[str, Any], dict[str, str]]:
    wanted = answer_grade_ids(revision=revision)
    if not isinstance(answers, dict) or not all(isinstance(v, str) for v in answers.values()):
        raise SubmissionRefused(_("The answers could not be read; reload the page and try again."))
    unknown = sorted(set(answers) - set(wanted))
    if unknown:
        raise SubmissionRefused(
            _("The answers name cells this exercise does not have; reload the page and try again.")
        )
    for grade_id, text in answers.items():
        if len(text) > MAX_CELL_SOURCE_CHARS:
            raise SubmissionRefused(
                _("The answer '%(cell)s' is %(n)s characters long; at most %(max)s are accepted.")
                % {"cell": grade_id, "n": len(text), "max": MAX_CELL_SOURCE_CHARS}
            )
    notebook = release_notebook_of(revision=revision)
    notebook = copy.deepcopy(notebook)
    for cell in notebook.get("cells", []):
        grade_id = cell_grade_id(cell)
        if grade_id in answers:
            # The browser sends CRLF line endings; notebooks use LF.
            cell["source"] = answers[grade_id].replace("\r\n", "\n")
    final = {gid: answers[gid].replace("\r\n", "\n") for gid in wanted if gid in answers}
    return notebook, final


def submission_create(
    *,
    learner: Any,
    exercise: Exercise,
    course_page: Any | None,
    data: bytes | None = None,
    answers: dict[str, str] | None = None,
    kind: str | None,
    due_at: datetime | None | Due = EXERCISE_DUE,
    due_source: str = DueSource.SCHEDULE,
) -> Submission:
    """Check the policy and the notebook, store the submission, and enqueue grading on commit.

    `due_at` is the due date scheduled for this learner (courses gives their cohort's, with
    `due_source` saying so); the default is the exercise's own. The learner's extension, when
    they have one, replaces it; a submission after it is refused or judged late as the
    exercise's late policy says (grading.late), and what it was judged against is stored with it.

    `data` is an uploaded .ipynb; `answers` (grade_id → text) comes from the in-browser
    editor. Exactly one of them is given. Raises SubmissionRefused (nothing stored).
    """
    if kind not in SubmissionKind.values:
        raise SubmissionRefused(_("Choose Check or Submit."))
    if (data is None) == (answers is None):
        raise SubmissionRefused(
            _("Upload your notebook or write your answers in the editor, not both.")
        )
    revision = exercise.current_revision
    if revision is None or not exercise.is_ready:
        raise SubmissionRefused(not_open_yet())
    if data is not None:
        notebook, final_answers = _notebook_from_upload(
            data=data, revision=revision, exercise=exercise
        )
        origin = SubmissionOrigin.UPLOAD
    else:
        notebook, final_answers = _notebook_from_answers(answers=answers, revision=revision)
        origin = SubmissionOrigin.EDITOR
    stubs = release_answer_stubs(revision=revision)
    if all(
        normalise_answer(final_answers.get(gid, stubs[gid])) == normalise_answer(stubs[gid])
        for gid in stubs
    ):
        raise SubmissionRefused(
            _(
                "None of the answer cells has been changed from the exercise notebook yet; write your "
                "answers first."
            )
        )
    stored = (
        data
        if data is not None
        else (json.dumps(notebook, indent=1, ensure_ascii=False) + "\n").encode()
    )
    course_page_id = course_page.pk if course_page is not None else None
    scheduled, scheduled_source = scheduled_due(exercise=exercise, due_at=due_at, source=due_source)
    due, source = due_for(
        exercise=exercise,
        extension=extension_for(learner=learner, exercise=exercise, course_page_id=course_page_id),
        scheduled=scheduled,
        scheduled_source=scheduled_source,
    )

    try:
        with transaction.atomic():
            # Serialise one learner's requests, so two at once cannot both pass the policy.
            get_user_model().objects.select_for_update().filter(pk=learner.pk).first()
            attempt = _policy_check(
                learner=learner,
                exercise=exercise,
                course_page_id=course_page_id,
                kind=kind,
                due_at=due,
                due_source=source,
            )
            now = timezone.now()
            judged = (
                lateness(exercise=exercise, due_at=due, source=source, at=now)
                if kind == SubmissionKind.SUBMIT
                else None
            )
            submission = Submission(
                learner=learner,
                exercise=exercise,
                revision=revision,
                course_page_id=course_page_id,
                kind=kind,
                origin=origin,
                status=SubmissionStatus.QUEUED,
                notebook_sha256=hashlib.sha256(stored).hexdigest(),
                answers=final_answers,
                seed=secrets.randbelow(2**31),
                attempt=attempt,
                created_at=now,
                queued_at=now,
                max_score=revision.max_score,
            )
            if judged is not None:
                submission.due_at, submission.due_source = judged.due_at, judged.source
                submission.late_days = judged.days
                submission.late_penalty_percent = judged.percent
            submission.notebook.save("submission.ipynb", ContentFile(stored), save=False)
            submission.save()
            enqueue_grading(submission.pk)
    except IntegrityError:
        # A concurrent request took the same attempt number.
        raise SubmissionRefused(
            _("Another submission was being saved at the same moment; please try again.")
        ) from None
    return submission
