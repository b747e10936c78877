"""Assignment and Grade Services: a learner's counted score, posted to the LMS line item.

grading.signals.submission_graded (received in lti.receivers) says the counted score of a
submission's learner may have changed: graded, regraded, overridden, late penalty applied. For
every LMS link that opens that exercise in that course, and that carries a line item, the score
is written to the outbox (ScorePost) first, then sent by a task. A row is unique per (line item,
LMS user, score timestamp); the same score twice in a row is not stored again, and a newer
score supersedes one not yet sent (the LMS keeps the latest timestamp anyway). A failed send is
retried with exponential backoff (a deferred task where the task backend can defer, and
`manage.py lti_send_scores` for anything due), and shows in the admin with its error.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal

import requests
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import default_task_backend
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException
from pylti1p3.grade import Grade

from grading.models import Submission, SubmissionKind
from grading.selectors import learner_exercise_score

from .models import LtiIdentity, LtiResourceLink, ScorePost, ScorePostStatus

logger = logging.getLogger("pma.lti")

MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 60
BACKOFF_MAX_SECONDS = 6 * 60 * 60
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** (attempts - 1), BACKOFF_MAX_SECONDS))


@transaction.atomic
def score_posts_record(*, submission: Submission) -> list[ScorePost]:
    """Store the learner's counted score for every LMS line item of this exercise and course;
    each new row is sent once this transaction commits."""
    if submission.kind != SubmissionKind.SUBMIT or submission.course_page_id is None:
        return []
    links = list(
        LtiResourceLink.objects.filter(
            exercise_id=submission.exercise_id, context__course_id=submission.course_page_id
        )
        .exclude(lineitem_url="")
        .select_related("context__registration")
    )
    if not links:
        return []
    counted = learner_exercise_score(
        learner=submission.learner,
        exercise=submission.exercise,
        course_page_id=submission.course_page_id,
    )
    if counted is None or counted.max_score <= 0:
        return []
    identities = {
        identity.issuer: identity
        for identity in LtiIdentity.objects.filter(user_id=submission.learner_id)
    }
    now = timezone.now()
    created = []
    for link in links:
        identity = identities.get(link.context.registration.issuer)
        if identity is None or SCORE_SCOPE not in (link.ags_scopes or []):
            continue
        latest = (
            ScorePost.objects.select_for_update()
            .filter(lineitem_url=link.lineitem_url, identity=identity)
            .exclude(status=ScorePostStatus.SUPERSEDED)
            .order_by("-scored_at")
            .first()
        )
        if (
            latest is not None
            and latest.status != ScorePostStatus.GAVE_UP
            and (latest.score_given, latest.score_maximum)
            == (Decimal(counted.score), Decimal(counted.max_score))
        ):
            continue
        ScorePost.objects.filter(
            lineitem_url=link.lineitem_url,
            identity=identity,
            status__in=[ScorePostStatus.PENDING, ScorePostStatus.FAILED],
        ).update(status=ScorePostStatus.SUPERSEDED)
        post = ScorePost.objects.create(
            link=link,
            identity=identity,
            lineitem_url=link.lineitem_url,
            score_given=counted.score,
            score_maximum=counted.max_score,
            scored_at=now,
        )
        created.append(post)
    for post in created:
        _send_on_commit(post.pk)
    return created


def _send_on_commit(post_id: int, *, when=None) -> None:  # type: ignore[no-untyped-def]
    from .tasks import score_post_send_task

    def enqueue() -> None:
        if when is not None:
            if default_task_backend.supports_defer:
                score_post_send_task.using(run_after=when).enqueue(post_id=post_id)
            return  # lti_send_scores picks it up when due
        score_post_send_task.enqueue(post_id=post_id)

    transaction.on_commit(enqueue)


def _claim(post_id: int) -> bool:
    """One sender per row: pending/failed-and-due → attempt counted, in one UPDATE."""
    now = timezone.now()
    return bool(
        ScorePost.objects.filter(pk=post_id)
        .filter(
            Q(status=ScorePostStatus.PENDING)
            | Q(status=ScorePostStatus.FAILED, next_attempt_at__lte=now)
        )
        .update(next_attempt_at=now + backoff(MAX_ATTEMPTS))
    )


def score_post_send(*, post_id: int) -> str:
    if not _claim(post_id):
        return "not due"
    post = ScorePost.objects.select_related("link__context__registration", "identity").get(
        pk=post_id
    )
    from .services_connector import service_connector

    link = post.link
    ags = AssignmentsGradesService(
        service_connector(link.context.registration),
        {  # type: ignore[typeddict-item]
            "scope": link.ags_scopes,
            "lineitem": post.lineitem_url,
            "lineitems": link.lineitems_url,
        },
    )
    grade = (
        Grade()
        .set_score_given(float(post.score_given))
        .set_score_maximum(float(post.score_maximum))
        .set_timestamp(post.scored_at.isoformat())
        .set_activity_progress("Completed")
        .set_grading_progress("FullyGraded")
        .set_user_id(post.identity.sub)
    )
    try:
        ags.put_grade(grade)
    except (LtiException, requests.RequestException, ValueError) as error:
        return _failed(post, f"{type(error).__name__}: {error}")
    post.status = ScorePostStatus.SENT
    post.sent_at = timezone.now()
    post.attempts += 1
    post.last_error = ""
    post.next_attempt_at = None
    post.save(update_fields=["status", "sent_at", "attempts", "last_error", "next_attempt_at"])
    return post.status


def _failed(post: ScorePost, message: str) -> str:
    post.attempts += 1
    post.last_error = message[:4000]
    if post.attempts >= MAX_ATTEMPTS:
        post.status, post.next_attempt_at = ScorePostStatus.GAVE_UP, None
    else:
        post.status = ScorePostStatus.FAILED
        post.next_attempt_at = timezone.now() + backoff(post.attempts)
    post.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
    logger.warning(
        "LTI score post %s failed (attempt %s): %s", post.pk, post.attempts, post.last_error
    )
    if post.status == ScorePostStatus.FAILED:
        _send_on_commit(post.pk, when=post.next_attempt_at)
    return post.status


def scores_due_send() -> int:
    """Send every row that is waiting or whose retry is due; returns how many were tried."""
    now = timezone.now()
    due = list(
        ScorePost.objects.filter(
            Q(status=ScorePostStatus.PENDING)
            | Q(status=ScorePostStatus.FAILED, next_attempt_at__lte=now)
        ).values_list("pk", flat=True)
    )
    for post_id in due:
        score_post_send(post_id=post_id)
    return len(due)


def score_post_retry_now(*, post: ScorePost) -> None:
    """From the admin: try a failed (or given up) row again at once."""
    if post.status in (ScorePostStatus.FAILED, ScorePostStatus.GAVE_UP):
        post.status = ScorePostStatus.FAILED
        post.next_attempt_at = timezone.now()
        if post.attempts >= MAX_ATTEMPTS:
            post.attempts = MAX_ATTEMPTS - 1
        post.save(update_fields=["status", "next_attempt_at", "attempts"])
        _send_on_commit(post.pk)
