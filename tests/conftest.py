"""Fixtures shared by every test package: a published site with a course, its learner and instructor.

A package's conftest overrides `course` (with the builders in tests/factories.py) where its tests
need another one; `enrolled`, `instructor` and `learner_client` follow whichever `course` a test sees.
"""

import pytest
from django.conf import settings
from django.utils import translation

from courses.services import enrolment_create
from tests.factories import (
    PASSWORD,
    UserFactory,
    catalog_page,
    course_tree,
    instructor_user,
    site_home,
)


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in the default language. LocaleMiddleware activates a request's language
    on the thread and leaves it there, so one test's German request would otherwise make the next
    test's service calls speak German."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def home(db):
    return site_home()


@pytest.fixture
def catalog(home):
    return catalog_page(home)


@pytest.fixture
def course(catalog):
    """A published course: two modules of two lessons, one knowledge check each."""
    return course_tree(catalog, slug="foundations", title="Foundations")


@pytest.fixture
def learner(db):
    """Ada, with a verified address, who logs in with `password`; certificates print her name."""
    return UserFactory(username="ada", email="ada@example.org", certificate_name="Ada Lovelace")


@pytest.fixture
def enrolled(learner, course):
    enrolment_create(learner=learner, course=course)
    return learner


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return client


@pytest.fixture
def instructor(course):
    """An instructor (in the Instructors group) of `course`, named "Marty Cagan": the course's own if
    it was built with one (as certificates' courses are), else a new one added to it."""
    user = course.instructors.first()
    if user is None:
        user = instructor_user(certificate_name="Marty Cagan")
        course.instructors.add(user)
        course.save_revision().publish()
    return user
