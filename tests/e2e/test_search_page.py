"""The search page in a real browser: reached from the header, results marked, axe-clean, and
nothing scrolls sideways at desktop and phone widths."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from courses.services import enrolment_create
from tests.factories import UserFactory

from .accessibility import assert_accessible, wait_until_settled
from .live_site import database_turn
from .logins import log_in
from .site_content import COURSE_TITLE, LESSON_TITLE, learner_course

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SIDEWAYS = "document.scrollingElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def indexed_course():
    with database_turn():
        site = learner_course()
        # The live site queues index updates for a worker; build the index at once instead.
        call_command("update_index", stdout=StringIO())
    return site


def test_a_visitor_searches_from_the_header_and_sees_titles_but_no_lesson_text(
    page, indexed_course
):
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    page.get_by_label("Search courses and lessons").fill("effort")
    page.get_by_label("Search courses and lessons").press("Enter")
    results = page.locator("#results-heading")
    expect(results).to_have_text("1 result for “effort”")
    group = page.locator(".search-group")
    expect(group.get_by_role("heading", level=3)).to_have_text(COURSE_TITLE)
    expect(group.locator(".search-lesson__title")).to_contain_text(LESSON_TITLE)
    expect(group).not_to_contain_text("divides by Effort")
    expect(group).to_contain_text("Log in and enrol in this course to read its lessons.")
    assert_accessible(page, "search results for a visitor")

    page.goto("/search/?q=xylophone")
    expect(page.locator("#results-heading")).to_have_text("Nothing matches “xylophone”")
    assert_accessible(page, "a search without results")
    page.goto("/search/")
    expect(page.locator("#results-heading")).to_have_text("What would you like to learn?")
    assert_accessible(page, "the empty search page")


def test_an_enrolled_learner_sees_marked_excerpts_at_desktop_and_phone_widths(
    page, indexed_course, password
):
    with database_turn():
        learner = UserFactory()
        enrolment_create(learner=learner, course=indexed_course.course)
    log_in(page, learner.email, password)
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/search/?q=effort")
        excerpt = page.locator(".search-lesson .search-excerpt")
        expect(excerpt).to_contain_text("divides by Effort")
        expect(excerpt.locator("mark").first).to_have_text("Effort")
        expect(page.get_by_role("link", name=LESSON_TITLE)).to_be_visible()
        wait_until_settled(page)
        assert page.evaluate(SIDEWAYS) <= 0, f"the search page scrolls sideways at {width} px"
        assert_accessible(page, f"search results for a learner at {width} px")
