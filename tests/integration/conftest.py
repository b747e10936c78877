"""Fixtures for tests that run real servers: a throwaway Redis, RQ workers, the reaper, gunicorn.

These tests need PostgreSQL (separate processes share the test database) and the grading
sandbox; see tests/integration/processes.py.
"""

from decimal import Decimal

import pytest
from django.db import connection

from courses.models import CourseProgress
from courses.services import enrolment_create
from tests.factories import UserFactory
from tests.grading import conftest as grading_fixtures
from tests.grading.submissions_support import RICE_ANSWER

from .processes import Deployment, RedisServer

# The grading tests' course and its validated RICE exercise.
course, exercise = grading_fixtures.course, grading_fixtures.exercise

# An answer that keeps its worker busy for a few seconds, so a test can act while it grades.
SLOW_RICE_ANSWER = "import time\ntime.sleep(4)\n\n" + RICE_ANSWER


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def rq_everywhere(settings, redis_server):
    """The test process enqueues into the same Redis as the workers (on commit, as the site does)."""
    queues = ["default", "grading", "certificates"]
    settings.RQ_QUEUES = {
        name: {"URL": redis_server.url, "DEFAULT_TIMEOUT": 300} for name in queues
    }
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": queues}}
    return redis_server


@pytest.fixture
def deployment(transactional_db, django_db_serialized_rollback, rq_everywhere, tmp_path):
    """Nothing is running yet: each test starts the workers, reaper or web server it needs.

    Committed rows (transactional_db) so that other processes see them; serialized rollback
    puts back what migrations created (Wagtail's root page, groups) after the flush.
    """
    rq_everywhere.client().flushall()
    logs = tmp_path / "logs"
    logs.mkdir()
    site = Deployment(
        redis_server=rq_everywhere, database_name=connection.settings_dict["NAME"], logs=logs
    )
    yield site
    site.stop_all()
    # Shown by pytest when the test failed: what each process said.
    for log in sorted(logs.glob("*.log")):
        print(
            f"----- {log.name} (last 3000 characters) -----\n{log.read_text(errors='replace')[-3000:]}"
        )


def counted_points(learner) -> Decimal | None:
    """The learner's exercise points in their course, as courses recorded them."""
    return (
        CourseProgress.objects.filter(enrolment__learner=learner)
        .values_list("exercise_points", flat=True)
        .first()
    )


@pytest.fixture
def enrol(course):
    """enrol(n): n new learners, enrolled in the course."""

    def make(n: int) -> list:
        people = UserFactory.create_batch(n)
        for person in people:
            enrolment_create(learner=person, course=course)
        return people

    return make
