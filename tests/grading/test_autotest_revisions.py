"""nbgrader AUTOTEST exercises through the services and the command line: validation in the
sandbox instantiates the tests, the release learners download holds them, submissions are graded
by them."""

import io
import json
import shutil

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from courses.models import CourseExercise
from exercises.files import ExerciseFilesRejected
from exercises.format import load_notebook_bytes, parse_points, parse_source, release_notebook
from exercises.models import ExerciseFile, ValidationStatus
from exercises.services import exercise_create
from grading.services import (
    exercise_revision_validate,
    release_notebook_of,
    submission_create,
    submission_grade,
)

from .submissions_support import FIXTURES

SOURCE = FIXTURES / "exercises" / "rice_autotest.ipynb"
RULES = FIXTURES / "exercises" / "rice_autotests.yml"
#: RICE without confidence: 1000 for SSO instead of 800, so SSO also becomes a must-have.
WRONG_RICE = (
    "def rice_score(reach, impact, confidence, effort):\n    return reach * impact / effort"
)
PRIORITIES = """def score(feature):
    return rice_score(feature["reach"], feature["impact"], feature["confidence"], feature["effort"])

top_feature = max(backlog, key=score)["name"]
must_haves = sorted(f["name"] for f in backlog if score(f) >= 1000)
"""
WRONG = {"rice_answer": WRONG_RICE, "priorities_answer": PRIORITIES}


def _cells(revision) -> dict[str, str]:
    return {
        cell["metadata"]["nbgrader"]["grade_id"]: "".join(cell["source"])
        for cell in release_notebook_of(revision=revision)["cells"]
    }


@pytest.mark.sandbox
@pytest.mark.django_db
def test_an_autotest_exercise_grades_with_the_tests_its_release_shows(enrolled, course):
    exercise = exercise_create(
        title="RICE, checked by AUTOTEST",
        data=SOURCE.read_bytes(),
        filename="rice_autotest.ipynb",
        created_by=None,
    )
    assert _cells(exercise.revisions.get())["rice_autotest"].endswith(
        "### AUTOTEST rice_score(2000, 2, 0.8, 4); rice_score(300, 3, 0.8, 3)"
    )

    revision = exercise_revision_validate(revision=exercise.revisions.get())

    assert revision.validation_status == ValidationStatus.VALID, revision.problems
    assert [entry["cell"] for entry in revision.validation_report["autotests"]] == [5, 6, 7]
    released = _cells(revision)
    assert "AUTOTEST" not in released["rice_autotest"]
    assert (
        'assert str(round(rice_score(2000, 2, 0.8, 4), 2)) == """800.0"""'
        in (released["rice_autotest"])
    )
    assert "sha1(" in released["top_hashed"] and "Dark mode" not in released["top_hashed"]
    assert "BEGIN HIDDEN" not in released["must_hidden"]

    exercise.refresh_from_db()
    CourseExercise.objects.create(
        course=course, exercise=exercise, title=exercise.title, max_points=4
    )
    submission = submission_create(
        learner=enrolled, exercise=exercise, course_page=course, answers=WRONG, kind="submit"
    )
    graded = submission_grade(submission_id=submission.pk, worker="w")

    assert (graded.status, graded.score, graded.max_score) == ("graded", 1, 4)
    assert {t["grade_id"]: t["message"] for t in graded.report["tests"]} == {
        "rice_autotest": "AssertionError: value of rice_score(2000, 2, 0.8, 4) is not correct "
        "(rounded to 2 decimal places)",
        "top_hashed": "",
        "must_hidden": "AssertionError: length of must_haves is not correct",
    }


@pytest.mark.sandbox
def test_grade_command_uses_the_autotests_yml_beside_the_source(tmp_path):
    shutil.copy(SOURCE, tmp_path / "rice_autotest.ipynb")
    shutil.copy(RULES, tmp_path / "autotests.yml")
    source = parse_source(load_notebook_bytes(SOURCE.read_bytes(), max_bytes=2**21))
    learner = release_notebook(source)
    for cell in learner.cells:
        cell.source = WRONG.get(cell.metadata["nbgrader"]["grade_id"], cell.source)
    (tmp_path / "learner.ipynb").write_text(json.dumps(learner), encoding="utf-8")
    out = io.StringIO()

    call_command(
        "grade",
        str(tmp_path / "rice_autotest.ipynb"),
        str(tmp_path / "learner.ipynb"),
        "--json",
        "--seed",
        "1",
        stdout=out,
    )

    report = json.loads(out.getvalue())
    assert (parse_points(report["score"]), parse_points(report["max_score"])) == (1, 4)
    assert {t["grade_id"]: t["message"] for t in report["tests"]} == {
        "rice_autotest": "AssertionError: rice_score(2000, 2, 0.8, 4) is not the RICE score "
        "(reach × impact × confidence ÷ effort)",
        "top_hashed": "",
        "must_hidden": "AssertionError: must_haves is not what the backlog gives",
    }


def _with_rules(rules: bytes):
    return exercise_create(
        title="RICE, checked by AUTOTEST",
        data=SOURCE.read_bytes(),
        filename="rice_autotest.ipynb",
        created_by=None,
        files=[SimpleUploadedFile("autotests.yml", rules)],
    )


@pytest.mark.sandbox
@pytest.mark.django_db
def test_the_exercises_autotests_yml_file_makes_its_tests():
    exercise = _with_rules(RULES.read_bytes())

    revision = exercise_revision_validate(revision=exercise.revisions.get())

    assert revision.validation_status == ValidationStatus.VALID, revision.problems
    assert (
        'assert str(round(rice_score(2000, 2, 0.8, 4), 1)) == """800.0""", """rice_score(2000, 2, '
        '0.8, 4) is not the RICE score (reach × impact × confidence ÷ effort)"""'
    ) in _cells(revision)["rice_autotest"]


@pytest.mark.django_db
def test_an_autotests_yml_that_is_not_yaml_is_reported_before_any_kernel_runs():
    # The upload form refuses such a file (exercises.files); one stored before that check, or
    # written to storage by other means, is still reported by validation.
    with pytest.raises(ExerciseFilesRejected):
        _with_rules(b"python3: [unclosed")
    exercise = _with_rules(RULES.read_bytes())
    stored = ExerciseFile.objects.get(name="autotests.yml")
    stored.file.save("autotests.yml", ContentFile(b"python3: [unclosed"), save=True)

    revision = exercise_revision_validate(revision=exercise.revisions.get())

    assert revision.validation_status == ValidationStatus.INVALID
    assert [p["text"] for p in revision.problems] == [
        "Notebook: autotests.yml is not valid YAML (line 1): expected ',' or ']', but got "
        "'<stream end>'. Fix: correct the YAML; nbgrader's default autotests.yml shows the layout."
    ]
