"""Screenshots of the key pages for the README, taken with the e2e fixtures (`make screenshots`).

Not collected by `make test` (the name does not start with test_): scripts/screenshots.py runs it
explicitly and the PNGs land in docs/screenshots/ (PMA_SCREENSHOTS_DIR overrides it).
"""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from certificates.models import Certificate
from tests.grading.submissions_support import CORRECT, PARTIAL

from .analytics_charts import wait_for_charts
from .live_site import database_turn
from .logins import admin_log_in, log_in
from .site_content import learner_course, learner_who_worked

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.sandbox,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(os.environ.get("PMA_SCREENSHOTS_DIR", ROOT / "docs" / "screenshots"))


def shoot(page, name: str, *, full_page: bool = True) -> None:
    # Let web fonts and charts settle: wait for fonts, then two animation frames.
    page.evaluate(
        "document.fonts.ready.then(() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))))"
    )
    page.screenshot(path=OUT / f"{name}.png", full_page=full_page, animations="disabled")


def test_save_screenshots(page, grading_worker, password):
    OUT.mkdir(parents=True, exist_ok=True)
    with database_turn():
        site = learner_course()
        instructor = site.instructor
        instructor.groups.add(Group.objects.get(name="Moderators"))
    learner = learner_who_worked(site, name="Grace Hopper", answers=CORRECT, worker=grading_worker)
    learner_who_worked(site, name="Alan Turing", answers=CORRECT, worker=grading_worker)
    learner_who_worked(site, name="Edsger Dijkstra", answers=PARTIAL, worker=grading_worker)
    with database_turn():
        certificate = Certificate.objects.get(learner=learner)

    page.goto("/")
    shoot(page, "home")
    page.goto("/courses/")
    shoot(page, "catalog")
    page.goto(f"/verify/{certificate.code}/")
    shoot(page, "verify-valid")

    log_in(page, learner.email, password)
    shoot(page, "dashboard")
    page.goto(site.course.url)
    shoot(page, "course")
    page.goto(site.lesson.url + f"#exercise-{site.exercise.pk}")
    expect(page.locator(".submission-status--graded")).to_be_visible()
    shoot(page, "lesson-exercise-feedback")
    page.goto(f"/certificates/{certificate.code}/")
    shoot(page, "certificate")
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Log out").click()

    admin_log_in(page, instructor.username, password)
    page.goto(f"/admin/exercises/inspect/{site.exercise.pk}/")
    shoot(page, "admin-exercise-validation")
    page.goto(f"/admin/gradebook/{site.course.pk}/")
    shoot(page, "admin-gradebook")
    page.goto(f"/admin/gradebook/{site.course.pk}/analytics/")
    wait_for_charts(page)
    shoot(page, "admin-analytics")
