"""Fixtures for the courses tests: a site with a home page, a catalog and a small course."""

import pytest

from tests import pages_fixtures

home, catalog = pages_fixtures.home, pages_fixtures.catalog
learner, enrolled = pages_fixtures.learner, pages_fixtures.enrolled
course = pages_fixtures.course_fixture(slug="foundations", title="Foundations")


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return client
