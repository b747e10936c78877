"""Fixtures for the certificates tests: a key directory per test, a course, learners."""

import pytest
from django.core.cache import cache

from .factories import UserFactory, completed, course_page, site_catalog


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
def catalog(db):
    return site_catalog()


@pytest.fixture
def instructor(db):
    return UserFactory(certificate_name="Marty Cagan")


@pytest.fixture
def course(catalog, instructor):
    return course_page(catalog, instructor=instructor)


@pytest.fixture
def learner(db):
    return UserFactory(certificate_name="Ada Lovelace")


@pytest.fixture
def other_learner(db):
    return UserFactory(certificate_name="Grace Hopper")


@pytest.fixture
def certificate(learner, course):
    from certificates.services import certificate_issue

    completed(learner, course, percent=92)
    return certificate_issue(learner=learner, course=course)
