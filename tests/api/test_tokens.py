"""Tokens: stored only as a hash, shown once, scoped, expiring, revocable; a person manages their
own in account settings, staff make service tokens in the admin."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from api.models import ApiToken, Scope, TokenKind
from api.tokens import TokenRefused, token_authenticate, token_create, token_revoke
from tests.api.conftest import make_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r"pma_[0-9a-f]{12}_[A-Za-z0-9_-]{43}")


def test_a_token_is_stored_only_as_its_hash(learner):
    plaintext = make_token(learner)
    row = ApiToken.objects.get()
    assert TOKEN.fullmatch(plaintext)
    assert plaintext.startswith(f"pma_{row.prefix}_")
    assert row.secret_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    secret = plaintext.split("_", 2)[2]
    stored = " ".join(str(v) for v in ApiToken.objects.values_list().get())
    assert secret not in stored
    assert token_authenticate(plaintext) == row


def test_the_right_prefix_with_a_wrong_secret_is_refused(learner):
    plaintext = make_token(learner)
    with pytest.raises(TokenRefused, match="not valid"):
        token_authenticate(plaintext[:-1] + ("x" if plaintext[-1] != "x" else "y"))


def test_last_use_is_recorded_at_most_once_a_minute(learner):
    plaintext = make_token(learner)
    first = token_authenticate(plaintext).last_used_at
    assert first is not None
    assert token_authenticate(plaintext).last_used_at == first
    ApiToken.objects.update(last_used_at=timezone.now() - timedelta(minutes=2))
    assert token_authenticate(plaintext).last_used_at > first


def test_revoking_keeps_the_row_and_the_first_time(learner):
    make_token(learner)
    row = ApiToken.objects.get()
    token_revoke(token=row, by=learner)
    first = row.revoked_at
    token_revoke(token=row, by=learner)
    row.refresh_from_db()
    assert row.revoked_at == first
    assert row.state_label() == "Revoked"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scopes": []}, "Choose at least one scope."),
        ({"scopes": ["grades:write"]}, "Unknown scope: grades:write."),
        ({"days": -1}, "The expiry date must be in the future."),
        ({"days": 400}, "A token may last at most 365 days."),
        ({"name": "  "}, "Give the token a name."),
    ],
)
def test_a_token_is_refused_without_a_name_scope_or_sane_expiry(learner, kwargs, message):
    days = kwargs.pop("days", 30)
    arguments = {
        "kind": TokenKind.PERSONAL,
        "name": "Sync",
        "scopes": [Scope.COURSES_READ],
        "expires_at": timezone.now() + timedelta(days=days),
        "user": learner,
        "created_by": learner,
        **kwargs,
    }
    with pytest.raises(ValidationError) as error:
        token_create(**arguments)
    assert message in error.value.messages
    assert not ApiToken.objects.exists()


def test_a_service_token_needs_a_user_or_courses(admin_user):
    with pytest.raises(ValidationError, match="Choose a service user"):
        token_create(
            kind=TokenKind.SERVICE,
            name="HR sync",
            scopes=[Scope.COURSES_READ],
            expires_at=timezone.now() + timedelta(days=30),
            created_by=admin_user,
        )


# The account page --------------------------------------------------------------------------


def test_the_token_page_shows_a_new_token_once(client, learner):
    client.force_login(learner)
    response = client.post(
        "/accounts/api-tokens/",
        {"name": "Gradebook sync", "lifetime": "30", "scopes": ["courses:read", "progress:read"]},
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    plaintext = TOKEN.search(response.content.decode()).group(0)
    row = ApiToken.objects.get(user=learner)
    assert (row.name, row.kind, row.scopes) == (
        "Gradebook sync",
        "personal",
        ["courses:read", "progress:read"],
    )
    assert timedelta(days=29) < row.expires_at - timezone.now() <= timedelta(days=30)
    assert token_authenticate(plaintext) == row
    again = client.get("/accounts/api-tokens/").content.decode()
    assert "Gradebook sync" in again
    assert f"pma_{row.prefix}_…" in again
    assert plaintext not in again


def test_a_bad_token_form_keeps_what_was_typed(client, learner):
    client.force_login(learner)
    response = client.post("/accounts/api-tokens/", {"name": "Sync", "lifetime": "30"})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert 'value="Sync"' in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_person_revokes_their_own_token_but_not_anothers(client, learner):
    make_token(learner)
    mine = ApiToken.objects.get()
    someone = UserFactory()
    make_token(someone)
    theirs = ApiToken.objects.get(user=someone)
    client.force_login(learner)
    assert client.post(f"/accounts/api-tokens/{theirs.pk}/revoke/").status_code == 404
    response = client.post(f"/accounts/api-tokens/{mine.pk}/revoke/", follow=True)
    assert "revoked. Requests with it are refused from now on." in response.content.decode()
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.revoked_by, theirs.revoked_at) == (learner, None)
    assert client.get(f"/accounts/api-tokens/{mine.pk}/revoke/").status_code == 405


def test_the_token_pages_need_a_login(client, learner):
    make_token(learner)
    token = ApiToken.objects.get()
    assert client.get("/accounts/api-tokens/").status_code == 302
    assert client.post(f"/accounts/api-tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is None


def test_account_settings_link_to_the_token_page(client, learner):
    client.force_login(learner)
    assert 'href="/accounts/api-tokens/"' in client.get("/profile/").content.decode()


# Service tokens in the admin ----------------------------------------------------------------


def test_staff_make_a_service_token_for_courses_in_the_admin(client, admin_user, course):
    client.force_login(admin_user)
    assert client.get("/admin/service-tokens/").status_code == 200
    expires = (timezone.now() + timedelta(days=100)).date().isoformat()
    response = client.post(
        "/admin/service-tokens/add/",
        {
            "name": "HR sync",
            "courses": [course.pk],
            "scopes": ["enrolments:write"],
            "expires_on": expires,
        },
    )
    assert response.status_code == 200
    plaintext = TOKEN.search(response.content.decode()).group(0)
    row = ApiToken.objects.get()
    assert (row.kind, row.user, list(row.courses.all()), row.created_by) == (
        "service",
        None,
        [course],
        admin_user,
    )
    assert token_authenticate(plaintext) == row
    listing = client.get("/admin/service-tokens/").content.decode()
    assert "HR sync" in listing and plaintext not in listing
    client.post(f"/admin/service-tokens/{row.pk}/revoke/")
    row.refresh_from_db()
    assert row.revoked_by == admin_user


def test_the_service_token_form_needs_a_user_or_courses(client, admin_user):
    client.force_login(admin_user)
    expires = (timezone.now() + timedelta(days=100)).date().isoformat()
    response = client.post(
        "/admin/service-tokens/add/",
        {"name": "HR sync", "scopes": ["courses:read"], "expires_on": expires},
    )
    assert "Choose a service user, or the courses the token is for." in response.content.decode()
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("who", ["instructor", "learner", "anonymous"])
def test_only_token_managers_reach_the_service_token_admin(client, request, course, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    admin = UserFactory(email="admin@example.org", is_superuser=True, is_staff=True)
    make_token(admin, kind=TokenKind.SERVICE)
    token = ApiToken.objects.get()
    for path in ("/admin/service-tokens/", "/admin/service-tokens/add/"):
        assert client.get(path).status_code in (302, 403), (who, path)
    assert client.post(f"/admin/service-tokens/{token.pk}/revoke/").status_code in (302, 403)
    token.refresh_from_db()
    assert token.revoked_at is None
    assert ApiToken.objects.count() == 1
