"""Fixtures for account tests: a staff user with a verified e-mail address, logged in or not
(the learner and learner_client are the shared ones of tests/conftest.py)."""

import pytest
from allauth.account.models import EmailAddress

from accounts.models import User


def make_user(*, email: str, password: str, certificate_name: str = "", **extra) -> User:
    user = User.objects.create_user(
        username=email.split("@")[0],
        email=email,
        password=password,
        certificate_name=certificate_name,
        **extra,
    )
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


@pytest.fixture
def staff_user(db, password) -> User:
    return make_user(
        email="grace@example.org",
        password=password,
        certificate_name="Grace Hopper",
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client
