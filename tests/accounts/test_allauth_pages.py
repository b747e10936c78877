"""Every allauth page a signed-in person can open renders in our layout with our form markup."""

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from .markup import compact


@pytest.mark.parametrize(
    ("url_name", "heading"),
    [
        ("account_email", "Email Addresses"),
        ("account_change_password", "Change Password"),
        ("account_logout", "Log out"),
        ("mfa_index", "Two-Factor Authentication"),
    ],
)
@pytest.mark.django_db
def test_account_settings_pages_use_the_manage_layout(learner_client, url_name, heading):
    response = learner_client.get(reverse(url_name))

    assert response.status_code == 200
    page = compact(response.text)
    assert f"<h1>{heading}</h1>" in page
    assert '<nav class="account-nav" aria-label="Account settings">' in page
    assert '<a class="skip-link" href="#main">Skip to content</a>' in page
    assert "allauth/layouts/manage.html" in [t.name for t in response.templates]


@pytest.mark.django_db
def test_login_form_has_visible_labels_and_our_buttons(client):
    page = compact(client.get(reverse("account_login")).text)

    assert '<form class="form" method="post" action="/accounts/login/">' in page
    assert '<label for="id_login">Email:</label>' in page
    assert '<label for="id_password">Password:</label>' in page
    assert '<input type="checkbox" name="remember" id="id_remember">' in page
    assert f'<a href="{reverse("account_reset_password")}">Forgot your password?</a>' in page
    assert '<button class="btn btn--primary" type="submit">Log in</button>' in page
    assert "<h1>Log in</h1>" in page
    assert "<title>Log in · PM Academy</title>" in page


@pytest.mark.django_db
def test_signup_form_asks_for_the_certificate_name_with_help(client):
    page = compact(client.get(reverse("account_signup")).text)

    assert '<label for="id_certificate_name">Full name:</label>' in page
    assert (
        '<div class="field-help" id="id_certificate_name_helptext">'
        "As it should appear on your certificates. You can change it later.</div>"
    ) in page
    assert 'aria-describedby="id_certificate_name_helptext"' in page


@pytest.mark.django_db
def test_password_change_reports_field_errors_next_to_the_field(learner_client):
    response = learner_client.post(
        reverse("account_change_password"),
        {"oldpassword": "not-my-password", "password1": "x", "password2": "y"},
    )

    assert response.status_code == 200
    page = compact(response.text)
    assert (
        '<ul class="errorlist" id="id_oldpassword_error"><li>Please type your current password.</li></ul>'
        in page
    )
    assert 'aria-invalid="true"' in page


@pytest.mark.django_db
def test_password_change_succeeds_and_says_so(learner_client, learner, password):
    response = learner_client.post(
        reverse("account_change_password"),
        {
            "oldpassword": password,
            "password1": "another-long-passphrase-9",
            "password2": "another-long-passphrase-9",
        },
        follow=True,
    )

    assert response.status_code == 200
    assert (
        '<li class="message message--success">Password successfully changed.</li>' in response.text
    )
    learner.refresh_from_db()
    assert learner.check_password("another-long-passphrase-9")


@pytest.mark.django_db
def test_email_page_lists_addresses_with_status_badges(learner_client, learner):
    EmailAddress.objects.create(
        user=learner, email="ada@work.example", primary=False, verified=False
    )

    page = compact(learner_client.get(reverse("account_email")).text)

    assert '<span class="badge badge--success">Verified</span>' in page
    assert '<span class="badge badge--warning">Unverified</span>' in page
    assert '<span class="badge">Primary</span>' in page
    assert (
        '<label for="email_radio_1">ada@work.example<span class="badge badge--warning">Unverified</span>'
        in page
    )
    assert 'type="radio" id="email_radio_1" name="email" value="ada@work.example"' in page
    assert (
        '<button class="btn btn--danger" type="submit" name="action_remove">Remove</button>' in page
    )


@pytest.mark.django_db
def test_totp_activation_asks_for_the_password_then_shows_the_qr_code(learner_client, password):
    activate_url = reverse("mfa_activate_totp")

    asked = learner_client.get(activate_url)
    assert asked.status_code == 302
    reauthenticate_url = asked["Location"]
    assert reauthenticate_url.startswith(reverse("account_reauthenticate"))
    confirm_page = compact(learner_client.get(reauthenticate_url).text)
    assert "<h1>Confirm Access</h1>" in confirm_page
    assert '<label for="id_password">Password:</label>' in confirm_page
    confirmed = learner_client.post(reauthenticate_url, {"password": password})
    assert confirmed["Location"] == activate_url

    response = learner_client.get(activate_url)

    assert response.status_code == 200
    page = compact(response.text)
    assert "<h1>Activate Authenticator App</h1>" in page

    assert '<img src="data:image/svg+xml;base64,' in page
    assert 'class="account-qr"' in page
    assert '<label for="authenticator_secret">' in page
    assert 'aria-describedby="authenticator_secret_helptext"' in page
    assert '<label for="id_code">Authenticator code:</label>' in page
