"""A learner runs their notebook up to a cell in chromium and reads the output under that cell.

The run is real: it goes through the database task queue ("runs") to the worker, which runs the
release's visible cells with the learner's answer in a sandboxed kernel. Nothing is graded.
"""

import pytest
from playwright.sync_api import expect

from courses.services import enrolment_create
from grading.models import NotebookRun, Submission
from tests.factories import UserFactory
from tests.grading.submissions_support import RICE_ANSWER

from .accessibility import assert_accessible
from .conftest import GRADING_TIMEOUT_MS
from .editor import replace_in_editor
from .live_site import database_turn
from .logins import log_in
from .site_content import learner_course

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.sandbox,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PRINTS = RICE_ANSWER + 'print("sso", rice_score(2000, 2, 0.8, 4))\n'


def test_run_to_a_cell_shows_its_output_in_place_without_using_an_attempt(
    page, grading_worker, password
):
    with database_turn():
        site = learner_course()
        learner = UserFactory(email="grace@example.org", certificate_name="Grace Hopper")
        enrolment_create(learner=learner, course=site.course)
    exercise_id = site.exercise.pk
    log_in(page, "grace@example.org", password)
    page.goto(f"/courses/{site.course.pk}/exercises/{exercise_id}/")
    panel = page.locator(f"#exercise-{exercise_id}")
    expect(panel).to_contain_text("1 hidden test (2 points) runs only on Submit")

    replace_in_editor(page, exercise_id, "rice_answer", PRINTS)
    # Run to the visible tests' cell (the fifth): the answer's print shows under the answer.
    panel.locator('button[data-run-to="4"]').click()
    status = page.locator(f"#exercise-{exercise_id}-run-status")
    expect(status).to_contain_text("Ran your notebook up to cell 5", timeout=GRADING_TIMEOUT_MS)
    output = page.locator(f"#exercise-{exercise_id}-run-cell-3")
    expect(output).to_contain_text("sso 800.0")
    expect(page.locator(f"#exercise-{exercise_id}-run-cell-4")).to_contain_text("No output.")
    assert_accessible(page, "the exercise workspace after a run")

    with database_turn():
        assert NotebookRun.objects.filter(learner=learner, status="done").count() == 1
        assert Submission.objects.filter(learner=learner).count() == 0
