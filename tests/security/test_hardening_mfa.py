"""Two-factor authentication for staff: an instructor activates an authenticator app (TOTP), then
every log-in asks for its code; with PMA_REQUIRE_STAFF_MFA staff must set it up to reach an admin."""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse

from tests.ops.conftest import production_settings

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple-42"


def totp_code(secret: str, *, periods_ahead: int = 0) -> str:
    """What the instructor's authenticator app shows now (30-second periods, six digits)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + periods_ahead))


def log_in(client, user):
    return client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})


def activate_totp(client) -> str:
    page = client.get(reverse("mfa_activate_totp"))
    if page.status_code == 302:
        # allauth asks for the password again before changing how the account signs in.
        assert page["Location"].startswith(reverse("account_reauthenticate"))
        client.post(page["Location"], {"password": PASSWORD})
        page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = page.context["form"].secret
    done = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert done.status_code == 302
    return secret


def test_an_instructor_activates_totp_and_then_needs_the_code_to_log_in(
    client, instructor, settings
):
    # One period of tolerance, as an authenticator's clock drifts; lets the test use the next code.
    settings.MFA_TOTP_TOLERANCE = 1
    assert log_in(client, instructor).status_code == 302
    secret = activate_totp(client)
    assert Authenticator.objects.filter(user=instructor, type=Authenticator.Type.TOTP).count() == 1
    client.logout()

    asked = log_in(client, instructor)

    assert asked.status_code == 302
    assert asked["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    wrong = client.post(
        reverse("mfa_authenticate"),
        {"code": "000000" if totp_code(secret) != "000000" else "111111"},
    )
    assert wrong.status_code == 200
    assert "Incorrect code." in wrong.text
    assert "_auth_user_id" not in client.session

    accepted = client.post(
        reverse("mfa_authenticate"), {"code": totp_code(secret, periods_ahead=1)}
    )

    assert accepted.status_code == 302
    assert int(client.session["_auth_user_id"]) == instructor.pk
    assert client.get("/admin/").status_code == 200


def test_when_required_staff_without_mfa_are_sent_to_set_it_up(client, instructor, settings):
    settings.PMA_REQUIRE_STAFF_MFA = True
    client.force_login(instructor)

    for path in ("/admin/", "/admin/pages/", "/django-admin/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == reverse("mfa_activate_totp"), path

    page = client.get(reverse("mfa_activate_totp"), follow=True)
    assert "staff accounts on this site need two-factor authentication" in page.text
    assert client.get("/admin/logout/").status_code in {200, 302, 405}


def test_when_required_staff_with_mfa_reach_the_admin(client, instructor, settings):
    settings.PMA_REQUIRE_STAFF_MFA = True
    log_in(client, instructor)
    activate_totp(client)

    assert client.get("/admin/").status_code == 200


def test_the_requirement_leaves_learners_alone(client, learner, settings):
    settings.PMA_REQUIRE_STAFF_MFA = True
    client.force_login(learner)

    assert client.get(reverse("dashboard")).status_code == 200
    assert client.get("/admin/")["Location"] == reverse("dashboard")


def test_production_requires_mfa_for_staff_unless_turned_off(tmp_path):
    # Rate limits count clients behind the proxy, not the proxy (see docs/operations.md).
    assert production_settings(
        tmp_path, ["PMA_REQUIRE_STAFF_MFA", "ALLAUTH_TRUSTED_PROXY_COUNT"]
    ) == {
        "PMA_REQUIRE_STAFF_MFA": True,
        "ALLAUTH_TRUSTED_PROXY_COUNT": 1,
    }
    assert production_settings(tmp_path, ["PMA_REQUIRE_STAFF_MFA"], PMA_REQUIRE_STAFF_MFA="0") == {
        "PMA_REQUIRE_STAFF_MFA": False
    }
