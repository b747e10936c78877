"""A task for health tests to put on a queue (never run: /healthz only counts it)."""

from django_tasks import task


@task(queue_name="grading")
def wait_in_line() -> None:
    return None
