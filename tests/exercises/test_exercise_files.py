"""Data files on exercise revisions, through the services: stored, checked, carried forward."""

import hashlib
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from exercises.files import ExerciseFilesRejected
from exercises.models import Exercise, ExerciseFile, ExerciseRevision
from exercises.services import exercise_create, exercise_revision_create

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "exercises"
RICE = (FIXTURES / "rice_nbgrader_schema4.ipynb").read_bytes()
CSV = b"feature,reach\nSSO,2000\nDark mode,5000\n"

pytestmark = pytest.mark.django_db


def upload(name: str, content: bytes = CSV) -> ContentFile:
    # Not SimpleUploadedFile: it keeps only the last part of a path, as browsers' uploads do.
    return ContentFile(content, name=name)


def files_of(revision: ExerciseRevision) -> list[tuple[str, int, str, bytes]]:
    found = []
    for stored in revision.files.all():
        with stored.file.open("rb") as fh:
            found.append((stored.name, stored.size, stored.sha256, fh.read()))
    return found


def create(**kwargs) -> Exercise:
    return exercise_create(
        title="RICE scoring", data=RICE, filename="rice.ipynb", created_by=None, **kwargs
    )


def test_files_are_stored_with_the_first_revision_in_the_private_storage():
    exercise = create(files=[upload("features.csv"), upload("helpers.py", b"X = 1\n")])

    revision = exercise.revisions.get()
    assert files_of(revision) == [
        ("features.csv", len(CSV), hashlib.sha256(CSV).hexdigest(), CSV),
        ("helpers.py", 6, hashlib.sha256(b"X = 1\n").hexdigest(), b"X = 1\n"),
    ]
    stored = revision.files.first().file
    # A random directory in the private storage, never the exercise's slug or the file's name.
    assert stored.name.startswith("exercises/") and "rice" not in stored.name
    assert "features" not in stored.name
    with pytest.raises(ValueError):
        stored.url  # noqa: B018 - the private storage has no URL


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (
            [".env"],
            "“.env” is a hidden file (its name starts with a dot). Rename it without the dot, or "
            "leave it out.",
        ),
        (
            ["data/sales.csv"],
            "“data/sales.csv” is a path, not a file name. Upload the file itself, without its "
            "folders.",
        ),
        (
            ["my data.csv"],
            "“my data.csv” cannot be an exercise file's name: use at most 100 letters, digits, "
            "dots, hyphens and underscores, starting with a letter or digit (no spaces). Rename "
            "the file and upload it again.",
        ),
        (
            ["sales.csv", "Sales.CSV"],
            "“Sales.CSV” is attached twice (names differing only in capitals count as the same: "
            "a learner's computer may not tell them apart). Attach it once.",
        ),
        (
            ["solution.ipynb"],
            "“solution.ipynb” is a notebook: the release notebook is the exercise's only "
            "notebook. Put what it should share in a .py module or a data file.",
        ),
    ],
)
def test_unsafe_names_are_refused_and_nothing_is_stored(names, message):
    with pytest.raises(ExerciseFilesRejected) as refused:
        create(files=[upload(name) for name in names])

    assert refused.value.problems == [message]
    assert (Exercise.objects.count(), ExerciseRevision.objects.count()) == (0, 0)
    assert ExerciseFile.objects.count() == 0


def test_sizes_and_count_are_checked_before_anything_is_read(settings):
    settings.PMA_GRADING = {
        **settings.PMA_GRADING,
        "EXERCISE_FILES": {"MAX_COUNT": 2, "MAX_FILE_BYTES": 2**20, "MAX_TOTAL_BYTES": 3 * 2**19},
    }
    big = upload("big.csv", b"x" * int(1.2 * 2**20))
    big.file = None  # nothing to read: the checks read names and sizes only

    with pytest.raises(ExerciseFilesRejected) as refused:
        create(files=[big, upload("a.csv", b"y" * int(0.4 * 2**20)), upload("b.csv", b"z")])

    assert refused.value.problems == [
        "“big.csv” is 1.2 MB; each exercise file may be at most 1.0 MB. Make it smaller (a "
        "sample of the data, a compressed image) and upload it again.",
        "This revision would have 3 files; an exercise may have at most 2. Remove some, or "
        "combine them into fewer files.",
        "The exercise files would come to 1.6 MB; together they may be at most 1.5 MB. Remove "
        "or shrink some of them.",
    ]
    assert ExerciseFile.objects.count() == 0 and Exercise.objects.count() == 0


def test_a_new_source_carries_the_files_forward_and_uploads_replace_or_add():
    exercise = create(files=[upload("features.csv"), upload("helpers.py", b"X = 1\n")])
    first = exercise.revisions.get()

    second = exercise_revision_create(
        exercise=exercise, data=RICE, filename="rice-v2.ipynb", uploaded_by=None
    )
    third = exercise_revision_create(
        exercise=exercise,
        data=None,
        filename="",
        uploaded_by=None,
        files=[upload("features.csv", b"feature,reach\nSSO,1\n"), upload("logo.png", b"\x89PNG")],
        remove=["helpers.py"],
    )

    assert [f[0] for f in files_of(second)] == ["features.csv", "helpers.py"]
    # Kept files point at the stored file they had: nothing is copied, nothing changes in place.
    assert [f.file.name for f in second.files.all()] == [f.file.name for f in first.files.all()]
    assert files_of(third) == [
        (
            "features.csv",
            20,
            hashlib.sha256(b"feature,reach\nSSO,1\n").hexdigest(),
            b"feature,reach\nSSO,1\n",
        ),
        ("logo.png", 4, hashlib.sha256(b"\x89PNG").hexdigest(), b"\x89PNG"),
    ]
    # Changing only the files makes a revision of the same source.
    assert (third.number, third.source_sha256, third.original_filename) == (
        3,
        second.source_sha256,
        "rice-v2.ipynb",
    )
    assert [f[0] for f in files_of(first)] == ["features.csv", "helpers.py"]


def test_an_upload_replacing_a_kept_file_counts_once_against_the_limits(settings):
    settings.PMA_GRADING = {
        **settings.PMA_GRADING,
        "EXERCISE_FILES": {"MAX_COUNT": 1, "MAX_FILE_BYTES": 1000, "MAX_TOTAL_BYTES": 1000},
    }
    exercise = create(files=[upload("features.csv")])

    revision = exercise_revision_create(
        exercise=exercise,
        data=None,
        filename="",
        uploaded_by=None,
        files=[upload("features.csv", b"feature\nSSO\n")],
    )

    assert [(f[0], f[3]) for f in files_of(revision)] == [("features.csv", b"feature\nSSO\n")]


def test_an_autotests_yml_that_cannot_be_used_is_refused_on_upload_not_at_validation():
    with pytest.raises(ExerciseFilesRejected) as refused:
        create(files=[upload("autotests.yml", b"python3: [not, a, mapping")])

    assert len(refused.value.problems) == 1
    assert refused.value.problems[0].startswith(
        "“autotests.yml” cannot be used for AUTOTEST lines: autotests.yml"
    )
    assert ExerciseFile.objects.count() == 0


def test_a_usable_autotests_yml_is_stored_whole():
    rules = (
        Path(__file__).resolve().parent.parent / "fixtures" / "exercises" / "rice_autotests.yml"
    ).read_bytes()

    create(files=[upload("autotests.yml", rules)])

    assert ExerciseFile.objects.get(name="autotests.yml").file.read() == rules
