"""axe-core on every learner-facing page, and the submit flow with the keyboard alone.

The learner journey (test_learner_journey.py) checks the pages in the states a new learner
meets them; this module adds the pages and states that journey does not pass through.
"""

import re

import pytest
from playwright.sync_api import expect

from certificates.services import certificate_revoke, certificate_share_set
from courses.services import enrolment_create
from tests.factories import UserFactory
from tests.grading.submissions_support import RANK_ANSWER, RICE_ANSWER

from .accessibility import assert_accessible, focus_state, tab_until
from .editor import wait_for_editor_text
from .live_site import database_turn
from .logins import log_in
from .site_content import COURSE_TITLE, KC_RIGHT, certified_learner, learner_course

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_every_learner_facing_page_passes_axe(page, password):
    with database_turn():
        site = learner_course()
        learner, certificate = certified_learner(site.course, name="Grace Hopper")
        certificate_share_set(certificate=certificate, learner=learner, shared=True)
        _, revoked = certified_learner(site.course, name="Alan Turing")
        certificate_revoke(certificate=revoked, by=None, reason="Issued to a test account.")
        exercise_url = f"/courses/{site.course.pk}/exercises/{site.exercise.pk}/"

    visitor_pages = {
        "the home page": "/",
        "the catalog": "/courses/",
        "the course page": site.course.url,
        "a module (the course outline)": site.module.url,
        "the log-in page": "/accounts/login/",
        "the sign-up page": "/accounts/signup/",
        "the password reset page": "/accounts/password/reset/",
        "the verification page": "/verify/",
        "a valid certificate's verification": f"/verify/{certificate.code}/",
        "a revoked certificate's verification": f"/verify/{revoked.code}/",
        "an unknown code's verification": "/verify/?code=PMA-2345-6789-ABCD-EFGH-JKMN",
        "a shared certificate (public)": f"/certificates/{certificate.code}/",
        "a page that does not exist": "/no-such-page/",
    }
    for name, url in visitor_pages.items():
        page.goto(url)
        assert_accessible(page, name)

    log_in(page, learner.email, password)
    learner_pages = {
        "the dashboard": "/dashboard/",
        "the profile": "/profile/",
        "the course page (completed)": site.course.url,
        "the lesson page": site.lesson.url,
        "the exercise page": exercise_url,
        "the learner's certificates": "/certificates/",
        "the certificate page (owner)": f"/certificates/{certificate.code}/",
        "the e-mail addresses page": "/accounts/email/",
        "the password change page": "/accounts/password/change/",
    }
    for name, url in learner_pages.items():
        page.goto(url)
        assert_accessible(page, name)
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("password", re.I))


@pytest.mark.sandbox
def test_submit_flow_works_with_the_keyboard_alone(page, grading_worker, password):
    with database_turn():
        site = learner_course()
        learner = UserFactory(certificate_name="Kay Board")
        enrolment_create(learner=learner, course=site.course)
    exercise_id = site.exercise.pk

    page.goto("/accounts/login/")
    tab_until(page, lambda focus: focus["name"] == "login")
    page.keyboard.type(learner.email)
    tab_until(page, lambda focus: focus["name"] == "password")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your dashboard")

    page.goto(site.lesson.url)
    # The knowledge check: Space ticks the option, Enter sends the form.
    tab_until(page, lambda focus: focus["name"] == "options")
    checkbox = page.get_by_label(KC_RIGHT)
    assert checkbox.evaluate("el => el === document.activeElement"), "the right option comes first"
    page.keyboard.press("Space")
    expect(checkbox).to_be_checked()
    tab_until(page, lambda focus: focus["text"] == "Check my answer")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Correct.")).to_be_visible()

    # The editors: Tab in, select all, type; Escape leaves the editor so Tab moves on.
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

    submit = tab_until(page, lambda focus: focus["name"] == "action" and focus["value"] == "submit")
    assert submit["text"] == "Submit"
    page.keyboard.press("Enter")
    expect(page.get_by_text("Attempt 1 submitted; it is being graded.")).to_be_visible()
    status = page.locator(f"#exercise-{exercise_id} .submission-status")
    expect(status).to_have_class(re.compile("submission-status--graded"), timeout=120_000)
    expect(status.locator(".submission-score")).to_have_text("5 / 6 points")
    assert COURSE_TITLE in page.title()
