"""Rate limits through HTTP: allauth's on log-in, sign-up and password reset, grading's on submissions.

Test settings turn allauth's limits off for every other test; here they are the production values
from config/settings/base.py.
"""

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from accounts.models import User
from config.settings import base
from grading.models import Submission
from tests.grading.submissions_support import CORRECT

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple-42"
production_rate_limits = override_settings(ACCOUNT_RATE_LIMITS=base.ACCOUNT_RATE_LIMITS)


def log_in(client, email: str, password: str):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_the_limits_are_the_documented_ones():
    assert base.ACCOUNT_RATE_LIMITS == {
        "login": "30/m/ip",
        "login_failed": "10/m/ip,5/5m/key",
        "signup": "20/m/ip",
        "reset_password": "20/m/ip,5/m/key",
    }
    assert base.PMA_GRADING["RATE_LIMIT_PER_MINUTE"] == 6


@production_rate_limits
def test_after_five_failed_log_ins_even_the_right_password_is_refused(client, learner):
    for _ in range(5):
        failed = log_in(client, learner.email, "not-the-password")
        assert failed.status_code == 200
        assert "The email address and/or password you specified are not correct." in failed.text

    refused = log_in(client, learner.email, PASSWORD)

    assert refused.status_code == 200
    assert "Too many failed login attempts. Try again later." in refused.text
    assert "_auth_user_id" not in client.session


@production_rate_limits
def test_failed_log_ins_for_one_address_do_not_lock_out_another(client, learner, other_learner):
    for _ in range(5):
        log_in(client, learner.email, "not-the-password")

    response = log_in(client, other_learner.email, PASSWORD)

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == other_learner.pk


@production_rate_limits
def test_the_31st_log_in_post_in_a_minute_gets_the_friendly_429_page(client, learner):
    for n in range(30):
        assert log_in(client, f"nobody{n}@example.org", "guess").status_code == 200

    response = log_in(client, learner.email, PASSWORD)

    assert response.status_code == 429
    assert response.templates[0].name == "429.html"
    assert "<h1>Too many attempts</h1>" in response.text
    assert "Wait a minute, then try again." in response.text
    assert "_auth_user_id" not in client.session


@production_rate_limits
def test_the_21st_sign_up_in_a_minute_from_one_address_is_refused(client, db):
    def sign_up(n: int):
        return client.post(
            reverse("account_signup"),
            {
                "email": f"new{n}@example.org",
                "password1": PASSWORD,
                "password2": PASSWORD,
                "certificate_name": f"New {n}",
            },
        )

    for n in range(20):
        assert sign_up(n).status_code == 302
        client.logout()

    response = sign_up(20)

    assert response.status_code == 429
    assert "<h1>Too many attempts</h1>" in response.text
    assert User.objects.filter(email__startswith="new").count() == 20


@production_rate_limits
def test_the_sixth_password_reset_for_one_address_in_a_minute_is_refused(client, learner):
    for _ in range(5):
        response = client.post(reverse("account_reset_password"), {"email": learner.email})
        assert response.status_code == 302

    response = client.post(reverse("account_reset_password"), {"email": learner.email})

    assert response.status_code == 429
    assert len(mail.outbox) == 5


def test_the_seventh_check_in_a_minute_is_refused_with_the_wait(
    client, learner, course, exercise, fake_engine
):
    client.force_login(learner)
    url = reverse("exercise_submit", args=[course.pk, exercise.pk])
    answers = {f"answer-{k}": v for k, v in CORRECT.items()}
    for _ in range(6):
        with fake_engine.commit(execute=True):
            client.post(url, {"action": "check", **answers})

    response = client.post(url, {"action": "check", **answers}, follow=True)

    assert response.status_code == 200
    assert (
        "You have sent 6 checks and submissions in the last minute, the most the graders accept from one "
        "person. Please try again in"
    ) in response.text
    assert Submission.objects.filter(learner=learner).count() == 6
    assert len(fake_engine.calls) == 6
