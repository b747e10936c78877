"""Site-wide templates: landmarks, skip link, header navigation and friendly error pages."""

import pytest
from django.template.loader import get_template
from django.test import Client, override_settings
from django.urls import reverse


def assert_has_landmarks(page: str) -> None:
    assert '<a class="skip-link" href="#main">Skip to content</a>' in page
    assert '<header class="site-header">' in page
    assert '<nav class="site-nav" aria-label="Main">' in page
    assert '<main id="main" tabindex="-1">' in page
    assert '<footer class="site-footer">' in page
    assert '<html lang="en">' in page
    assert 'href="/static/css/pma.css"' in page
    assert 'rel="icon" href="/static/icons/favicon.svg" type="image/svg+xml"' in page


@pytest.mark.parametrize(
    "url_name",
    ["account_login", "account_signup", "account_reset_password", "account_reset_password_done"],
)
@pytest.mark.django_db
def test_public_account_pages_use_the_site_layout(client, url_name):
    response = client.get(reverse(url_name))

    assert response.status_code == 200
    assert_has_landmarks(response.text)
    assert "base.html" in [t.name for t in response.templates]


@pytest.mark.django_db
def test_header_for_visitors_offers_log_in_and_sign_up(client):
    page = client.get(reverse("account_login")).text

    assert '<a class="site-nav__link" href="/courses/" >Catalog</a>' in page
    assert f'href="{reverse("account_login")}" aria-current="page">Log in</a>' in page
    assert f'href="{reverse("account_signup")}" >Sign up</a>' in page
    assert "Log out" not in page
    assert "Dashboard" not in page


@pytest.mark.django_db
def test_header_for_learners_offers_dashboard_profile_and_a_log_out_form(learner_client):
    page = learner_client.get("/profile/").text

    assert_has_landmarks(page)
    assert f'href="{reverse("dashboard")}" >Dashboard</a>' in page
    assert 'href="/profile/" aria-current="page">Profile</a>' in page
    assert (
        f'<form class="site-nav__form" method="post" action="{reverse("account_logout")}">' in page
    )
    assert '<button class="site-nav__button" type="submit">Log out</button>' in page
    assert "Sign up</a>" not in page


@pytest.mark.django_db
def test_sub_pages_mark_their_section_as_current(learner_client):
    page = learner_client.get(reverse("account_email")).text

    assert f'<a href="{reverse("account_email")}" aria-current="page">E-mail addresses</a>' in page
    assert '<a href="/profile/" >Profile</a>' in page


@pytest.mark.django_db
def test_unknown_url_gets_the_friendly_404(client):
    response = client.get("/no-such-page-anywhere/")

    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    assert "<h1>We can't find that page</h1>" in response.text
    assert 'href="/courses/">Browse the course catalog</a>' in response.text
    assert_has_landmarks(response.text)


@pytest.mark.django_db
def test_a_rejected_form_gets_the_friendly_csrf_page(learner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)

    response = client.post("/profile/", {"certificate_name": "Ada"})

    assert response.status_code == 403
    assert "<h1>This form has expired</h1>" in response.text
    assert '<a class="skip-link" href="#main">Skip to content</a>' in response.text
    learner.refresh_from_db()
    assert learner.certificate_name == "Ada Lovelace"


def test_the_500_page_renders_without_a_request_or_database():
    # Django renders 500.html with an empty Context: it must not need context processors.
    page = get_template("500.html").render({})

    assert "<h1>Something went wrong on our side</h1>" in page
    assert "<style>" in page
    assert "{%" not in page
    assert "/static/" not in page


@override_settings(ROOT_URLCONF="tests.accounts.failing_urls")
@pytest.mark.django_db
def test_a_crashing_view_answers_with_the_plain_500_page():
    client = Client(raise_request_exception=False)

    response = client.get("/boom/")

    assert response.status_code == 500
    assert "<h1>Something went wrong on our side</h1>" in response.text


@override_settings(ROOT_URLCONF="tests.accounts.failing_urls")
@pytest.mark.django_db
def test_forbidden_and_bad_requests_get_friendly_pages(client, learner):
    client.force_login(learner)

    forbidden = client.get("/forbidden/")
    assert forbidden.status_code == 403
    assert "<h1>You don't have access to this page</h1>" in forbidden.text
    assert "You're signed in as ada@example.org" in forbidden.text

    bad = client.get("/bad/")
    assert bad.status_code == 400
    assert "<h1>We couldn't understand that request</h1>" in bad.text
