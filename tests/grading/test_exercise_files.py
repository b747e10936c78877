"""Exercise data files end to end: the admin upload, the learner's download, grading with them.

The sales exercise (exercise_files_support) reads `sales.csv` with pandas and imports a helper
module shipped beside it: validated and graded in the sandbox, it scores full marks, and the
files are read-only to the learner's code.
"""

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courses.models import CourseExercise
from exercises.models import Exercise, ExerciseFile, ValidationStatus
from exercises.services import exercise_create, exercise_revision_record_validation
from grading.models import SubmissionStatus
from grading.services import exercise_revision_validate, submission_create, submission_grade
from tests.factories import UserFactory

from .exercise_files_support import (
    HELPERS_PY,
    SALES_CSV,
    SALES_FILES,
    sales_source,
    science_source,
    solved,
)

pytestmark = pytest.mark.django_db


def uploads(files: dict[str, bytes]) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(name, content) for name, content in files.items()]


def sales_exercise(course=None, *, validated: bool = True) -> Exercise:
    exercise = exercise_create(
        title="Sales totals",
        slug="sales",
        data=sales_source(),
        filename="sales.ipynb",
        created_by=None,
        files=uploads(SALES_FILES),
    )
    if validated:
        exercise_revision_record_validation(
            revision=exercise.revisions.get(), report={"valid": True, "problems": []}
        )
        exercise.refresh_from_db()
    if course is not None:
        CourseExercise.objects.create(
            course=course, exercise=exercise, title=exercise.title, max_points=10
        )
    return exercise


# --- the admin ----------------------------------------------------------------------------------


def test_an_instructor_attaches_files_in_the_admin_and_sees_them_on_the_revision(
    client, instructor
):
    client.force_login(instructor)

    response = client.post(
        reverse("exercises:add"),
        {
            "title": "Sales totals",
            "slug": "sales",
            "source_file": SimpleUploadedFile("sales.ipynb", sales_source()),
            "data_files": uploads(SALES_FILES),
        },
    )

    exercise = Exercise.objects.get(slug="sales")
    assert response.status_code == 302
    revision = exercise.revisions.get()
    assert [(f.name, f.size) for f in revision.files.all()] == [
        ("helpers.py", len(HELPERS_PY)),
        ("sales.csv", len(SALES_CSV)),
    ]
    page = client.get(reverse("exercises:inspect", args=[exercise.pk])).content.decode()
    assert "Learners download these files with the notebook" in page
    file_url = reverse("exercises:revision_file", args=[revision.pk, "sales.csv"])
    assert f'href="{file_url}"' in page
    download = client.get(file_url)
    assert download["Content-Disposition"] == 'attachment; filename="sales.csv"'
    assert b"".join(download.streaming_content) == SALES_CSV


def test_a_bad_file_is_refused_on_the_form_and_nothing_is_stored(client, instructor):
    client.force_login(instructor)

    response = client.post(
        reverse("exercises:add"),
        {
            "title": "Sales totals",
            "slug": "sales",
            "source_file": SimpleUploadedFile("sales.ipynb", sales_source()),
            "data_files": [SimpleUploadedFile(".secrets", b"x"), *uploads(SALES_FILES)],
        },
    )

    assert response.status_code == 200
    assert (
        "“.secrets” is a hidden file (its name starts with a dot). Rename it without the dot, "
        "or leave it out." in response.content.decode()
    )
    assert not Exercise.objects.exists() and not ExerciseFile.objects.exists()


def test_editing_removes_and_adds_files_in_a_new_revision_of_the_same_source(
    client, instructor, django_capture_on_commit_callbacks
):
    exercise = sales_exercise()
    client.force_login(instructor)

    with django_capture_on_commit_callbacks() as validation:
        response = client.post(
            reverse("exercises:edit", args=[exercise.pk]),
            {
                "title": "Sales totals",
                "slug": "sales",
                "remove_files": ["helpers.py"],
                "data_files": [SimpleUploadedFile("regions.csv", b"region\nnorth\n")],
            },
        )

    assert response.status_code == 302
    first, second = exercise.revisions.order_by("number")
    assert [f.name for f in second.files.all()] == ["regions.csv", "sales.csv"]
    assert second.source_sha256 == first.source_sha256
    assert second.validation_status == ValidationStatus.PENDING and len(validation) == 1
    # Learners keep the validated revision until the new one validates.
    exercise.refresh_from_db()
    assert exercise.current_revision == first


# --- the learner's download ---------------------------------------------------------------------


def test_an_enrolled_learner_downloads_the_notebook_and_its_files_in_one_zip(
    client, course, enrolled
):
    exercise = sales_exercise(course)
    client.force_login(enrolled)

    response = client.get(reverse("exercise_release", args=[course.pk, exercise.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="sales.zip"'
    assert response["Content-Type"] == "application/zip"
    bundle = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert bundle.namelist() == ["sales/sales.ipynb", "sales/helpers.py", "sales/sales.csv"]
    assert bundle.read("sales/sales.csv") == SALES_CSV
    release = json.loads(bundle.read("sales/sales.ipynb"))
    assert "BEGIN SOLUTION" not in json.dumps(release)
    assert release == json.loads(exercise.current_revision.release.read())


def test_a_learner_not_enrolled_gets_neither_notebook_nor_files(client, course):
    exercise = sales_exercise(course)
    client.force_login(UserFactory(certificate_name="Not Enrolled"))

    response = client.get(reverse("exercise_release", args=[course.pk, exercise.pk]))

    assert response.status_code == 302 and response["Location"] == course.url
    assert not getattr(response, "streaming", False)


# --- grading with the files, in the sandbox -----------------------------------------------------


@pytest.mark.sandbox
def test_a_csv_read_with_pandas_validates_and_grades_full_marks(course, enrolled):
    exercise = sales_exercise(course, validated=False)

    revision = exercise_revision_validate(revision=exercise.revisions.get())

    assert revision.validation_status == ValidationStatus.VALID, revision.validation_report
    assert revision.validation_report["reference"]["score"] in (2, 2.0, "2")
    exercise.refresh_from_db()
    submission = submission_create(
        learner=enrolled,
        exercise=exercise,
        course_page=course,
        data=solved(sales_source()),
        answers=None,
        kind="submit",
    )
    graded = submission_grade(submission_id=submission.pk, worker="w1")
    assert graded.status == SubmissionStatus.GRADED, graded.failure_reason
    assert (graded.score, graded.max_score) == (2, 2)


@pytest.mark.sandbox
def test_numpy_scipy_and_a_saved_plot_grade_full_marks(course, enrolled):
    exercise = exercise_create(
        title="Weighted scores", data=science_source(), filename="science.ipynb", created_by=None
    )

    revision = exercise_revision_validate(revision=exercise.revisions.get())

    assert revision.validation_status == ValidationStatus.VALID, revision.validation_report
    CourseExercise.objects.create(course=course, exercise=exercise, title="w", max_points=10)
    exercise.refresh_from_db()
    submission = submission_create(
        learner=enrolled,
        exercise=exercise,
        course_page=course,
        data=solved(science_source()),
        answers=None,
        kind="submit",
    )
    graded = submission_grade(submission_id=submission.pk, worker="w1")
    assert graded.status == SubmissionStatus.GRADED, graded.failure_reason
    assert (graded.score, graded.max_score) == (3, 3)
