"""The tool's keys (encrypted at rest, published at /lti/jwks/, rotated) and the LTI screens of
the Wagtail admin (staff only)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from django.core.management import call_command

from lti.keys import current_tool_key, private_pem
from lti.models import Deployment, LtiContext, PlatformRegistration, ScorePost, ToolKey
from tests.factories import UserFactory, instructor_user

pytestmark = pytest.mark.django_db


def test_the_jwks_lists_the_current_key_then_previous_ones_after_rotation(client):
    first = current_tool_key()
    assert [k["kid"] for k in client.get("/lti/jwks/").json()["keys"]] == [first.kid]

    call_command("lti_rotate_keys")
    call_command("lti_rotate_keys")
    second, third = ToolKey.objects.order_by("created_at")[1:3]
    keys = client.get("/lti/jwks/").json()["keys"]
    assert [k["kid"] for k in keys] == [third.kid, second.kid, first.kid]
    assert {(k["kty"], k["alg"], k["use"]) for k in keys} == {("RSA", "RS256", "sig")}
    assert all("d" not in k for k in keys)  # public parts only

    call_command("lti_rotate_keys")
    first.refresh_from_db()
    assert first.status == "retired"
    assert len(client.get("/lti/jwks/").json()["keys"]) == 3
    assert current_tool_key().kid == ToolKey.objects.order_by("-created_at").first().kid


def test_private_keys_are_stored_encrypted():
    key = current_tool_key()
    assert "PRIVATE KEY" not in key.private_pem_encrypted
    loaded = load_pem_private_key(private_pem(key).encode(), password=None)
    assert loaded.key_size == 2048


def test_a_registration_needs_the_platform_key():
    registration = PlatformRegistration(
        name="Canvas",
        issuer="https://canvas.instructure.com",
        client_id="10000000000001",
        auth_login_url="https://sso.canvaslms.com/api/lti/authorize_redirect",
        auth_token_url="https://sso.canvaslms.com/login/oauth2/token",
    )
    with pytest.raises(Exception, match="JWKS URL or paste its public key"):
        registration.full_clean()


def test_frame_origins_default_to_the_issuer_and_login_url():
    registration = PlatformRegistration(
        issuer="https://moodle.school.example",
        auth_login_url="https://moodle.school.example/mod/lti/auth.php",
    )
    assert registration.allowed_frame_origins() == ["https://moodle.school.example"]
    registration.frame_origins = "https://school.instructure.com\nhttps://canvas.school.example"
    assert registration.allowed_frame_origins() == [
        "https://canvas.school.example",
        "https://school.instructure.com",
    ]


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_staff_register_an_lms_with_its_deployments_in_the_admin(staff_client):
    response = staff_client.post(
        "/admin/lti/registrations/new/",
        {
            "name": "Moodle (ACME)",
            "issuer": "https://moodle.acme.example",
            "client_id": "abc123",
            "auth_login_url": "https://moodle.acme.example/mod/lti/auth.php",
            "auth_token_url": "https://moodle.acme.example/mod/lti/token.php",
            "key_set_url": "https://moodle.acme.example/mod/lti/certs.php",
            "public_key": "",
            "auth_audience": "",
            "frame_origins": "",
            "active": "on",
            "deployments-TOTAL_FORMS": "2",
            "deployments-INITIAL_FORMS": "0",
            "deployments-MIN_NUM_FORMS": "0",
            "deployments-MAX_NUM_FORMS": "1000",
            "deployments-0-deployment_id": "1",
            "deployments-0-ORDER": "1",
            "deployments-1-deployment_id": "2",
            "deployments-1-ORDER": "2",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    registration = PlatformRegistration.objects.get(client_id="abc123")
    assert sorted(
        Deployment.objects.filter(registration=registration).values_list("deployment_id", flat=True)
    ) == ["1", "2"]


@pytest.mark.parametrize(
    "url",
    ["/admin/lti/registrations/", "/admin/lti/contexts/", "/admin/lti/scores/"],
)
def test_lti_admin_screens_are_for_staff_only(client, url, course):
    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(UserFactory())
    assert client.get(url).status_code == 302  # a learner: to their dashboard
    client.force_login(instructor_user())
    assert client.get(url).status_code in (302, 403)  # a course instructor: not theirs
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(url).status_code == 200


def test_failed_score_posts_show_their_error_in_the_admin(staff_client, course):
    from django.utils import timezone

    from lti.models import LtiIdentity, LtiResourceLink

    registration = PlatformRegistration.objects.create(
        name="LMS",
        issuer="https://lms.example",
        client_id="c",
        auth_login_url="https://lms.example/a",
        auth_token_url="https://lms.example/t",
        key_set_url="https://lms.example/k",
    )
    context = LtiContext.objects.create(
        registration=registration, deployment_id="d", context_id="x"
    )
    link = LtiResourceLink.objects.create(context=context, resource_link_id="r")
    identity = LtiIdentity.objects.create(
        registration=registration, issuer=registration.issuer, sub="s", user=UserFactory()
    )
    ScorePost.objects.create(
        link=link,
        identity=identity,
        lineitem_url="https://lms.example/li/1",
        score_given=3,
        score_maximum=6,
        scored_at=timezone.now(),
        status="failed",
        attempts=2,
        last_error="LtiServiceException: HTTP response: 503 - gradebook busy",
    )

    page = staff_client.get("/admin/lti/scores/", {"status": "failed"}).content.decode()

    assert "503 - gradebook busy" in page


def test_lms_users_of_two_issuers_on_one_host_with_the_same_sub_get_two_accounts():
    from lti.launches import identity_for

    first = PlatformRegistration.objects.create(
        name="A",
        issuer="https://lms.example/a",
        client_id="1",
        auth_login_url="https://lms.example/x",
        auth_token_url="https://lms.example/t",
        key_set_url="https://lms.example/k",
    )
    second = PlatformRegistration.objects.create(
        name="B",
        issuer="https://lms.example/b",
        client_id="1",
        auth_login_url="https://lms.example/x",
        auth_token_url="https://lms.example/t",
        key_set_url="https://lms.example/k",
    )

    one = identity_for(registration=first, issuer=first.issuer, sub="42")
    two = identity_for(registration=second, issuer=second.issuer, sub="42")
    again = identity_for(registration=first, issuer=first.issuer, sub="42")

    assert one.user != two.user
    assert again.user == one.user
    assert one.user.username.startswith("lti-lms.example-42-")
