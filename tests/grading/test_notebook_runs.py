"""Running a notebook up to a cell without using an attempt: services and HTTP, with a fake kernel
run (the real sandbox run is in test_notebook_runs_sandbox.py)."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from grading.engine.execute import Verdict
from grading.engine.notebook_run import NotebookRunReport, RunCell, run_steps
from grading.models import NotebookRun, RunStatus, Submission
from grading.services.notebooks import answer_grade_ids, release_notebook_of
from grading.services.runs import RunRefused, notebook_run_create

from .submissions_support import CORRECT, RICE_ANSWER

PRINTING = RICE_ANSWER + 'print("sso", rice_score(2000, 2, 0.8, 4))\n'


class FakeRun:
    """Stands in for grading.engine.notebook_run.run_notebook: records what would have run."""

    def __init__(self) -> None:
        self.calls: list[dict] = []
        self.verdict = Verdict.OK

    def __call__(self, release, answers, *, answer_ids, up_to, kernels, limits):
        steps = run_steps(release, answers, answer_ids=answer_ids, up_to=up_to)
        self.calls.append({"steps": steps, "up_to": up_to, "limits": limits})
        cells = [
            RunCell(
                index=index,
                status="ok",
                outputs=[{"output_type": "stream", "name": "stdout", "text": f"ran {index}\n"}],
            )
            for index, _code in steps
        ]
        if self.verdict is Verdict.TIMEOUT:
            cells[-1].status = "error"
            return NotebookRunReport(
                Verdict.TIMEOUT, cells, "The notebook ran longer than 30 s.", 30.0
            )
        cells.append(
            RunCell(
                index=99,
                status="ok",
                outputs=[
                    {
                        "output_type": "display_data",
                        "data": {"text/html": "<script>alert(1)</script>"},
                        "metadata": {},
                    }
                ],
            )
        )
        return NotebookRunReport(Verdict.OK, cells, "", 0.1)


@pytest.fixture
def fake_run(monkeypatch, django_capture_on_commit_callbacks):
    """The fake run, and each run request's on-commit work (its task) done as a commit would."""
    fake = FakeRun()
    monkeypatch.setattr("grading.services.runs.run_notebook", fake)
    monkeypatch.setattr("grading.services.runs.run_kernel_provider", lambda: None)
    create = notebook_run_create

    def create_and_commit(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return create(**kwargs)

    monkeypatch.setattr(f"{__name__}.notebook_run_create", create_and_commit)
    return fake


def _create(learner, exercise, course, *, up_to=4, answers=None):
    return notebook_run_create(
        learner=learner,
        exercise=exercise,
        course_page=course,
        answers=CORRECT if answers is None else answers,
        up_to=up_to,
    )


# --- What runs --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_run_is_the_release_with_the_answers_never_hidden_tests_or_solutions(exercise):
    revision = exercise.current_revision
    steps = run_steps(
        release_notebook_of(revision=revision),
        {"rice_answer": "def rice_score(*a):\n    return 0\n", "rank_answer": "x = 1\n"},
        answer_ids=set(answer_grade_ids(revision=revision)),
        up_to=7,
    )
    assert [index for index, _code in steps] == [1, 3, 4, 6, 7]
    code = "\n".join(text for _index, text in steps)
    assert "def rice_score(*a):\n    return 0\n" in code
    assert "rice score for 'SSO' is wrong" in code  # the visible tests run
    assert "rice score for 'Audit log' is wrong" not in code  # the hidden tests never do
    assert "BEGIN HIDDEN" not in code
    assert 'raise ValueError("effort must be positive")' not in code  # nor the solution


# --- Services ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_run_stores_each_cells_outputs_and_is_not_a_submission(
    enrolled, exercise, course, fake_run
):
    run = _create(enrolled, exercise, course, answers={**CORRECT, "rice_answer": PRINTING})
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert [(cell["cell"], cell["status"]) for cell in run.outputs] == [
        (1, "ok"),
        (3, "ok"),
        (4, "ok"),
        (99, "ok"),
    ]
    assert run.outputs[1]["items"] == [{"type": "text", "name": "stdout", "text": "ran 3\n"}]
    # HTML from learner code is never kept, only a note that it is not shown.
    assert run.outputs[3]["items"][0]["type"] == "note"
    assert "<script>" not in str(run.outputs)
    assert run.answers["rice_answer"] == PRINTING
    assert run.finished_at is not None
    assert Submission.objects.count() == 0
    assert fake_run.calls[0]["limits"].wall_timeout_s == 30.0


@pytest.mark.django_db
def test_a_run_that_times_out_says_so(enrolled, exercise, course, fake_run):
    fake_run.verdict = Verdict.TIMEOUT
    run = _create(enrolled, exercise, course)
    run.refresh_from_db()
    assert (run.status, run.message) == (RunStatus.TIMED_OUT, "The notebook ran longer than 30 s.")


@pytest.mark.django_db
def test_a_run_never_uses_an_attempt(enrolled, exercise, course, fake_run, client):
    client.force_login(enrolled)
    _create(enrolled, exercise, course)
    page = client.get(reverse("exercise_page", args=[course.pk, exercise.pk]))
    assert page.context["panel"].attempts_used == 0
    assert Submission.objects.filter(learner=enrolled).count() == 0


@pytest.mark.django_db
def test_one_run_at_a_time_per_learner(enrolled, exercise, course, monkeypatch):
    monkeypatch.setattr("grading.services.runs.enqueue_run", lambda run_id: None)
    _create(enrolled, exercise, course)
    with pytest.raises(RunRefused) as refused:
        _create(enrolled, exercise, course)
    assert refused.value.too_many
    assert str(refused.value) == (
        "Your previous run is still going; wait for it to finish, then run again."
    )
    assert NotebookRun.objects.count() == 1


@pytest.mark.django_db
def test_a_run_lost_by_its_worker_does_not_hold_the_learner_back(
    enrolled, exercise, course, monkeypatch
):
    monkeypatch.setattr("grading.services.runs.enqueue_run", lambda run_id: None)
    lost = _create(enrolled, exercise, course)
    NotebookRun.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    _create(enrolled, exercise, course)
    lost.refresh_from_db()
    assert lost.status == RunStatus.FAILED


@pytest.mark.django_db
@override_settings(PMA_GRADING={"RUNS": {"PER_MINUTE": 2}})
def test_runs_per_minute_are_limited(enrolled, exercise, course, fake_run):
    _create(enrolled, exercise, course)
    _create(enrolled, exercise, course)
    with pytest.raises(RunRefused) as refused:
        _create(enrolled, exercise, course)
    assert refused.value.too_many
    assert str(refused.value).startswith("You have started 2 runs in the last minute")
    assert NotebookRun.objects.count() == 2


@pytest.mark.django_db
@override_settings(PMA_GRADING={"RUNS": {"PER_MINUTE": 0, "KEPT": 3}})
def test_only_the_last_runs_are_kept(enrolled, exercise, course, fake_run):
    made = [_create(enrolled, exercise, course).pk for _ in range(5)]
    assert sorted(NotebookRun.objects.values_list("pk", flat=True)) == made[-3:]


@pytest.mark.django_db
@pytest.mark.parametrize("up_to", [-1, 10, "x", None])
def test_a_run_to_a_cell_the_exercise_does_not_have_is_refused(
    enrolled, exercise, course, fake_run, up_to
):
    with pytest.raises(RunRefused):
        _create(enrolled, exercise, course, up_to=up_to)
    assert NotebookRun.objects.count() == 0


@pytest.mark.django_db
def test_answers_for_cells_the_exercise_does_not_have_are_dropped(
    enrolled, exercise, course, monkeypatch
):
    monkeypatch.setattr("grading.services.runs.enqueue_run", lambda run_id: None)
    run = _create(enrolled, exercise, course, answers={"rice_answer": "x = 1", "setup": "y = 2"})
    assert run.answers == {"rice_answer": "x = 1"}


# --- HTTP -------------------------------------------------------------------------------------


def _fields(up_to=4, **answers):
    return {"up_to": str(up_to), **{f"answer-{k}": v for k, v in {**CORRECT, **answers}.items()}}


@pytest.mark.django_db
def test_without_javascript_the_form_redirects_to_the_page_showing_the_outputs(
    client, enrolled, exercise, course, fake_run, django_capture_on_commit_callbacks
):
    client.force_login(enrolled)
    url = reverse("exercise_run", args=[course.pk, exercise.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, _fields(rice_answer=PRINTING))
    run = NotebookRun.objects.get()
    page_url = reverse("exercise_page", args=[course.pk, exercise.pk])
    assert response.status_code == 302
    assert response["Location"] == f"{page_url}?run={run.pk}#exercise-{exercise.pk}-run-status"
    page = client.get(f"{page_url}?run={run.pk}")
    html = page.content.decode()
    assert "Ran your notebook up to cell 5" in html
    assert f'id="exercise-{exercise.pk}-run-cell-3"' in html
    assert "ran 3\n" in html
    assert "Run to here" in html
    assert "1 hidden test (2 points) runs only on Submit" in html
    assert "Check</strong> runs only the visible tests" in html


@pytest.mark.django_db
def test_the_page_shows_no_one_elses_run(
    client, enrolled, exercise, course, fake_run, django_user_model
):
    run = _create(enrolled, exercise, course)
    other = django_user_model.objects.create_user(username="bob", password="x")  # noqa: S106
    from courses.services import enrolment_create

    enrolment_create(learner=other, course=course)
    client.force_login(other)
    page_url = reverse("exercise_page", args=[course.pk, exercise.pk])
    html = client.get(f"{page_url}?run={run.pk}").content.decode()
    assert "Ran your notebook" not in html
    assert client.get(reverse("exercise_run_status", args=[run.pk])).status_code == 404


@pytest.mark.django_db
def test_the_script_gets_the_status_partial_and_polls_it(
    client, enrolled, exercise, course, monkeypatch
):
    monkeypatch.setattr("grading.services.runs.enqueue_run", lambda run_id: None)
    client.force_login(enrolled)
    url = reverse("exercise_run", args=[course.pk, exercise.pk])
    response = client.post(url, _fields(), HTTP_HX_REQUEST="true")
    run = NotebookRun.objects.get()
    assert response.status_code == 202
    html = response.content.decode()
    assert "Queued" in html
    status_url = reverse("exercise_run_status", args=[run.pk])
    assert f'hx-get="{status_url}"' in html
    assert 'hx-trigger="every 1s"' in html

    NotebookRun.objects.filter(pk=run.pk).update(
        status=RunStatus.DONE,
        outputs=[{"cell": 3, "status": "ok", "items": [{"type": "text", "text": "<b>hi</b>"}]}],
    )
    done = client.get(status_url).content.decode()
    assert "hx-get" not in done.split("</div>")[0]  # polling stops
    assert f'id="exercise-{exercise.pk}-run-cell-3" data-run-output hx-swap-oob="true"' in done
    assert "&lt;b&gt;hi&lt;/b&gt;" in done  # learner text is escaped, never HTML


@pytest.mark.django_db
def test_too_many_runs_answer_429_with_the_reason(client, enrolled, exercise, course, monkeypatch):
    monkeypatch.setattr("grading.services.runs.enqueue_run", lambda run_id: None)
    client.force_login(enrolled)
    url = reverse("exercise_run", args=[course.pk, exercise.pk])
    client.post(url, _fields(), HTTP_HX_REQUEST="true")
    response = client.post(url, _fields(), HTTP_HX_REQUEST="true")
    assert response.status_code == 429
    assert "Your previous run is still going" in response.content.decode()
    assert NotebookRun.objects.count() == 1


@pytest.mark.django_db
def test_a_refused_plain_form_keeps_the_answers(client, enrolled, exercise, course, monkeypatch):
    monkeypatch.setattr("grading.services.runs.enqueue_run", lambda run_id: None)
    client.force_login(enrolled)
    url = reverse("exercise_run", args=[course.pk, exercise.pk])
    client.post(url, _fields())
    response = client.post(url, _fields(rice_answer="kept = 1\n"), follow=True)
    html = response.content.decode()
    assert "Your previous run is still going" in html
    assert "kept = 1" in html


@pytest.mark.django_db
def test_not_enrolled_cannot_run(client, learner, exercise, course, fake_run):
    client.force_login(learner)
    url = reverse("exercise_run", args=[course.pk, exercise.pk])
    response = client.post(url, _fields())
    assert response.status_code == 302
    assert response["Location"] == course.url
    scripted = client.post(url, _fields(), HTTP_HX_REQUEST="true")
    assert scripted.status_code == 403
    assert "Enrol in this course to run its exercises." in scripted.content.decode()
    assert NotebookRun.objects.count() == 0


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_log_in(client, exercise, course):
    url = reverse("exercise_run", args=[course.pk, exercise.pk])
    response = client.post(url, _fields())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert NotebookRun.objects.count() == 0


# --- Giving way to grading --------------------------------------------------------------------


def test_a_run_waits_while_submissions_wait_for_a_grader_for_at_most_yield_seconds():
    from grading.services.runs import yield_to_grading

    naps: list[float] = []
    assert yield_to_grading(backlog=lambda: True, sleep=naps.append) == 10.0
    assert sum(naps) == 10.0
    assert yield_to_grading(backlog=lambda: False, sleep=naps.append) == 0.0


@pytest.mark.django_db
def test_a_queued_submission_is_a_grading_backlog(enrolled, exercise, course, monkeypatch):
    from grading.services import submission_create
    from grading.services.runs import grading_backlog

    assert not grading_backlog()
    monkeypatch.setattr("grading.services.submit.enqueue_grading", lambda submission_id: None)
    submission_create(
        learner=enrolled, exercise=exercise, course_page=course, answers=CORRECT, kind="check"
    )
    assert grading_backlog()
