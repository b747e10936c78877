"""An employer checks certificates on /verify/ without an account: valid, revoked, made up."""

import re

import pytest
from playwright.sync_api import expect

from certificates.services import certificate_revoke

from .accessibility import assert_accessible
from .live_site import database_turn
from .site_content import COURSE_TITLE, certified_learner, learner_course

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

#: Well formed (the code alphabet, the right length) but never issued.
MADE_UP_CODE = "PMA-2345-6789-ABCD-EFGH-JKMN"


def check_code(page, code: str) -> None:
    page.goto("/verify/")
    page.get_by_label("Certificate code").fill(code)
    page.get_by_role("button", name="Check the code").click()


def test_verifier_types_a_valid_a_revoked_and_a_made_up_code(page):
    with database_turn():
        course = learner_course().course
        _, valid = certified_learner(course, name="Grace Hopper", percent=92)
        _, revoked = certified_learner(course, name="Alan Turing", percent=75)
        certificate_revoke(
            certificate=revoked, by=None, reason="Issued by mistake to a test account."
        )

    page.goto("/verify/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Verify a certificate")
    assert_accessible(page, "the verification page")

    # Typed as people type codes read from paper: lower case, spaces instead of dashes.
    check_code(page, valid.code.lower().replace("-", " "))
    expect(page).to_have_url(re.compile(rf"/verify/{valid.code}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("This certificate is valid")
    details = page.locator("dl")
    expect(details).to_contain_text("Grace Hopper")
    expect(details).to_contain_text(COURSE_TITLE)
    expect(details).to_contain_text(valid.code)
    expect(details).to_contain_text(valid.get_score_band_display())
    assert_accessible(page, "a valid certificate's verification")

    check_code(page, revoked.code)
    expect(page.get_by_role("heading", level=1)).to_have_text("This certificate has been revoked")
    expect(page.locator(".verification")).to_contain_text("It no longer certifies anything.")
    expect(page.locator("dl")).to_contain_text("Alan Turing")
    assert_accessible(page, "a revoked certificate's verification")

    page.goto("/verify/")
    page.get_by_label("Certificate code").fill(MADE_UP_CODE)
    with page.expect_response(lambda response: "code=" in response.url) as answer:
        page.get_by_role("button", name="Check the code").click()
    assert answer.value.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("No certificate matches that code")
    expect(page.get_by_text("Grace Hopper")).to_have_count(0)
    assert_accessible(page, "an unknown code's verification")
