"""The privacy page in a real browser: a learner reaches it from the profile, exports their data
(the page follows the task queue without a reload and offers the zip), schedules their account's
deletion and cancels it; axe-clean, and nothing scrolls sideways at desktop and phone widths."""

from __future__ import annotations

import zipfile

import pytest
from playwright.sync_api import expect

from tests.factories import UserFactory

from .accessibility import assert_accessible
from .live_site import database_turn
from .logins import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SIDEWAYS = "document.scrollingElement.scrollWidth - document.documentElement.clientWidth"


def test_a_learner_exports_their_data_and_schedules_then_cancels_deletion(
    page, site, grading_worker, password
):
    with database_turn():
        UserFactory(username="lin", email="lin@example.org", certificate_name="Lin Ma")
    log_in(page, "lin@example.org", password)
    page.goto("/profile/")
    page.get_by_role("link", name="Go to your data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your data")
    assert_accessible(page, "the privacy page before any request")

    with grading_worker.paused():
        page.get_by_role("button", name="Export my data").click()
        expect(page.locator("[data-export-label]")).to_have_text("Waiting to start")
        expect(page.locator("progress[data-export-progress]")).to_be_visible()
    # The worker builds it; the page's poll shows the link without a reload.
    download_link = page.locator("[data-export-download] a")
    expect(download_link).to_be_visible(timeout=60_000)
    expect(page.locator("[data-export-label]")).to_have_text("Ready to download")
    with page.expect_download() as download:
        download_link.click()
    archive = zipfile.ZipFile(download.value.path())
    assert "README.txt" in archive.namelist()
    assert b"lin@example.org" in archive.read("profile.json")

    page.reload()
    expect(page.get_by_role("link", name="Download your data (zip)")).to_be_visible()
    page.get_by_label("I understand that my account and personal data will be deleted").check()
    page.get_by_role("button", name="Delete my account").click()
    expect(page.locator(".callout__title")).to_contain_text("Your account will be deleted on")
    assert_accessible(page, "the privacy page with an export and a scheduled deletion")
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate(SIDEWAYS) == 0, width
    page.get_by_role("button", name="Cancel the deletion").click()
    expect(page.get_by_text("Your account deletion is cancelled.")).to_be_visible()
    expect(page.get_by_role("button", name="Delete my account")).to_be_visible()
