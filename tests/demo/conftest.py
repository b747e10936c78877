"""Fixtures for the demo tests: the same site, catalog and learners as the courses tests."""

from tests import pages_fixtures

home, catalog = pages_fixtures.home, pages_fixtures.catalog
learner, enrolled = pages_fixtures.learner, pages_fixtures.enrolled
course = pages_fixtures.course_fixture(slug="foundations", title="Foundations")
