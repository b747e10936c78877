"""A learner's whole journey in chromium: from sign-up to a certificate an employer can verify.

Grading is real: the Submit goes through the database task queue to the grading worker, which
runs the notebook in the sandbox; completing the course queues the certificate on the same worker.
Every page on the way is checked with axe.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import User
from certificates.models import Certificate
from grading.models import Submission
from grading.services import manual_grade_set
from tests.grading.submissions_support import EXPLAIN, RANK_ANSWER, RANK_WRONG, RICE_ANSWER

from .accessibility import assert_accessible
from .certificate_files import pdf_text, qr_codes
from .editor import replace_in_editor
from .live_site import database_turn
from .site_content import COURSE_TITLE, KC_RIGHT, LESSON_TITLE, learner_course

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.sandbox,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CONFIRM_LINK = re.compile(r"(http://\S+/accounts/confirm-email/[^/\s]+/)")
NAME = "Ada Lovelace"
EMAIL = "ada@example.org"


def result_rows(status) -> list[list[str]]:
    """The feedback table as the learner reads it: test, result, points, feedback."""
    return status.locator(".submission-tests tbody tr").evaluate_all(
        "rows => rows.map(row => [...row.cells].map(cell => cell.innerText.trim()))"
    )


def test_learner_signs_up_learns_is_graded_live_and_verifies_their_certificate(
    page, grading_worker, password, tmp_path
):
    with database_turn():
        site = learner_course()
    exercise_id = site.exercise.pk

    # Browse as a visitor, then sign up from the course page.
    page.goto("/")
    assert_accessible(page, "the home page")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Catalog").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Courses")
    assert_accessible(page, "the catalog")
    page.get_by_role("link", name=COURSE_TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(COURSE_TITLE)
    assert_accessible(page, "the course page (visitor)")
    page.get_by_role("main").get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create your account")
    assert_accessible(page, "the sign-up page")
    page.get_by_label("Full name").fill(NAME)
    page.locator("input[name=email]").fill(EMAIL)
    page.locator("input[name=password1]").fill(password)
    page.locator("input[name=password2]").fill(password)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile("Verify Your Email Address", re.I)
    )
    assert_accessible(page, "the 'verify your e-mail' page")

    # The confirmation link from the e-mail, then log in.
    assert [message.to for message in mail.outbox] == [[EMAIL]]
    confirm_url = CONFIRM_LINK.search(mail.outbox[0].body).group(1)
    assert confirm_url.startswith(page.url.split("/accounts/")[0])
    page.goto(confirm_url)
    assert_accessible(page, "the e-mail confirmation page")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    assert_accessible(page, "the log-in page")
    page.locator("input[name=login]").fill(EMAIL)
    page.locator("input[name=password]").fill(password)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your dashboard")
    assert_accessible(page, "the dashboard (new learner)")

    # Enrol, read the lesson, answer the knowledge check.
    page.goto(site.course.url)
    page.get_by_role("button", name="Enrol in this course").click()
    expect(page.get_by_role("link", name="Start the first lesson")).to_be_visible()
    assert_accessible(page, "the course page (enrolled)")
    page.get_by_role("link", name="Start the first lesson").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(LESSON_TITLE)
    expect(page.get_by_text("RICE multiplies Reach, Impact and Confidence")).to_be_visible()
    assert_accessible(page, "the lesson page")
    page.get_by_label(KC_RIGHT).check()
    page.get_by_role("button", name="Check my answer").click()
    expect(page.get_by_role("status").filter(has_text="Correct.")).to_contain_text(
        "You chose exactly the right options"
    )
    assert_accessible(page, "the lesson page with an answered knowledge check")

    # The exercise: type answers in the editor, Check against the visible tests.
    replace_in_editor(page, exercise_id, "rice_answer", RICE_ANSWER)
    replace_in_editor(page, exercise_id, "rank_answer", RANK_WRONG)
    page.locator(f"#exercise-{exercise_id}-explain_answer").fill(EXPLAIN)
    panel = page.locator(f"#exercise-{exercise_id}")
    panel.get_by_role("button", name="Check").first.click()
    expect(
        page.get_by_text("Your answers are being checked against the visible tests.")
    ).to_be_visible()
    status = panel.locator(".submission-status")
    expect(status).to_have_class(re.compile("submission-status--graded"), timeout=120_000)
    expect(status.locator(".submission-score")).to_have_text("Visible tests: 3.5 / 6 points")
    waiting_row = [
        "explain_answer",
        "Waiting for your instructor",
        "not graded yet, out of\n— / 1",
        "An instructor grades this answer.",
    ]
    assert result_rows(status) == [
        ["rice_tests", "Passed", "2 / 2", ""],
        ["rank_tests", "Partly right", "1.5 / 3", "Partial credit: 1.5 of 3."],
        waiting_row,
    ]
    assert_accessible(page, "the lesson with a graded check")

    # Submit the fixed answer and watch the status change without a reload.
    replace_in_editor(page, exercise_id, "rank_answer", RANK_ANSWER)
    with grading_worker.paused():
        panel.get_by_role("button", name="Submit").first.click()
        expect(page.get_by_text("Attempt 1 submitted; it is being graded.")).to_be_visible()
        expect(status).to_have_class(re.compile("submission-status--queued"))
        expect(status).to_contain_text("Queued")
        page.evaluate("window.__pmaSamePage = true")
    expect(status).to_have_class(re.compile("submission-status--graded"), timeout=120_000)
    assert page.evaluate("window.__pmaSamePage === true"), "the page reloaded while grading"
    expect(status.locator(".submission-score")).to_have_text(
        "5 / 6 points Provisional: waiting for your instructor"
    )
    assert result_rows(status) == [
        ["rice_tests", "Passed", "2 / 2", ""],
        ["rank_tests", "Passed", "3 / 3", ""],
        waiting_row,
    ]
    assert_accessible(page, "the lesson with graded feedback")

    # The instructor grades the written answer; the learner reads the grade and the feedback.
    with database_turn():
        submission = Submission.objects.get(kind="submit", attempt=1)
        manual_grade_set(
            submission=submission,
            grade_id="explain_answer",
            points="1",
            feedback="Clear: reach carries it.",
            by=site.instructor,
        )
    page.reload()
    status = page.locator(f"#exercise-{exercise_id} .submission-status")
    expect(status.locator(".submission-score")).to_have_text("6 / 6 points")
    assert result_rows(status)[2] == [
        "explain_answer",
        "Graded by your instructor",
        "1 / 1",
        "Clear: reach carries it.",
    ]
    assert_accessible(page, "the lesson with the instructor's grade")

    # Finish the course; the worker issues and renders the certificate.
    page.get_by_role("button", name="Mark lesson as complete").click()
    expect(page.get_by_text("You completed this lesson.")).to_be_visible()
    grading_worker.wait_until_idle()
    with database_turn():
        learner = User.objects.get(email=EMAIL)
        certificate = Certificate.objects.get(learner=learner)
        sent = list(
            Submission.objects.order_by("pk").values_list("kind", "attempt", "status", "score")
        )
    assert sent == [("check", None, "graded", 3.5), ("submit", 1, "graded", 6.0)]
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your dashboard")
    assert_accessible(page, "the dashboard with a certificate")
    course_card = page.locator(".dash-course")
    expect(course_card).to_contain_text("Progress: 100%")
    expect(course_card).to_contain_text("1 of 1 lessons done")
    expect(course_card).to_contain_text("Completed")
    expect(page.locator(".certificate-list")).to_contain_text("Distinction")
    page.get_by_role("link", name=COURSE_TITLE).last.click()
    expect(page).to_have_url(re.compile(rf"/certificates/{certificate.code}/$"))
    assert_accessible(page, "the certificate page")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF, A4").click()
    pdf = download_info.value.path().read_bytes()
    text = pdf_text(pdf)
    for printed in (
        "This certifies that",
        NAME,
        COURSE_TITLE,
        "with the result Distinction",
        certificate.code,
    ):
        assert printed in text, f"{printed!r} is not printed on the certificate:\n{text}"
    urls = qr_codes(pdf, tmp_path)
    assert urls == [f"{page.url.split('/certificates/')[0]}/verify/{certificate.code}/"]

    # The QR code's URL opens the public verification page.
    page.goto(urls[0])
    expect(page.get_by_role("heading", level=1)).to_have_text("This certificate is valid")
    details = page.locator("dl")
    for shown in (NAME, COURSE_TITLE, "Distinction", "Marty Cagan", certificate.code):
        expect(details).to_contain_text(shown)
    assert_accessible(page, "the verification page (valid)")
