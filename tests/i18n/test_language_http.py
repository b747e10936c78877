"""The interface language over HTTP: Accept-Language, the switch, the saved preference, and
fallbacks for codes we do not offer (never an error)."""

import re

import pytest
from django.conf import settings
from django.utils import translation

from accounts.models import User
from accounts.services import user_set_language

LANGUAGE_COOKIE = settings.LANGUAGE_COOKIE_NAME


def html_lang(page: str) -> str:
    match = re.search(r'<html lang="([^"]*)"', page)
    assert match, "no <html lang>"
    return match.group(1)


@pytest.fixture(autouse=True)
def _english_after_each_test():
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.mark.django_db
def test_accept_language_de_gives_the_home_page_in_german(client, home):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.5")

    assert response.status_code == 200
    page = response.text
    assert html_lang(page) == "de"
    assert response["Content-Language"] == "de"
    assert "Zum Inhalt springen" in page
    assert ">Katalog</a>" in page
    assert ">Anmelden</a>" in page
    assert ">Registrieren</a>" in page
    assert "Skip to content" not in page


@pytest.mark.django_db
def test_english_is_the_default(client, home):
    page = client.get("/").text

    assert html_lang(page) == "en"
    assert "Skip to content" in page
    assert ">Catalog</a>" in page


@pytest.mark.django_db
def test_the_login_page_in_german(client, home):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="de")

    assert response.status_code == 200
    page = response.text
    assert html_lang(page) == "de"
    assert "<h1>Anmelden</h1>" in page
    assert "Legen Sie ein Konto an" in page


@pytest.mark.django_db
def test_a_missing_page_in_german(client, home):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="de")

    assert response.status_code == 404
    page = response.text
    assert html_lang(page) == "de"
    assert "Wir können diese Seite nicht finden" in page
    assert "Fehler 404" in page


@pytest.mark.django_db
def test_the_header_switch_is_a_plain_form_with_each_language_in_its_own_name(client, home):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="de").text

    assert '<form class="language-switch" method="post" action="/i18n/setlang/">' in page
    assert (
        '<label class="language-switch__label" for="language-switch-select">Sprache</label>' in page
    )
    assert '<option value="en" lang="en">English</option>' in page
    assert '<option value="de" lang="de" selected>Deutsch</option>' in page
    assert '<button class="language-switch__button" type="submit">Wechseln</button>' in page


@pytest.mark.django_db
def test_the_switch_sets_the_cookie_for_a_visitor(client, home):
    response = client.post("/i18n/setlang/", {"language": "de", "next": "/courses/"})

    assert response.status_code == 302
    assert response["Location"] == "/courses/"
    assert response.cookies[LANGUAGE_COOKIE].value == "de"
    assert html_lang(client.get("/").text) == "de"


@pytest.mark.django_db
def test_the_switch_saves_a_signed_in_users_preference(learner_client, learner, home):
    response = learner_client.post("/i18n/setlang/", {"language": "de", "next": "/"})

    assert response.status_code == 302
    assert response.cookies[LANGUAGE_COOKIE].value == "de"
    learner.refresh_from_db()
    assert learner.language == "de"


@pytest.mark.django_db
def test_the_preference_wins_on_another_device(client, learner, home):
    user_set_language(user=learner, language="de")
    # Another browser: no cookie, and it asks for English.
    client.force_login(learner)

    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").text

    assert html_lang(page) == "de"
    assert "Zum Inhalt springen" in page


@pytest.mark.django_db
def test_the_preference_beats_an_old_cookie(client, learner, home):
    user_set_language(user=learner, language="en")
    client.cookies[LANGUAGE_COOKIE] = "de"
    client.force_login(learner)

    assert html_lang(client.get("/", HTTP_ACCEPT_LANGUAGE="de").text) == "en"


@pytest.mark.django_db
def test_without_a_preference_a_signed_in_user_follows_cookie_then_browser(client, learner, home):
    client.force_login(learner)
    assert html_lang(client.get("/", HTTP_ACCEPT_LANGUAGE="de").text) == "de"
    client.cookies[LANGUAGE_COOKIE] = "en"
    assert html_lang(client.get("/", HTTP_ACCEPT_LANGUAGE="de").text) == "en"


@pytest.mark.django_db
def test_the_profile_saves_and_clears_the_language(learner_client, learner, home):
    response = learner_client.post("/profile/language/", {"language": "de"})

    assert response.status_code == 302
    assert response["Location"] == "/profile/"
    learner.refresh_from_db()
    assert learner.language == "de"
    page = learner_client.get("/profile/").text
    assert html_lang(page) == "de"
    assert "Ihre Sprache ist gespeichert." in page
    assert '<option value="de" selected>Deutsch</option>' in page

    learner_client.post("/profile/language/", {"language": ""}, HTTP_ACCEPT_LANGUAGE="en")
    learner.refresh_from_db()
    assert learner.language == ""
    page = learner_client.get("/profile/", HTTP_ACCEPT_LANGUAGE="en").text
    assert html_lang(page) == "en"
    assert "Pages now follow your browser&#x27;s language." in page


@pytest.mark.django_db
def test_the_profile_refuses_a_language_it_does_not_offer(learner_client, learner, home):
    response = learner_client.post("/profile/language/", {"language": "xx"})

    assert response.status_code == 200
    assert "Select a valid choice." in response.text
    learner.refresh_from_db()
    assert learner.language == ""


@pytest.mark.django_db
def test_an_unknown_code_on_the_switch_changes_nothing(learner_client, learner, home):
    response = learner_client.post("/i18n/setlang/", {"language": "xx", "next": "/"})

    assert response.status_code == 302
    assert LANGUAGE_COOKIE not in response.cookies
    learner.refresh_from_db()
    assert learner.language == ""
    assert html_lang(learner_client.get("/").text) == "en"


@pytest.mark.django_db
def test_an_unknown_browser_language_falls_back_to_english(client, home):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="xx-YY")

    assert response.status_code == 200
    assert html_lang(response.text) == "en"


@pytest.mark.django_db
def test_a_regional_variant_reads_as_its_language(client, home):
    assert html_lang(client.get("/", HTTP_ACCEPT_LANGUAGE="de-AT").text) == "de"


@pytest.mark.django_db
def test_a_stale_stored_code_falls_back_with_no_error(client, learner, home):
    User.objects.filter(pk=learner.pk).update(language="xx")
    client.force_login(learner)

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    assert html_lang(response.text) == "de"  # the browser's language, as with no preference
    assert client.get("/profile/").status_code == 200


@pytest.mark.django_db
def test_a_bad_cookie_falls_back(client, home):
    client.cookies[LANGUAGE_COOKIE] = "xx"

    response = client.get("/")
    assert response.status_code == 200
    assert html_lang(response.text) == "en"


@pytest.mark.django_db
def test_the_page_loads_the_javascript_catalogue_before_its_scripts(client, home):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="de").text

    assert '<script src="/jsi18n/?l=de"></script>' in page
    assert page.index("/jsi18n/") < page.index("</head>")


@pytest.mark.django_db
def test_the_javascript_catalogue_serves_german(client):
    response = client.get("/jsi18n/?l=de", HTTP_ACCEPT_LANGUAGE="de")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    body = response.text
    assert '"Failure rate (%)": "Fehlerquote (%)"' in body
    assert "max-age=3600" in response["Cache-Control"]
    english = client.get("/jsi18n/?l=en", HTTP_ACCEPT_LANGUAGE="en").text
    assert "Fehlerquote" not in english


def test_the_server_error_page_renders_in_the_active_language_without_a_context():
    from django.template import Context, loader

    with translation.override("de"):
        page = loader.get_template("500.html").template.render(Context())

    assert html_lang(page) == "de"
    assert "Bei uns ist etwas schiefgelaufen" in page
    assert "Fehler 500" in page
