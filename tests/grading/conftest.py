"""Fixtures for the submission pipeline: a validated RICE exercise in a published course."""

import pytest

from tests.factories import course_tree

from .submissions_support import install_fake_engine, make_course_exercise


@pytest.fixture
def course(catalog):
    return course_tree(catalog, slug="prioritisation", title="Prioritisation")


@pytest.fixture
def other_course(catalog):
    return course_tree(catalog, slug="roadmaps", title="Roadmaps")


@pytest.fixture
def exercise(course):
    return make_course_exercise(course)


@pytest.fixture
def fake_engine(monkeypatch):
    return install_fake_engine(monkeypatch)
