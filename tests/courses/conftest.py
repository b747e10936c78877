"""Fixtures for the courses tests: a site with a home page, a catalog and a small course."""

import pytest

from courses.services import enrolment_create

from .factories import UserFactory, catalog_page, course_tree, site_home


@pytest.fixture
def home(db):
    return site_home()


@pytest.fixture
def catalog(home):
    return catalog_page(home)


@pytest.fixture
def course(catalog):
    """Two modules of two lessons, one knowledge check per lesson."""
    return course_tree(catalog, slug="foundations", title="Foundations")


@pytest.fixture
def learner(db):
    return UserFactory()


@pytest.fixture
def enrolled(learner, course):
    enrolment_create(learner=learner, course=course)
    return learner


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return client
