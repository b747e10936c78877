"""Sign-up, e-mail verification, log in/out and password reset, all through HTTP."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.models import User

CONFIRM_LINK = re.compile(r"http://testserver(/accounts/confirm-email/[^/\s]+/)")
RESET_LINK = re.compile(r"http://testserver(/accounts/password/reset/key/[^/\s]+/)")


def sign_up(client, *, email: str, password: str, certificate_name: str):
    return client.post(
        reverse("account_signup"),
        {
            "email": email,
            "password1": password,
            "password2": password,
            "certificate_name": certificate_name,
        },
    )


@pytest.mark.django_db
def test_signup_verify_login_logout_journey(client, password):
    response = sign_up(
        client, email="Ada@Example.org", password=password, certificate_name="  Ada   Lovelace "
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="ada@example.org")
    assert user.certificate_name == "Ada Lovelace"
    assert "_auth_user_id" not in client.session

    sent_page = client.get(response["Location"])
    assert sent_page.status_code == 200
    assert "Verify Your Email Address" in sent_page.text
    assert 'class="skip-link"' in sent_page.text

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@example.org"]
    assert message.subject == "[PM Academy] Please Confirm Your Email Address"
    # allauth names the person by ACCOUNT_USER_DISPLAY: the certificate name, not a generated username.
    assert "Ada Lovelace" in message.body
    confirm_path = CONFIRM_LINK.search(message.body).group(1)

    confirm_page = client.get(confirm_path)
    assert confirm_page.status_code == 200
    assert "Please confirm that" in confirm_page.text
    assert 'class="btn btn--primary" type="submit"' in confirm_page.text
    assert EmailAddress.objects.get(email="ada@example.org").verified is False

    confirmed = client.post(confirm_path)
    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("account_login")
    assert EmailAddress.objects.get(email="ada@example.org").verified is True

    logged_in = client.post(
        reverse("account_login"), {"login": "ada@example.org", "password": password}
    )
    assert logged_in.status_code == 302
    assert logged_in["Location"] == reverse("dashboard")
    assert int(client.session["_auth_user_id"]) == user.pk

    profile = client.get(reverse("profile"))
    assert "Ada Lovelace" in profile.text
    assert "Log out" in profile.text
    assert f'action="{reverse("account_logout")}"' in profile.text

    logged_out = client.post(reverse("account_logout"))
    assert logged_out.status_code == 302
    assert logged_out["Location"] == "/"
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_signup_refuses_an_empty_certificate_name(client, password):
    response = sign_up(client, email="ada@example.org", password=password, certificate_name="   ")

    assert response.status_code == 200
    assert "This field is required." in response.text
    assert 'aria-invalid="true"' in response.text
    assert not User.objects.filter(email="ada@example.org").exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_signup_refuses_a_certificate_name_that_would_not_fit(client, password):
    response = sign_up(
        client, email="ada@example.org", password=password, certificate_name="A" * 61
    )

    assert response.status_code == 200
    assert (
        "That name is 61 characters; certificates fit at most 60. Use a shorter form of your name."
        in response.text
    )
    assert not User.objects.filter(email="ada@example.org").exists()


@pytest.mark.django_db
def test_login_is_refused_until_the_email_is_verified(client, password):
    sign_up(client, email="ada@example.org", password=password, certificate_name="Ada Lovelace")
    client.logout()
    mail.outbox.clear()

    response = client.post(
        reverse("account_login"), {"login": "ada@example.org", "password": password}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse("account_login"))
    # Trying to log in sends a fresh confirmation link.
    assert [m.subject for m in mail.outbox] == ["[PM Academy] Please Confirm Your Email Address"]


@pytest.mark.django_db
def test_wrong_password_shows_the_error_on_the_login_page(client, learner):
    response = client.post(
        reverse("account_login"), {"login": learner.email, "password": "nope-nope-nope"}
    )

    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in response.text
    assert 'class="errorlist errorlist--form" role="alert"' in response.text
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_password_reset_by_email(client, learner, password):
    new_password = "a-brand-new-passphrase-77"

    requested = client.post(reverse("account_reset_password"), {"email": "ada@example.org"})
    assert requested.status_code == 302
    assert requested["Location"] == reverse("account_reset_password_done")
    done_page = client.get(requested["Location"])
    assert "We have sent you an email." in done_page.text

    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "[PM Academy] Password Reset Email"
    reset_path = RESET_LINK.search(mail.outbox[0].body).group(1)

    # allauth moves the key into the session and redirects, so the key never reaches referrers.
    key_page = client.get(reset_path)
    assert key_page.status_code == 302
    set_password_path = key_page["Location"]
    form_page = client.get(set_password_path)
    assert form_page.status_code == 200
    assert '<label for="id_password1">' in form_page.text

    reset = client.post(set_password_path, {"password1": new_password, "password2": new_password})
    assert reset.status_code == 302
    assert reset["Location"] == reverse("account_reset_password_from_key_done")

    learner.refresh_from_db()
    assert learner.check_password(new_password)
    assert not learner.check_password(password)
    login = client.post(
        reverse("account_login"), {"login": "ada@example.org", "password": new_password}
    )
    assert login["Location"] == reverse("dashboard")


@pytest.mark.django_db
def test_password_reset_for_an_unknown_address_reveals_nothing(client):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})

    assert response["Location"] == reverse("account_reset_password_done")
    # allauth tells the address's owner that no account exists, rather than telling the requester.
    assert [m.to for m in mail.outbox] == [["nobody@example.org"]]
    assert mail.outbox[0].subject == "[PM Academy] Unknown Account"
