"""Fixtures for the API tests: tokens for each kind of caller, a second course with its own
instructor, a draft course, and a client that sends a bearer token."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from api.models import Scope, TokenKind
from api.tokens import token_create
from courses.services import enrolment_create
from tests.factories import UserFactory, course_page, instructor_user

ALL_SCOPES = list(Scope.values)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    # The rate-limit counters live in the cache, which outlives a test's transaction.
    cache.clear()
    yield
    cache.clear()


def make_token(user, *, scopes=ALL_SCOPES, kind=TokenKind.PERSONAL, days=30, courses=(), by=None):
    return token_create(
        kind=kind,
        name=f"{kind} token",
        scopes=scopes,
        expires_at=timezone.now() + timedelta(days=days),
        user=user,
        created_by=by or user,
        courses=courses,
    ).plaintext


@pytest.fixture
def token_for():
    return make_token


class Api:
    """The test client with a bearer token."""

    def __init__(self, client, token: str | None):
        self.client = client
        self.token = token

    def _headers(self):
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}

    def get(self, path, **params):
        return self.client.get(path, params, **self._headers())

    def post(self, path, body):
        return self.client.post(path, body, content_type="application/json", **self._headers())

    def delete(self, path):
        return self.client.delete(path, **self._headers())


@pytest.fixture
def api_as(client):
    def make(user_or_token, **kwargs):
        if user_or_token is None or isinstance(user_or_token, str):
            return Api(client, user_or_token)
        return Api(client, make_token(user_or_token, **kwargs))

    return make


@pytest.fixture
def other_course(catalog):
    """Another published course, taught by someone else."""
    other = instructor_user(certificate_name="Teresa Torres")
    return course_page(catalog, slug="discovery", title="Discovery", instructor=other)


@pytest.fixture
def other_instructor(other_course):
    return other_course.instructors.get()


@pytest.fixture
def grace(db, course):
    """A second learner of `course`."""
    user = UserFactory(username="grace", email="grace@example.org", certificate_name="Grace Hopper")
    enrolment_create(learner=user, course=course)
    return user
