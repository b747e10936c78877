"""Screenshots of the key pages for the README, taken with the e2e fixtures (`make screenshots`).

Not collected by `make test` (the name does not start with test_): scripts/screenshots.py runs it
explicitly and the PNGs land in docs/screenshots/ (PMA_SCREENSHOTS_DIR overrides it).

The pages are the flagship course's, as `make run` builds it (flagship_content.flagship_site).
Grace Hopper works through the whole course: checks, quiz and lessons through the services, the
RICE notebook graded in the sandbox by the grading worker (its feedback is a screenshot), the six
other notebooks recorded at full marks (tests/demo grades each of them for real), and her
certificate issued by the worker when the course completes. Two more learners submit RICE, so the
gradebook and analytics have something to show.
"""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from certificates.models import Certificate
from courses.services import enrolment_create, exercise_score_record
from tests.factories import UserFactory, instructor_user

from . import chromium
from .accessibility import wait_until_settled
from .analytics_charts import wait_for_charts
from .flagship_content import flagship_site, read_and_answer_everything, reference_answers
from .live_site import database_turn
from .logins import admin_log_in, log_in
from .site_content import graded_submission

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.sandbox,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(os.environ.get("PMA_SCREENSHOTS_DIR", ROOT / "docs" / "screenshots"))

#: Leaves the last of the three functions unwritten: rice_scores and rank_by_rice pass, the
#: budget's tests fail.
WITHOUT_THE_BUDGET = """

def fit_to_budget(backlog, budget):
    return []
"""


def shoot(page, name: str, *, full_page: bool = True) -> None:
    # Stylesheets and fonts loaded, then two animation frames so charts and editors have painted.
    wait_until_settled(page)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    if not full_page:
        page.screenshot(path=OUT / f"{name}.png", animations="disabled")
        return
    # A window as tall as the page: sticky bars (the draft bar) sit where a reader who sees the
    # whole page would find them, not wherever the bottom of a 900 px window happened to be.
    viewport = page.viewport_size
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": viewport["width"], "height": height})
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.screenshot(path=OUT / f"{name}.png", full_page=True, animations="disabled")
    page.set_viewport_size(viewport)


def test_save_screenshots(page, grading_worker, password, settings):
    # Grace works through seven exercises faster than a person could.
    settings.PMA_GRADING = {**settings.PMA_GRADING, "RATE_LIMIT_PER_MINUTE": 0}
    OUT.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(chromium.VIEWPORT)
    # Charts and transitions drawn in their final state, not caught in the middle of an animation.
    page.emulate_media(reduced_motion="reduce")
    with database_turn():
        flagship = flagship_site()
        course = flagship.course
        instructor = instructor_user(certificate_name="Marty Cagan")
        instructor.groups.add(Group.objects.get(name="Moderators"))
        course.instructors.set([instructor])
        course.save_revision().publish()
        rice = reference_answers(flagship.exercise)
        grace = UserFactory(certificate_name="Grace Hopper")
        read_and_answer_everything(learner=grace, course=course)

    graded_submission(flagship, grace, rice, grading_worker)
    with database_turn():
        for counted in course.exercises.select_related("exercise"):
            if counted.exercise_id != flagship.exercise.pk:
                exercise_score_record(
                    learner=grace,
                    course=course,
                    exercise=counted.exercise,
                    points=counted.max_points,
                    max_points=counted.max_points,
                )
    grading_worker.wait_until_idle()  # the certificate, issued when the course completed

    for name, answers in (
        ("Alan Turing", rice),
        ("Edsger Dijkstra", {key: text + WITHOUT_THE_BUDGET for key, text in rice.items()}),
    ):
        with database_turn():
            learner = UserFactory(certificate_name=name)
            enrolment_create(learner=learner, course=course)
        graded_submission(flagship, learner, answers, grading_worker)
    with database_turn():
        certificate = Certificate.objects.get(learner=grace, course=course)

    page.goto("/")
    shoot(page, "home")
    page.goto("/courses/")
    shoot(page, "catalog")
    page.goto(f"/verify/{certificate.code}/")
    shoot(page, "verify-valid")

    log_in(page, grace.email, password)
    shoot(page, "dashboard")
    page.goto(course.url)
    shoot(page, "course")
    page.goto(flagship.exercise_lesson.url + f"#exercise-{flagship.exercise.pk}")
    expect(page.locator(".submission-status--graded")).to_be_visible()
    shoot(page, "lesson-exercise-feedback")
    page.goto(f"/certificates/{certificate.code}/")
    shoot(page, "certificate")
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Log out").click()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Log in")
    ).to_be_visible()

    admin_log_in(page, instructor.username, password)
    page.goto(f"/admin/exercises/inspect/{flagship.exercise.pk}/")
    shoot(page, "admin-exercise-validation")
    page.goto(f"/admin/gradebook/{course.pk}/")
    shoot(page, "admin-gradebook")
    page.goto(f"/admin/gradebook/{course.pk}/analytics/")
    wait_for_charts(page)
    shoot(page, "admin-analytics")
