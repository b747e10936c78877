"""Fixtures for the certificates tests: a key directory per test, a course with its instructor, a certificate."""

import pytest
from django.core.cache import cache

from tests.factories import UserFactory, completed, course_page, instructor_user


@pytest.fixture(autouse=True)
def signing_keys(settings, tmp_path):
    settings.PMA_CERT_KEYS_DIR = tmp_path / "keys"
    return settings.PMA_CERT_KEYS_DIR


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def course(catalog):
    # Certificates print the course's instructor, so it always has one: the shared `instructor` is it.
    return course_page(catalog, instructor=instructor_user(certificate_name="Marty Cagan"))


@pytest.fixture
def other_learner(db):
    return UserFactory(certificate_name="Grace Hopper")


@pytest.fixture
def certificate(learner, course):
    from certificates.services import certificate_issue

    completed(learner, course, percent=92)
    return certificate_issue(learner=learner, course=course)
