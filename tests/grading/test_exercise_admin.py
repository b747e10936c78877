"""Exercises in the Wagtail admin: upload, revisions, validation through the real sandbox."""

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from exercises.models import Exercise, ExerciseRevision, ValidationStatus
from exercises.services import ExerciseSourceRejected, exercise_create, exercise_revision_create
from grading.services import exercise_revision_validate

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "exercises"
RICE = (FIXTURES / "rice_nbgrader_schema4.ipynb").read_bytes()


def broken_rice() -> bytes:
    """The RICE source with a test the reference solution fails."""
    nb = json.loads(RICE)
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "rice_tests":
            cell["source"] = (
                'assert rice_score(2000, 2, 0.8, 4) == 801, "rice score for SSO is wrong"\n'
            )
    return json.dumps(nb).encode()


@pytest.mark.django_db
def test_create_stores_a_pending_revision_with_its_release_and_structure(instructor):
    exercise = exercise_create(
        title="RICE scoring", data=RICE, filename="rice.ipynb", created_by=instructor
    )

    revision = exercise.revisions.get()
    assert (exercise.slug, revision.number, revision.origin) == ("rice-scoring", 1, "nbgrader")
    assert revision.validation_status == ValidationStatus.PENDING
    assert revision.max_score == 6.0
    assert [(c["grade_id"], c["points"]) for c in revision.tests] == [
        ("rice_tests", 2.0),
        ("rank_tests", 3.0),
        ("explain_answer", 1.0),
    ]
    release = revision.release.read().decode()
    assert "BEGIN SOLUTION" not in release
    assert "Dark mode scores highest" not in release
    assert exercise.current_revision is None and not exercise.is_ready


@pytest.mark.django_db
def test_bad_upload_is_refused_and_writes_nothing(instructor):
    with pytest.raises(ExerciseSourceRejected) as excinfo:
        exercise_create(
            title="Broken",
            data=b"\xff\xfe not a notebook",
            filename="x.ipynb",
            created_by=instructor,
        )

    assert "UTF-8" in str(excinfo.value)
    assert Exercise.objects.count() == 0 and ExerciseRevision.objects.count() == 0


@pytest.mark.sandbox
@pytest.mark.django_db
def test_validation_makes_a_valid_revision_current_and_a_broken_fix_does_not_replace_it(instructor):
    exercise = exercise_create(
        title="RICE scoring", data=RICE, filename="rice.ipynb", created_by=instructor
    )
    first = exercise_revision_validate(revision=exercise.revisions.get())

    assert first.validation_status == ValidationStatus.VALID
    assert (
        first.validation_report["reference"]["score"] == 5.0
    )  # the markdown answer is graded by hand
    exercise.refresh_from_db()
    assert exercise.current_revision == first and exercise.is_ready

    second = exercise_revision_create(
        exercise=exercise, data=broken_rice(), filename="rice-v2.ipynb", uploaded_by=instructor
    )
    second = exercise_revision_validate(revision=second)

    assert (second.number, second.validation_status) == (2, ValidationStatus.INVALID)
    assert any("reference solution scores 0 of 2 points" in p["text"] for p in second.problems)
    exercise.refresh_from_db()
    assert exercise.current_revision == first


@pytest.mark.sandbox
@pytest.mark.django_db
def test_instructor_uploads_in_the_admin_and_reads_the_validation_report(
    client, instructor, password, django_capture_on_commit_callbacks
):
    client.force_login(instructor)
    upload = SimpleUploadedFile("rice.ipynb", RICE, content_type="application/x-ipynb+json")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("exercises:add"),
            {
                "title": "RICE scoring",
                "slug": "rice",
                "instructions": "Score the backlog.",
                "source_file": upload,
            },
        )

    exercise = Exercise.objects.get(slug="rice")
    assert response.status_code == 302 and response["Location"] == reverse(
        "exercises:inspect", args=[exercise.pk]
    )
    page = client.get(response["Location"]).content.decode()
    assert "Learners are graded against <strong>revision 1</strong>" in page
    assert "rank_tests" in page and "Download release notebook" in page

    revision = exercise.revisions.get()
    download = client.get(reverse("exercises:revision_release", args=[revision.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="rice-r1-release.ipynb"'


@pytest.mark.django_db
def test_admin_form_shows_the_problems_of_an_invalid_source_and_stores_nothing(client, instructor):
    client.force_login(instructor)
    nb = json.loads(RICE)
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "rank_tests":
            cell["metadata"]["nbgrader"]["grade_id"] = "rice_tests"  # a duplicate grade_id
    upload = SimpleUploadedFile("dup.ipynb", json.dumps(nb).encode())

    response = client.post(
        reverse("exercises:add"), {"title": "Dup", "slug": "dup", "source_file": upload}
    )

    assert response.status_code == 200
    assert "rice_tests" in response.content.decode() and "grade_id" in response.content.decode()
    assert not Exercise.objects.exists()


@pytest.mark.django_db
def test_oversized_source_is_refused_before_parsing(client, instructor, settings):
    settings.PMA_GRADING = {**settings.PMA_GRADING, "MAX_SOURCE_BYTES": 1024}
    client.force_login(instructor)
    upload = SimpleUploadedFile("big.ipynb", b"{" + b" " * 4096 + b"}")

    response = client.post(
        reverse("exercises:add"), {"title": "Big", "slug": "big", "source_file": upload}
    )

    assert "exercise sources may be at most" in response.content.decode()
    assert not Exercise.objects.exists()


@pytest.mark.django_db
def test_learners_reach_neither_the_exercise_admin_nor_its_downloads(client, learner, instructor):
    exercise = exercise_create(
        title="RICE scoring", data=RICE, filename="rice.ipynb", created_by=instructor
    )
    client.force_login(learner)

    assert client.get(reverse("exercises:index"))["Location"] == reverse("dashboard")
    revision = exercise.revisions.get()
    assert client.get(reverse("exercises:revision_source", args=[revision.pk])).status_code == 302
