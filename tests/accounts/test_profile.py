"""The profile page: the name on certificates and links to the sign-in settings."""

import html

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.services import user_set_certificate_name

PROFILE = "/profile/"


def post_name(client, name: str):
    return client.post(PROFILE, {"certificate_name": name})


@pytest.mark.django_db
def test_profile_needs_a_login(client):
    response = client.get(PROFILE)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={PROFILE}"


@pytest.mark.django_db
def test_profile_shows_email_name_and_security_links(learner_client):
    response = learner_client.get(PROFILE)

    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == [
        "accounts/profile.html",
        "allauth/layouts/manage.html",
    ]
    page = response.text
    assert "Signed in as ada@example.org." in page
    assert 'value="Ada Lovelace"' in page
    assert '<label for="id_certificate_name">Name on certificates:</label>' in page
    assert 'aria-describedby="id_certificate_name_helptext"' in page
    assert f'href="{reverse("account_change_password")}">Change password</a>' in page
    assert f'href="{reverse("account_email")}">Manage e-mail addresses</a>' in page
    assert f'href="{reverse("mfa_index")}">Set up two-factor authentication</a>' in page
    assert '<span class="badge badge--success">Verified</span>' in page
    assert f'<a href="{PROFILE}" aria-current="page">Profile</a>' in page
    # Learners are offered two-factor authentication, not nagged about it.
    assert "Turn on two-factor authentication." not in page


@pytest.mark.django_db
def test_staff_without_two_factor_are_urged_to_turn_it_on(staff_client):
    page = staff_client.get(PROFILE).text

    assert "Turn on two-factor authentication." in page
    assert "Your account can change courses and grades" in page


@pytest.mark.django_db
def test_saving_a_valid_name_normalises_it(learner_client, learner):
    response = post_name(learner_client, "  Ada   King,  Countess of Lovelace ")

    assert response.status_code == 302
    assert response["Location"] == PROFILE
    learner.refresh_from_db()
    assert learner.certificate_name == "Ada King, Countess of Lovelace"
    page = learner_client.get(PROFILE).text
    assert '<li class="message message--success">Your name on certificates is saved.</li>' in page
    assert 'value="Ada King, Countess of Lovelace"' in page


@pytest.mark.parametrize(
    ("submitted", "message"),
    [
        ("", "Enter the name to print on your certificates."),
        ("   ", "Enter the name to print on your certificates."),
        (
            "B" * 61,
            "That name is 61 characters; certificates fit at most 60. Use a shorter form of your name.",
        ),
        ("Ada\u0007Lovelace", "The name contains control or invisible characters."),
        ("Ada\u200bLovelace", "The name contains control or invisible characters."),
        ("12345", "The name must contain letters."),
    ],
    ids=["empty", "blank", "too-long", "bell-character", "zero-width-space", "no-letters"],
)
@pytest.mark.django_db
def test_refused_names_keep_the_old_name_and_say_why(learner_client, learner, submitted, message):
    response = post_name(learner_client, submitted)

    assert response.status_code == 200
    page = html.unescape(response.text)
    assert f'<ul class="errorlist" id="id_certificate_name_error"><li>{message}</li></ul>' in page
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="id_certificate_name_helptext id_certificate_name_error"' in page
    learner.refresh_from_db()
    assert learner.certificate_name == "Ada Lovelace"


@pytest.mark.django_db
def test_service_refuses_a_name_without_touching_the_stored_one(learner):
    with pytest.raises(ValidationError) as refused:
        user_set_certificate_name(user=learner, certificate_name="x" * 80)

    assert refused.value.messages == [
        "That name is 80 characters; certificates fit at most 60. Use a shorter form of your name."
    ]
    learner.refresh_from_db()
    assert learner.certificate_name == "Ada Lovelace"


@pytest.mark.django_db
def test_service_stores_the_normalised_name(learner):
    # NFC: "e" followed by a combining acute accent becomes one character.
    user_set_certificate_name(user=learner, certificate_name="Ame\u0301lie  Poulain")

    learner.refresh_from_db()
    assert learner.certificate_name == "Am\u00e9lie Poulain"
