"""Fixtures for the submission pipeline: a validated RICE exercise in a published course."""

import pytest

from tests import pages_fixtures
from tests.courses.factories import instructor_user

from .submissions_support import install_fake_engine, make_course_exercise

home, catalog = pages_fixtures.home, pages_fixtures.catalog
learner, enrolled = pages_fixtures.learner, pages_fixtures.enrolled
course = pages_fixtures.course_fixture(slug="prioritisation", title="Prioritisation")
other_course = pages_fixtures.course_fixture(slug="roadmaps", title="Roadmaps")


@pytest.fixture
def exercise(course):
    return make_course_exercise(course)


@pytest.fixture
def instructor(course):
    user = instructor_user()
    course.instructors.add(user)
    course.save_revision().publish()
    return user


@pytest.fixture
def fake_engine(monkeypatch):
    return install_fake_engine(monkeypatch)
