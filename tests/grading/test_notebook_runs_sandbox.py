"""A real "Run to here" in the sandboxed kernel: the outputs come back in place, and nothing the
instructor hid (hidden tests, solutions) reaches the kernel or the page."""

import pytest

from grading.models import RunStatus, Submission
from grading.services.runs import notebook_run_create

from .submissions_support import CORRECT

pytestmark = [pytest.mark.sandbox, pytest.mark.django_db]

# Passes the visible tests, fails the hidden ones (no ValueError for a zero effort).
NO_EFFORT_CHECK = (
    "def rice_score(reach, impact, confidence, effort):\n"
    "    return reach * impact * confidence / effort\n"
    "print('sso', rice_score(2000, 2, 0.8, 4))\n"
)
# Prints every cell the kernel has run so far (IPython keeps them in In).
SHOWS_HISTORY = "print('\\n'.join(In))\n"


def test_a_run_in_the_sandbox_shows_each_cells_outputs(
    enrolled, exercise, course, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = notebook_run_create(
            learner=enrolled,
            exercise=exercise,
            course_page=course,
            answers={**CORRECT, "rice_answer": NO_EFFORT_CHECK, "rank_answer": SHOWS_HISTORY},
            up_to=6,
        )
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.message
    by_cell = {cell["cell"]: cell for cell in run.outputs}
    assert sorted(by_cell) == [1, 3, 4, 6]
    assert by_cell[3]["items"] == [{"type": "text", "name": "stdout", "text": "sso 800.0\n"}]
    # The visible tests ran and passed; the hidden ones (which this answer fails) never ran.
    assert (by_cell[4]["status"], by_cell[4]["items"]) == ("ok", [])
    history = by_cell[6]["items"][0]["text"]
    assert "rice score for 'SSO' is wrong" in history
    assert "Audit log' is wrong" not in history
    assert "BEGIN HIDDEN" not in history
    assert 'raise ValueError("effort must be positive")' not in history
    assert Submission.objects.count() == 0


def test_a_failing_cell_stops_the_run_and_says_why(
    enrolled, exercise, course, django_capture_on_commit_callbacks
):
    wrong = "def rice_score(reach, impact, confidence, effort):\n    return 0\n"
    with django_capture_on_commit_callbacks(execute=True):
        run = notebook_run_create(
            learner=enrolled,
            exercise=exercise,
            course_page=course,
            answers={**CORRECT, "rice_answer": wrong},
            up_to=7,
        )
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert [(cell["cell"], cell["status"]) for cell in run.outputs] == [
        (1, "ok"),
        (3, "ok"),
        (4, "error"),
        (6, "not_run"),
        (7, "not_run"),
    ]
    assert run.outputs[2]["items"] == [
        {"type": "error", "text": "AssertionError: rice score for 'SSO' is wrong"}
    ]
