"""Fixtures for a published site: home page, course catalog, a course, and a learner enrolled in it.

A conftest binds the ones it wants to its own names (`home = pages_fixtures.home`: an import
would read as unused to the linter) and makes its `course` with `course_fixture`; `enrolled`
enrols the learner in whichever `course` the requesting test sees.
"""

import pytest

from courses.services import enrolment_create
from tests.courses.factories import UserFactory, catalog_page, course_tree, site_home


@pytest.fixture
def home(db):
    return site_home()


@pytest.fixture
def catalog(home):
    return catalog_page(home)


def course_fixture(*, slug: str, title: str):
    """A fixture for a published course under `catalog`: two modules of two lessons, one check each."""

    @pytest.fixture
    def course(catalog):
        return course_tree(catalog, slug=slug, title=title)

    return course


@pytest.fixture
def learner(db):
    return UserFactory()


@pytest.fixture
def enrolled(learner, course):
    enrolment_create(learner=learner, course=course)
    return learner
