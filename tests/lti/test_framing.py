"""PM Academy inside the LMS's iframe: CSP frame-ancestors widened to the registered LMS only for
LTI-launched sessions and /lti/ pages, SameSite=None cookies over HTTPS, and the cookie check
page with its new-window fallback (no inline script)."""

from __future__ import annotations

import re

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from lti.framing import SESSION_KEY, LtiFramingMiddleware
from lti.models import Deployment, PlatformRegistration

pytestmark = pytest.mark.django_db


def _frame_ancestors(response) -> str:
    return re.search(r"frame-ancestors ([^;]*)", response["Content-Security-Policy"])[1]


@pytest.fixture
def moodle(db):
    registration = PlatformRegistration.objects.create(
        name="Moodle",
        issuer="https://moodle.school.example",
        client_id="abc",
        auth_login_url="https://moodle.school.example/mod/lti/auth.php",
        auth_token_url="https://moodle.school.example/mod/lti/token.php",
        key_set_url="https://moodle.school.example/mod/lti/certs.php",
    )
    Deployment.objects.create(registration=registration, deployment_id="1")
    return registration


def test_pages_outside_an_lti_session_stay_unframeable(client, course, moodle):
    response = client.get(course.url)

    assert _frame_ancestors(response) == "'none'"
    assert response["X-Frame-Options"] == "DENY"


def test_an_lti_session_may_be_framed_by_its_lms_only(client, course, moodle):
    session = client.session
    session[SESSION_KEY] = moodle.allowed_frame_origins()
    session.save()

    response = client.get(course.url)

    assert _frame_ancestors(response) == "'self' https://moodle.school.example"
    assert "X-Frame-Options" not in response
    # The rest of the policy is untouched.
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_the_login_page_may_be_framed_by_any_registered_lms_and_has_no_inline_script(
    client, moodle
):
    response = client.get(
        "/lti/login/",
        {
            "iss": moodle.issuer,
            "login_hint": "u1",
            "target_link_uri": "http://testserver/lti/launch/",
        },
    )

    assert response.status_code == 200
    assert _frame_ancestors(response) == "'self' https://moodle.school.example"
    page = response.content.decode()
    assert "Open in a new window" in page
    assert 'target="_blank"' in page
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []
    assert '<script src="/static/lti/lti.js" defer></script>' in page
    continue_url = re.search(r'data-continue-url="([^"]+)"', page)[1]
    assert "pma_cookies_checked=1" in continue_url
    assert "iss=https%3A%2F%2Fmoodle.school.example" in continue_url


def test_an_unregistered_lms_cannot_frame_lti_pages(client, moodle):
    moodle.active = False
    moodle.save()

    response = client.get("/lti/login/", {"iss": "x", "login_hint": "y"})

    assert _frame_ancestors(response) == "'none'"


def _response_with_cookies(request):
    def get_response(_request):
        response = HttpResponse("ok")
        response["Content-Security-Policy"] = "default-src 'self'; frame-ancestors 'none'"
        response["X-Frame-Options"] = "DENY"
        response.set_cookie("sessionid", "abc", samesite="Lax", httponly=True)
        response.set_cookie("csrftoken", "def", samesite="Lax")
        return response

    return LtiFramingMiddleware(get_response)(request)


def test_over_https_lti_session_cookies_are_samesite_none_and_secure(moodle):
    request = RequestFactory().get("/courses/x/", secure=True)
    request.session = {SESSION_KEY: ["https://moodle.school.example"]}

    response = _response_with_cookies(request)

    for name in ("sessionid", "csrftoken"):
        assert (response.cookies[name]["samesite"], response.cookies[name]["secure"]) == (
            "None",
            True,
        )


def test_over_plain_http_cookies_stay_lax(moodle):
    # Browsers refuse SameSite=None without Secure: in development the new-window fallback applies.
    request = RequestFactory().get("/courses/x/")
    request.session = {SESSION_KEY: ["https://moodle.school.example"]}

    response = _response_with_cookies(request)

    assert response.cookies["sessionid"]["samesite"] == "Lax"
    assert _frame_ancestors(response) == "'self' https://moodle.school.example"


def test_cookies_of_other_sessions_are_left_alone(moodle):
    request = RequestFactory().get("/courses/x/", secure=True)
    request.session = {}

    response = _response_with_cookies(request)

    assert response.cookies["sessionid"]["samesite"] == "Lax"
    assert response["X-Frame-Options"] == "DENY"
