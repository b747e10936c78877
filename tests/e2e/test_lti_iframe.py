"""A launch inside the LMS's iframe, in chromium: the LMS page is served on another origin on
loopback (127.0.0.1, the tool on localhost). In tests/e2e because the browser fixture lives for
this package: its event loop must stop before any other test runs. Over plain HTTP the browser drops the tool's cookies
in the cross-site frame, so the tool offers to open in a new window, where the launch completes."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from courses.models import Enrolment
from lti.models import LtiIdentity
from tests.lti.conftest import lms, lti_course, registration  # noqa: F401  (the LMS on loopback)

from .live_site import database_turn

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_launch_in_the_lms_iframe_falls_back_to_a_new_window(
    browser,
    site,
    lms,  # noqa: F811
    registration,  # noqa: F811
    lti_course,  # noqa: F811
):
    course, _exercise = lti_course
    lms.next_launch.custom = {"pma_resource": f"page:{course.pk}"}
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    violations: list[str] = []
    page = context.new_page()
    page.on("console", lambda m: violations.append(m.text) if "frame-ancestors" in m.text else None)

    page.goto(f"{lms.url}/course")

    frame = page.frame_locator("#tool")
    # The tool's page loaded inside the LMS (CSP frame-ancestors allows this LMS) and saw that
    # its cookie did not stick there.
    expect(frame.get_by_text("Your browser blocks the cookies")).to_be_visible()
    assert violations == []
    with context.expect_page() as opened:
        frame.get_by_role("link", name="Open in a new window").click()
    window = opened.value
    window.wait_for_url(f"{site.url}{course.url}")
    expect(window.get_by_role("heading", level=1)).to_have_text("PM 101")
    with database_turn():
        user = LtiIdentity.objects.get(sub="lms-user-1").user
        assert Enrolment.objects.filter(learner=user, course=course).exists()
    context.close()
