"""The site the browser tests drive: pytest-django's live server plus a real grading worker.

How it runs, and why this way:

* The test database is SQLite in memory (config.settings.test). pytest-django's `live_server`
  hands the test's own connection to the server's request threads, because a second connection
  to an in-memory database would see another, empty database (or, through SQLite's shared cache,
  fail with "database table is locked" instead of waiting).
* The grading worker is django_tasks_db's own `Worker` (what `manage.py db_worker` runs), on a
  thread of the test process that borrows the same connection. Tasks go through the real
  DatabaseBackend: a learner's Submit writes a DBTaskResult row, the worker claims it, the grading
  engine runs the notebook in the sandbox, and `course_completed` queues the certificate tasks on
  the same worker.
* One connection serves every thread, and a Django connection keeps one transaction state. Two
  threads in `transaction.atomic()` at once would nest into each other's transaction, so every
  user of the database takes turns: each HTTP request, each worker step (claim and run one task)
  and each block of test code that reads the database hold `database_turn()`. A request made while
  a notebook is being graded waits for it, exactly as a page waits for a busy server.

A file-based SQLite database would avoid the lock, but the test settings (shared with the rest of
the suite, which runs in the same pytest session) keep the database in memory.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connections
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

_turn = threading.RLock()

#: How long the worker waits between looks at an empty queue.
WORKER_INTERVAL_SECONDS = 0.1


@contextmanager
def database_turn() -> Iterator[None]:
    """Hold the shared database connection while the browser's requests and the worker wait."""
    with _turn:
        yield


class OneAtATime:
    """WSGI middleware for the live server: a request runs while it holds the database turn."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        with database_turn():
            # The body is read inside the turn too: Django closes the request (and may touch the
            # database through request_finished) when the body is exhausted.
            response = self.app(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                close = getattr(response, "close", None)
                if close is not None:
                    close()


def take_turns(live_server: Any) -> Callable[[], None]:
    """Make the live server serve one request at a time; returns the function that undoes it."""
    httpd = live_server.thread.httpd
    original = httpd.get_app()
    httpd.set_app(OneAtATime(original))
    return lambda: httpd.set_app(original)


class GradingWorker:
    """django_tasks_db's worker on a thread, one claimed task per database turn."""

    def __init__(self, *, backend_name: str = "default") -> None:
        self.backend_name = backend_name
        self.connection = connections["default"]
        self.stopping = threading.Event()
        self.resume = threading.Event()
        self.resume.set()
        self.stepped = threading.Event()
        self.parked = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="e2e-grading-worker", daemon=True)

    def start(self) -> GradingWorker:
        self.connection.inc_thread_sharing()
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.resume.set()
        self.thread.join(timeout=120)
        self.connection.dec_thread_sharing()
        if self.thread.is_alive():
            raise RuntimeError("The grading worker did not stop within two minutes.")
        self._raise_if_crashed()

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Hold the worker back, so a test sees a submission queued before it is graded."""
        self.resume.clear()
        try:
            # A step that had already started finishes first; then the worker parks.
            if not self.parked.wait(timeout=180):
                raise AssertionError("The grading worker did not pause within three minutes.")
            yield
        finally:
            self.resume.set()

    def wait_until_idle(self, *, timeout: float = 180) -> None:
        """Return once no task is waiting or running (tasks that queue tasks included)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._raise_if_crashed()
            with database_turn():
                busy = DBTaskResult.objects.filter(
                    status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
                ).exists()
            if not busy:
                return
            self.stepped.wait(WORKER_INTERVAL_SECONDS)
            self.stepped.clear()
        raise AssertionError(f"The task queue was still busy after {timeout:.0f} s.")

    def failed_tasks(self) -> list[str]:
        """Tasks that raised, with their exception, for the test's report."""
        with database_turn():
            failed = DBTaskResult.objects.filter(status=TaskResultStatus.FAILED)
            return [
                f"{result.task_path}: {result.exception_class_path}: {result.traceback}"
                for result in failed
            ]

    def _raise_if_crashed(self) -> None:
        if self.error is not None:
            raise RuntimeError(f"The grading worker crashed: {self.error!r}") from self.error

    def _step(self) -> None:
        # batch + max_tasks=1: claim at most one task, run it, and return without sleeping.
        Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name=self.backend_name,
            startup_delay=False,
            max_tasks=1,
            worker_id="e2e-grading-worker",
            excluded_queue_names=[],
        ).run()

    def _run(self) -> None:
        connections["default"] = self.connection
        try:
            while not self.stopping.is_set():
                if not self.resume.is_set():
                    self.parked.set()
                    self.resume.wait()
                    self.parked.clear()
                    continue
                with database_turn():
                    self._step()
                self.stepped.set()
                self.stopping.wait(WORKER_INTERVAL_SECONDS)
        except BaseException as exc:  # reported by stop(), which the test's teardown calls
            logger.exception("The e2e grading worker crashed")
            self.error = exc
