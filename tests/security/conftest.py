"""Fixtures for the hardening tests: a published course with a graded exercise, two enrolled learners
(the shared instructor teaches the course), a certificate, and a guard that fails if a request body is parsed."""

import pytest
from django.core.cache import cache
from django.http import multipartparser
from django.urls import URLResolver, get_resolver

from courses.services import enrolment_create
from tests.factories import UserFactory, completed, course_tree
from tests.grading.submissions_support import install_fake_engine_over_http, make_course_exercise


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # allauth, grading and verification count requests in the cache; start each test at zero.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def course(catalog):
    return course_tree(
        catalog, slug="prioritisation", title="Prioritisation", modules=1, lessons_per_module=1
    )


@pytest.fixture
def exercise(course):
    return make_course_exercise(course)


@pytest.fixture
def learner(learner, course):
    # Every attack here comes from a learner enrolled in the course: the shared learner, enrolled.
    enrolment_create(learner=learner, course=course)
    return learner


@pytest.fixture
def other_learner(course):
    other = UserFactory(certificate_name="Grace Hopper")
    enrolment_create(learner=other, course=course)
    return other


@pytest.fixture
def fake_engine(monkeypatch, django_capture_on_commit_callbacks):
    return install_fake_engine_over_http(monkeypatch, django_capture_on_commit_callbacks)


@pytest.fixture
def certificate(learner, course, settings, tmp_path):
    from certificates.services import certificate_issue

    settings.PMA_CERT_KEYS_DIR = tmp_path / "keys"
    completed(learner, course, percent=92)
    return certificate_issue(learner=learner, course=course)


@pytest.fixture
def body_never_parsed(monkeypatch):
    """Fails the request if anything parses a multipart body (the limit must act before that)."""
    parsed: list[str] = []

    def refuse_to_parse(self):
        parsed.append("multipart")
        raise AssertionError("The request body was parsed before its size was checked.")

    monkeypatch.setattr(multipartparser.MultiPartParser, "parse", refuse_to_parse)
    return parsed


OUR_APPS = ("accounts", "courses", "certificates", "grading", "exercises", "ops")
# Staff-only (the admin middleware sends learners to their dashboard) or allauth's own views.
NOT_LEARNER_FACING = ("admin/", "django-admin/", "accounts/")


def site_url_names() -> dict[str, str]:
    """Every named URL our apps serve on the public site, as {"namespace:name": "route"}."""
    found: dict[str, str] = {}

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, route, inner)
            elif (
                not route.startswith(NOT_LEARNER_FACING)
                and pattern.callback.__module__.split(".")[0] in OUR_APPS
            ):
                found[f"{namespace}{pattern.name}"] = route

    walk(get_resolver().url_patterns, "", "")
    return found
