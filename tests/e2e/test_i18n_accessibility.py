"""Accessibility in both interface languages: axe stays clean in English and German, `lang` is
right, and the exercise workspace works from the keyboard alone (in German)."""

import re

import pytest
from playwright.sync_api import expect

from courses.services import enrolment_create
from tests.factories import UserFactory
from tests.grading.submissions_support import RANK_ANSWER, RICE_ANSWER

from .accessibility import assert_accessible, focus_state, tab_until
from .editor import wait_for_editor_text
from .live_site import database_turn
from .logins import log_in
from .site_content import learner_course

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LANGUAGES = {"en": "en-GB,en;q=0.9", "de": "de-DE,de;q=0.9"}


def speak(page, language: str) -> None:
    """The browser asks for `language` (Accept-Language), as a visitor's browser would."""
    page.set_extra_http_headers({"Accept-Language": LANGUAGES[language]})


def assert_language(page, language: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", language)
    # The switch names each language in itself, marked with its own lang.
    expect(page.locator("#language-switch-select option[value=de]")).to_have_attribute("lang", "de")
    expect(page.locator("#language-switch-select option[value=en]")).to_have_attribute("lang", "en")
    expect(page.locator("#language-switch-select option:checked")).to_have_attribute(
        "value", language
    )


@pytest.mark.parametrize("language", ["en", "de"])
def test_key_pages_pass_axe_with_the_right_lang(page, password, language):
    with database_turn():
        site = learner_course()
        learner = UserFactory(certificate_name="Lena Schmidt")
        enrolment_create(learner=learner, course=site.course)
    speak(page, language)
    exercise_url = f"/courses/{site.course.pk}/exercises/{site.exercise.pk}/"

    for name, url in {"the home page": "/", "the log-in page": "/accounts/login/"}.items():
        page.goto(url)
        assert_language(page, language)
        assert_accessible(page, f"{name} ({language})")

    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(learner.email)
    page.locator("input[name=password]").fill(password)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/dashboard/$"))
    for name, url in {
        "the course page": site.course.url,
        "the exercise workspace": exercise_url,
    }.items():
        page.goto(url)
        assert_language(page, language)
        assert_accessible(page, f"{name} ({language})")


def test_the_switch_changes_the_language_and_remembers_it(page, password):
    with database_turn():
        site = learner_course()
        learner = UserFactory(certificate_name="Jonas Weber")
    log_in(page, learner.email, password)

    page.goto(site.course.url)
    page.locator("#language-switch-select").select_option("de")
    page.locator(".language-switch__button").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    assert page.url.endswith(site.course.url), "the switch returns to the page it was used on"
    expect(page.get_by_role("link", name="Zum Inhalt springen")).to_be_attached()
    with database_turn():
        learner.refresh_from_db()
        assert learner.language == "de"


@pytest.mark.sandbox
def test_the_exercise_workspace_works_with_the_keyboard_alone_in_german(
    page, grading_worker, password
):
    with database_turn():
        site = learner_course()
        learner = UserFactory(certificate_name="Kai Tastatur")
        enrolment_create(learner=learner, course=site.course)
    exercise_id = site.exercise.pk
    speak(page, "de")

    page.goto("/accounts/login/")
    assert_language(page, "de")
    tab_until(page, lambda focus: focus["name"] == "login")
    page.keyboard.type(learner.email)
    tab_until(page, lambda focus: focus["name"] == "password")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/dashboard/$"))

    page.goto(f"/courses/{site.course.pk}/exercises/{exercise_id}/")
    assert_language(page, "de")
    # Tab into each answer cell, replace its text, and Escape out of the editor.
    for grade_id, answer in (("rice_answer", RICE_ANSWER), ("rank_answer", RANK_ANSWER)):
        editor = f"#exercise-{exercise_id}-{grade_id} + .CodeMirror"
        tab_until(
            page,
            lambda focus, editor=editor: (
                focus["inCodeMirror"]
                and page.evaluate(
                    "sel => document.querySelector(sel).contains(document.activeElement)", editor
                )
            ),
        )
        page.keyboard.press("Control+A")
        page.keyboard.insert_text(answer)
        wait_for_editor_text(page, editor, answer)
        page.keyboard.press("Escape")
        assert not (focus_state(page) or {}).get("inCodeMirror"), "Escape did not leave the editor"

    # Run the notebook up to the next cell from the keyboard, and wait for the run to finish.
    tab_until(page, lambda focus: focus["name"] == "up_to")
    page.keyboard.press("Enter")
    run_status = page.locator(f"#exercise-{exercise_id}-run-status")
    expect(run_status).to_have_class(re.compile(r"run-status--done"), timeout=120_000)

    # Submit, and reach the graded status.
    tab_until(page, lambda focus: focus["name"] == "action" and focus["value"] == "submit")
    page.keyboard.press("Enter")
    status = page.locator(f"#exercise-{exercise_id} .submission-status")
    expect(status).to_have_class(re.compile("submission-status--graded"), timeout=120_000)
    expect(page.locator("html")).to_have_attribute("lang", "de")
