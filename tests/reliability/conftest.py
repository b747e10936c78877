"""Fault tests reuse the real-server fixtures of tests/integration and the grading fixtures."""

from tests.grading import conftest as grading_fixtures
from tests.integration import conftest as server_fixtures

course, exercise, fake_engine = (
    grading_fixtures.course,
    grading_fixtures.exercise,
    grading_fixtures.fake_engine,
)
redis_server, rq_everywhere = server_fixtures.redis_server, server_fixtures.rq_everywhere
deployment, enrol = server_fixtures.deployment, server_fixtures.enrol
