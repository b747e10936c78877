"""Fixtures for the LTI tool's tests: the live tool, an LMS (tests/lti/platform.py) registered
with it, a course with a counted exercise, and a browser-like session that walks a launch."""

from __future__ import annotations

import html
import re
import typing as t
from urllib.parse import urljoin

import pytest
import requests

from courses.models import CourseExercise
from lti.models import Deployment, PlatformRegistration
from tests.factories import course_tree
from tests.grading.submissions_support import make_exercise

from .platform import TestLms


@pytest.fixture
def lms(live_server):
    with TestLms(live_server.url) as platform:
        yield platform


@pytest.fixture
def registration(lms):
    record = PlatformRegistration.objects.create(**lms.registration_fields())
    Deployment.objects.create(registration=record, deployment_id=lms.deployment_id)
    return record


@pytest.fixture
def lti_course(catalog):
    course = course_tree(catalog, slug="pm-101", title="PM 101", modules=1, lessons_per_module=2)
    exercise = make_exercise()
    CourseExercise.objects.create(
        course=course, exercise=exercise, title="RICE scoring", max_points=6
    )
    return course, exercise


class Walk(t.NamedTuple):
    response: requests.Response
    form: dict[str, str]
    action: str


class Browser:
    """A person's browser between the LMS and the tool: cookies kept, forms posted."""

    def __init__(self, lms: TestLms) -> None:
        self.lms = lms
        self.session = requests.Session()

    def start(self) -> Walk:
        """LMS → tool login → (cookie check page) → LMS auth → the auto-posting launch form."""
        tool = self.lms.tool_url
        page = self.session.get(f"{tool}/lti/login/", params=self.lms.login_initiation_params())
        assert page.status_code == 200, page.text
        continue_url = html.unescape(re.search(r'data-continue-url="([^"]+)"', page.text)[1])
        auth = self.session.get(urljoin(tool, continue_url))
        assert auth.status_code == 200, auth.text
        action = html.unescape(re.search(r'action="([^"]+)"', auth.text)[1])  # the LMS's form
        fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', auth.text))
        return Walk(auth, {k: html.unescape(v) for k, v in fields.items()}, action)

    def post(self, walk: Walk) -> requests.Response:
        return self.session.post(walk.action, data=walk.form, allow_redirects=False)

    def launch(self) -> requests.Response:
        return self.post(self.start())


@pytest.fixture
def browser(lms, registration):
    return Browser(lms)
