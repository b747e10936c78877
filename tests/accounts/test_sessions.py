"""Sessions are read from the cache (cached_db): ending one still ends it everywhere."""

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def signed_in_as(user, password) -> Client:
    client = Client()
    assert (
        client.post(
            reverse("account_login"), {"login": user.email, "password": password}
        ).status_code
        == 302
    )
    return client


def same_session(client: Client) -> Client:
    """Another browser holding a copy of `client`'s session cookie."""
    copy = Client()
    copy.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return copy


def test_sessions_are_cached_and_still_stored(learner, password):
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    client = signed_in_as(learner, password)

    assert Session.objects.filter(
        session_key=client.cookies[settings.SESSION_COOKIE_NAME].value
    ).exists()
    assert client.get(reverse("dashboard")).status_code == 200


def test_a_logged_out_session_cookie_no_longer_signs_anyone_in(learner, password):
    client = signed_in_as(learner, password)
    stolen = same_session(client)
    assert stolen.get(reverse("dashboard")).status_code == 200

    assert client.post(reverse("account_logout")).status_code == 302

    response = stolen.get(reverse("dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_changing_the_password_signs_out_the_other_sessions(learner, password):
    here, elsewhere = signed_in_as(learner, password), signed_in_as(learner, password)
    assert elsewhere.get(reverse("dashboard")).status_code == 200

    here.post(
        reverse("account_change_password"),
        {
            "oldpassword": password,
            "password1": "another-long-passphrase-9",
            "password2": "another-long-passphrase-9",
        },
    )

    assert here.get(reverse("dashboard")).status_code == 200
    response = elsewhere.get(reverse("dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
