"""The grade and validate_exercise commands keep their exit-code contract whatever they are fed."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
EXERCISES = ROOT / "tests" / "fixtures" / "exercises"
NOTEBOOKS = ROOT / "tests" / "fixtures" / "notebooks"
SOURCE = EXERCISES / "rice_nbgrader_schema4.ipynb"


def manage(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.sandbox
def test_grade_json_prints_exactly_one_object_and_exits_0():
    done = manage(
        "grade", str(SOURCE), str(NOTEBOOKS / "rice_partial_credit.ipynb"), "--json", "--seed", "3"
    )

    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["score"], report["max_score"], report["status"], report["seed"]) == (
        1.5,
        6.0,
        "graded",
        3,
    )
    assert [
        (t["grade_id"], t["points"], t["max_points"], t["status"], t["sealed"])
        for t in report["tests"]
    ] == [
        ("rice_tests", 0.0, 2.0, "failed", True),
        ("rank_tests", 1.5, 3.0, "partial", True),
        ("explain_answer", 0.0, 1.0, "needs_review", False),
    ]
    assert all("message" in t for t in report["tests"])
    assert report["flags"] == []


@pytest.mark.sandbox
def test_grade_human_summary_for_a_crashing_submission_still_exits_0():
    done = manage("grade", str(SOURCE), str(NOTEBOOKS / "rice_sys_exit.ipynb"), "--seed", "3")

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("crashed: 0 / 6 points (submit)\n")
    assert "  not run  rice_tests" in done.stdout


@pytest.mark.parametrize(
    ("source", "submission", "reason"),
    [
        (SOURCE, NOTEBOOKS / "upload_not_json.ipynb", "Invalid submission"),
        (SOURCE, NOTEBOOKS / "upload_nbformat3.ipynb", "format version 3"),
        (SOURCE, NOTEBOOKS / "does_not_exist.ipynb", "Cannot read the submission"),
        (
            NOTEBOOKS / "upload_json_list.ipynb",
            NOTEBOOKS / "rice_partial_credit.ipynb",
            "Invalid source notebook",
        ),
        (
            EXERCISES / "invalid_duplicate_grade_ids.ipynb",
            NOTEBOOKS / "rice_partial_credit.ipynb",
            "Invalid source notebook",
        ),
    ],
)
def test_invalid_input_exits_2_with_one_line_and_no_traceback(source, submission, reason, capsys):
    with pytest.raises(SystemExit) as caught:
        call_command("grade", str(source), str(submission), "--json")

    out, err = capsys.readouterr()
    assert caught.value.code == 2
    assert out == ""
    assert reason in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_invalid_submission_exits_2_from_the_command_line():
    done = manage("grade", str(SOURCE), str(NOTEBOOKS / "upload_json_list.ipynb"), "--json")

    assert done.returncode == 2
    assert done.stdout == ""
    # The reason is the last line; other apps' start-up warnings may come before it.
    assert done.stderr.strip().splitlines()[-1] == (
        f"Invalid submission {NOTEBOOKS / 'upload_json_list.ipynb'}: The file holds a JSON array, not a notebook; "
        "upload the .ipynb file saved by Jupyter."
    )
    assert "Traceback" not in done.stderr


def test_internal_failure_exits_1(monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise RuntimeError("kernel pool is gone")

    monkeypatch.setattr("grading.management.commands.grade.grade_submission", broken)
    monkeypatch.setattr(
        "grading.management.commands.grade.judge_fallback_tests", lambda *a, **k: frozenset()
    )
    monkeypatch.setattr(
        "grading.management.commands._engine_cli.ColdKernels", lambda *a, **k: _NoKernels()
    )

    with pytest.raises(SystemExit) as caught:
        call_command("grade", str(SOURCE), str(NOTEBOOKS / "rice_partial_credit.ipynb"), "--json")

    assert caught.value.code == 1
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith("Grading failed: RuntimeError: kernel pool is gone")
    )


class _NoKernels:
    def acquire(self):
        raise AssertionError("not reached")

    def close(self):
        return None


@pytest.mark.sandbox
def test_validate_exercise_exit_codes():
    valid = manage("validate_exercise", str(EXERCISES / "rice_sealed.ipynb"), "--json")
    invalid = manage("validate_exercise", str(EXERCISES / "invalid_duplicate_grade_ids.ipynb"))

    assert valid.returncode == 0, valid.stderr
    assert json.loads(valid.stdout)["valid"] is True
    assert invalid.returncode == 2
    assert invalid.stdout == (
        "invalid: 2 problem(s)\n"
        "  - Cell 5 ('rice_tests'): it is graded but its points are None, not a number. Fix: set the points in "
        "nbgrader's toolbar to a number such as 1.\n"
        "  - Cell 7 ('rice_answer'): its grade_id is also used by cell 4; learners' answers are matched by "
        "grade_id. Fix: give every nbgrader cell a different grade_id.\n"
    )


@pytest.mark.sandbox
def test_grade_sends_the_tests_the_judge_cannot_run_to_the_kernel_as_validation_does(tmp_path):
    """One test replaces the learner's helper with a function of its own, which cannot cross to the
    judge; the site grades it in the learner's kernel (validation's list), and so does the command."""
    import nbformat

    from exercises.format import parse_source
    from grading.engine.validate import solution_notebook

    source_path = EXERCISES / "helper_use_checked_by_deleting_it.ipynb"
    solution = solution_notebook(parse_source(nbformat.read(source_path, as_version=4)))
    submission = tmp_path / "solution.ipynb"
    nbformat.write(solution, submission)

    done = manage("grade", str(source_path), str(submission), "--json", "--seed", "1")

    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["score"], report["max_score"]) == (5, 5)
    assert {t["grade_id"]: t["sealed"] for t in report["tests"]}[
        "order_total_with_a_stand_in"
    ] is False


@pytest.mark.sandbox
def test_grade_and_validate_give_the_kernels_the_data_files_named_with_file(tmp_path):
    from tests.grading.exercise_files_support import SALES_FILES, sales_source, solved

    source = tmp_path / "sales.ipynb"
    source.write_bytes(sales_source())
    submission = tmp_path / "answer.ipynb"
    submission.write_bytes(solved(sales_source()))
    files = []
    for name, data in SALES_FILES.items():
        (tmp_path / name).write_bytes(data)
        files += ["--file", str(tmp_path / name)]

    graded = manage("grade", str(source), str(submission), "--json", "--seed", "1", *files)
    validated = manage("validate_exercise", str(source), "--json", *files)
    without = manage("grade", str(source), str(submission), "--json", "--seed", "1")

    assert graded.returncode == 0, graded.stderr
    report = json.loads(graded.stdout)
    assert report["score"] == report["max_score"] > 0
    assert validated.returncode == 0, validated.stderr
    assert json.loads(validated.stdout)["valid"] is True
    assert json.loads(without.stdout)["score"] == 0


def test_a_data_file_the_admin_would_refuse_is_refused_by_the_commands(tmp_path):
    hidden = tmp_path / ".env"
    hidden.write_text("SECRET=1")

    done = manage(
        "grade", str(SOURCE), str(NOTEBOOKS / "rice_partial_credit.ipynb"), "--file", str(hidden)
    )

    assert done.returncode == 2
    assert done.stderr.startswith("Invalid data files:")
    assert "Traceback" not in done.stderr
