"""Fixtures for the submission pipeline: a validated RICE exercise in a published course."""

import pytest

from courses.models import CourseExercise
from courses.services import enrolment_create
from tests.courses.factories import (
    UserFactory,
    catalog_page,
    course_tree,
    instructor_user,
    site_home,
)

from .submissions_support import install_fake_engine, make_exercise


@pytest.fixture
def home(db):
    return site_home()


@pytest.fixture
def catalog(home):
    return catalog_page(home)


@pytest.fixture
def course(catalog):
    return course_tree(catalog, slug="prioritisation", title="Prioritisation")


@pytest.fixture
def other_course(catalog):
    return course_tree(catalog, slug="roadmaps", title="Roadmaps")


@pytest.fixture
def exercise(course):
    exercise = make_exercise()
    CourseExercise.objects.create(course=course, key=exercise.slug, title=exercise.title, max_points=10)
    return exercise


@pytest.fixture
def learner(db):
    return UserFactory()


@pytest.fixture
def enrolled(learner, course):
    enrolment_create(learner=learner, course=course)
    return learner


@pytest.fixture
def instructor(course):
    user = instructor_user()
    course.instructors.add(user)
    course.save_revision().publish()
    return user


@pytest.fixture
def fake_engine(monkeypatch):
    return install_fake_engine(monkeypatch)
