"""Background tasks of the LTI tool: thin, take ids, call services."""

from __future__ import annotations

from django_tasks import task

from . import roster, scores


@task()
def score_post_send_task(*, post_id: int) -> str:
    return scores.score_post_send(post_id=post_id)


@task()
def scores_due_send_task() -> int:
    return scores.scores_due_send()


@task()
def roster_sync_task(*, context_id: int) -> str:
    result = roster.roster_sync(context_id=context_id)
    return result.error or f"enrolled {result.enrolled}, unenrolled {result.unenrolled}"
