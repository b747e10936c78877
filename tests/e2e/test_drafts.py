"""Drafts in chromium: what a learner types is saved as they type and is there after a reload; a
second tab that saved first stops the first from overwriting it, with a notice that offers both
drafts; without JavaScript the form saves, resets and checks as plain posts.

Every wait is on the page's own state (the status line's data-state, the notice's text), never
on time: the autosave waits 1.5 s after the last key, and a busy machine may take longer.
"""

import pytest
from playwright.sync_api import expect

from courses.drafts import learner_draft
from courses.services import enrolment_create
from grading.models import Submission
from grading.services import release_answer_stubs
from tests.factories import UserFactory

from .accessibility import assert_accessible
from .editor import editor_selector, editor_text, replace_in_editor
from .live_site import database_turn
from .logins import log_in
from .site_content import learner_course

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TYPED = "def rice_score(reach, impact, confidence, effort):\n    return reach  # first idea\n"
OTHER_TAB = "def rice_score(reach, impact, confidence, effort):\n    return 0  # other tab\n"


@pytest.fixture
def learner_site(password):
    with database_turn():
        site = learner_course()
        learner = UserFactory(email="grace@example.org", certificate_name="Grace Hopper")
        enrolment_create(learner=learner, course=site.course)
    return site, learner


def exercise_url(site) -> str:
    return f"/courses/{site.course.pk}/exercises/{site.exercise.pk}/"


def status_of(page, site):
    return page.locator(f"#exercise-{site.exercise.pk} [data-draft-status]")


def switch_to(tab) -> None:
    """Bring a tab to the front as a person does before typing in it: keys go to the window
    with focus, and clicking into the editor gives it focus afresh."""
    tab.bring_to_front()
    tab.evaluate("() => document.activeElement && document.activeElement.blur()")


def append_in_editor(page, site, text: str) -> None:
    """Type `text` key by key at the end of the rice_answer cell, as a person adds a line."""
    selector = editor_selector(site.exercise.pk, "rice_answer")
    page.locator(selector).click()
    page.keyboard.press("Control+End")
    page.keyboard.type(text)
    page.wait_for_function(
        "([selector, text]) => document.querySelector(selector).CodeMirror.getValue().endsWith(text)",
        arg=[selector, text],
    )


def type_and_wait_saved(page, site, text: str) -> None:
    """Type over the rice_answer cell, then wait until the status says this text is saved."""
    replace_in_editor(page, site.exercise.pk, "rice_answer", text)
    # The editor told the form the moment its text changed (data-state "changed"), so "saved"
    # now can only come from a save of this text.
    expect(status_of(page, site)).to_have_attribute("data-state", "saved")
    expect(status_of(page, site)).to_contain_text("Saved at ")


def test_typed_answers_are_saved_and_come_back_after_a_reload(page, site, learner_site, password):
    site_content, learner = learner_site
    log_in(page, "grace@example.org", password)
    page.goto(exercise_url(site_content))
    expect(status_of(page, site_content)).to_have_text("Your answers save as you type.")

    type_and_wait_saved(page, site_content, TYPED)
    assert_accessible(page, "the exercise workspace with a saved draft")
    page.reload()
    assert editor_text(page, site_content.exercise.pk, "rice_answer").rstrip() == TYPED.rstrip()
    expect(status_of(page, site_content)).to_contain_text("Saved at ")
    with database_turn():
        draft = learner_draft(
            learner=learner, course_id=site_content.course.pk, exercise=site_content.exercise
        )
        assert draft.answers["rice_answer"].rstrip() == TYPED.rstrip()

    # Reset the cell to the exercise's original (the confirm step first), then undo it.
    with database_turn():
        stub = release_answer_stubs(revision=site_content.exercise.current_revision)
    stub = stub["rice_answer"]
    panel = page.locator(f"#exercise-{site_content.exercise.pk}")
    panel.get_by_text("Reset this cell to the exercise's original").first.click()
    panel.get_by_role("button", name="Reset rice_answer").click()
    expect(status_of(page, site_content)).to_have_attribute("data-state", "saved")
    assert editor_text(page, site_content.exercise.pk, "rice_answer") == stub
    page.locator(editor_selector(site_content.exercise.pk, "rice_answer")).click()
    page.keyboard.press("Control+z")
    page.wait_for_function(
        "([selector, text]) => document.querySelector(selector).CodeMirror.getValue().trimEnd()"
        " === text",
        arg=[editor_selector(site_content.exercise.pk, "rice_answer"), TYPED.rstrip()],
    )
    expect(status_of(page, site_content)).to_have_attribute("data-state", "saved")
    with database_turn():
        draft = learner_draft(
            learner=learner, course_id=site_content.course.pk, exercise=site_content.exercise
        )
        assert draft.answers["rice_answer"].rstrip() == TYPED.rstrip()


def test_two_tabs_end_with_a_notice_never_a_silent_loss(page, site, learner_site, password):
    site_content, learner = learner_site
    log_in(page, "grace@example.org", password)
    first = page
    first.goto(exercise_url(site_content))
    second = page.context.new_page()
    second.goto(exercise_url(site_content))
    switch_to(second)

    type_and_wait_saved(second, site_content, OTHER_TAB)
    # The first tab still holds the version both started from: its save is refused. (A person
    # switches tabs to type; so does the test, or the keys would go to a window without focus.)
    switch_to(first)
    replace_in_editor(first, site_content.exercise.pk, "rice_answer", TYPED)
    notice = first.locator(f"#exercise-{site_content.exercise.pk} [data-draft-notice]")
    expect(notice).to_contain_text("A newer draft of this exercise was saved at")
    expect(status_of(first, site_content)).to_have_text("Not saved: a newer draft exists")
    assert_accessible(first, "the exercise workspace with the draft conflict notice")
    with database_turn():
        draft = learner_draft(
            learner=learner, course_id=site_content.course.pk, exercise=site_content.exercise
        )
        assert draft.answers["rice_answer"].rstrip() == OTHER_TAB.rstrip()

    # Load the newer draft: the other tab's text, and no notice.
    notice.get_by_role("button", name="Load the newer draft").click()
    expect(notice).to_be_empty()
    assert editor_text(first, site_content.exercise.pk, "rice_answer").rstrip() == (
        OTHER_TAB.rstrip()
    )

    # The second tab saves again; the first, behind once more, chooses to keep its own text.
    switch_to(second)
    append_in_editor(second, site_content, "# second tab again")
    expect(status_of(second, site_content)).to_have_attribute("data-state", "saved")
    switch_to(first)
    append_in_editor(first, site_content, "# mine")
    expect(notice).to_contain_text("A newer draft of this exercise was saved at")
    notice.get_by_role("button", name="Keep mine (overwrite)").click()
    expect(notice).to_be_empty()
    expect(status_of(first, site_content)).to_have_attribute("data-state", "saved")
    with database_turn():
        draft = learner_draft(
            learner=learner, course_id=site_content.course.pk, exercise=site_content.exercise
        )
        assert draft.answers["rice_answer"] == OTHER_TAB + "# mine"


def test_without_javascript_the_form_saves_resets_and_checks(browser, site, learner_site, password):
    site_content, learner = learner_site
    context = browser.new_context(base_url=site.url, java_script_enabled=False)
    try:
        page = context.new_page()
        log_in(page, "grace@example.org", password)
        page.goto(exercise_url(site_content))
        panel = page.locator(f"#exercise-{site_content.exercise.pk}")
        expect(status_of(page, site_content)).to_have_text("No draft saved yet.")
        answer = panel.locator('textarea[name="answer-rice_answer"]')
        answer.fill(TYPED)
        panel.get_by_role("button", name="Save draft").click()
        expect(page.get_by_text("Draft saved at ")).to_be_visible()
        expect(answer).to_have_value(TYPED)

        # Reset: open the confirm step, then reset; the other answers are saved as they were.
        panel.locator('textarea[name="answer-explain_answer"]').fill("Reach matters most.")
        panel.get_by_text("Reset this cell to the exercise's original").first.click()
        panel.get_by_role("button", name="Reset rice_answer").click()
        expect(page.get_by_text("is back to the exercise's original")).to_be_visible()
        with database_turn():
            stub = release_answer_stubs(revision=site_content.exercise.current_revision)
        expect(answer).to_have_value(stub["rice_answer"])
        expect(panel.locator('textarea[name="answer-explain_answer"]')).to_have_value(
            "Reach matters most."
        )

        answer.fill(TYPED)
        panel.get_by_role("button", name="Check").click()
        expect(
            page.get_by_text("Your answers are being checked against the visible tests.")
        ).to_be_visible()
        with database_turn():
            check = Submission.objects.get(learner=learner)
            assert (check.kind, check.answers["rice_answer"]) == ("check", TYPED)
            draft = learner_draft(
                learner=learner, course_id=site_content.course.pk, exercise=site_content.exercise
            )
            assert draft.answers == check.answers
    finally:
        context.close()
