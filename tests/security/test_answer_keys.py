"""Answer keys stay private (issue 15): source notebooks hold every solution, hidden test and
sealed-check generator, and once lay at /media/exercises/<slug>/r<N>-source.ipynb.

The HTTP tests run with a URL map that serves MEDIA_ROOT at /media/ before the site's own
URLs, as the development server and a proxy that follows docs/operations.md do: whatever lies in
MEDIA_ROOT is public. Each file is stored under a temporary media and private root of its own.
"""

import importlib
import json
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.urls import re_path, reverse
from django.views.static import serve

from config import urls as project_urls
from exercises.answer_keys import check_answer_keys_are_not_served, revision_files_move
from exercises.format import load_notebook_bytes, parse_source, release_notebook
from exercises.models import ExerciseRevision
from exercises.services import exercise_revision_create
from tests.factories import UserFactory
from tests.grading.submissions_support import RICE
from tests.ops.conftest import production_env, production_settings

ROOT = Path(__file__).resolve().parent.parent.parent
# What the RICE source holds and no learner may read: a solution, a hidden test, a model answer.
SECRETS = [
    "return reach * impact * confidence / effort",
    "rice_score(10, 1, 1, 0)",
    "Dark mode scores highest",
]
PRIVATE_NAME = re.compile(r"^exercises/[A-Za-z0-9_-]{24}/(source|release)\.ipynb$")
OLD_SOURCE, OLD_RELEASE = "exercises/rice/r1-source.ipynb", "exercises/rice/r1-rice.ipynb"


def _serve_media(request, path):
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [re_path(r"^media/(?P<path>.*)$", _serve_media), *project_urls.urlpatterns]
media_served = pytest.mark.urls(__name__)


@pytest.fixture(autouse=True)
def roots(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PMA_PRIVATE_ROOT = tmp_path / "private"
    return SimpleNamespace(media=tmp_path / "media", private=tmp_path / "private")


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def stored_release(revision) -> bytes:
    with revision.release.open("rb") as fh:
        return fh.read()


def cells(notebook: bytes) -> list[tuple[str | None, str]]:
    """(grade_id, source) of each cell: a release's content without its fresh cell ids."""
    return [
        (c["metadata"].get("nbgrader", {}).get("grade_id"), c["source"])
        for c in json.loads(notebook)["cells"]
    ]


#: The release of the RICE source, as exercises.format makes it.
RELEASE_CELLS = cells(
    json.dumps(
        release_notebook(parse_source(load_notebook_bytes(RICE, max_bytes=len(RICE))))
    ).encode()
)


@pytest.fixture
def revision(exercise):
    return exercise.current_revision


@pytest.fixture
def outsider(db):
    return UserFactory(certificate_name="Not Enrolled")


@pytest.fixture
def staff_without_exercise_rights(db):
    user = UserFactory(certificate_name="Page Editor")
    group = Group.objects.create(name="Page editors")
    group.permissions.add(
        Permission.objects.get(codename="access_admin", content_type__app_label="wagtailadmin")
    )
    user.groups.add(group)
    return user


def with_old_layout(revision, roots) -> None:
    """The revision as stored before issue 15: both files in public media under the slug, and
    nothing in the private storage."""
    storages["default"].save(OLD_SOURCE, ContentFile(RICE))
    storages["default"].save(OLD_RELEASE, ContentFile(stored_release(revision)))
    revision.source.delete(save=False)
    revision.release.delete(save=False)
    ExerciseRevision.objects.filter(pk=revision.pk).update(source=OLD_SOURCE, release=OLD_RELEASE)
    revision.refresh_from_db()
    assert files_under(roots.private) == []


# Where the files are


def test_source_and_release_are_stored_under_the_private_root_with_random_names(
    exercise, revision, roots
):
    assert PRIVATE_NAME.match(revision.source.name) and PRIVATE_NAME.match(revision.release.name)
    assert revision.source.name.endswith("/source.ipynb") and revision.release.name.endswith(
        "/release.ipynb"
    )
    assert "rice" not in revision.source.name.removesuffix("/source.ipynb")
    assert Path(revision.source.path) == roots.private / revision.source.name
    assert Path(revision.source.path).read_bytes() == RICE
    assert cells(Path(revision.release.path).read_bytes()) == RELEASE_CELLS
    assert files_under(roots.private) == sorted([revision.source.name, revision.release.name])
    assert files_under(roots.media) == []


def test_each_upload_gets_new_random_directories(exercise, revision):
    second = exercise_revision_create(
        exercise=exercise, data=RICE, filename="rice.ipynb", uploaded_by=None
    )

    directories = {
        Path(f.name).parent
        for f in (revision.source, revision.release, second.source, second.release)
    }
    assert len(directories) == 4


def test_a_private_file_has_no_url(revision):
    with pytest.raises(ValueError, match="not accessible via a URL"):
        revision.source.url  # noqa: B018
    with pytest.raises(ValueError, match="not accessible via a URL"):
        revision.release.url  # noqa: B018


@media_served
def test_media_serves_none_of_them_to_anyone(client, exercise, revision, learner, roots):
    # The URL map does serve media: an image rendition there is public, as it should be.
    storages["default"].save("images/logo.width-96.png", ContentFile(b"\x89PNG logo"))
    assert (
        b"".join(client.get("/media/images/logo.width-96.png").streaming_content) == b"\x89PNG logo"
    )

    paths = [
        f"/media/{OLD_SOURCE}",
        f"/media/{OLD_RELEASE}",
        f"/media/{revision.source.name}",
        f"/media/{revision.release.name}",
    ]
    assert [client.get(path).status_code for path in paths] == [404, 404, 404, 404]
    client.force_login(learner)
    assert [client.get(path).status_code for path in paths] == [404, 404, 404, 404]


# Who reads them, through which view


def test_staff_download_the_source_from_the_exercise_admin(client, instructor, revision):
    client.force_login(instructor)
    response = client.get(reverse("exercises:revision_source", args=[revision.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="rice-r1-source.ipynb"'
    assert response["Content-Type"] == "application/x-ipynb+json"
    assert b"".join(response.streaming_content) == RICE


def test_the_source_download_is_refused_to_everyone_else(
    client, revision, learner, staff_without_exercise_rights
):
    url = reverse("exercises:revision_source", args=[revision.pk])

    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"] == f"{reverse('wagtailadmin_login')}?next={url}"

    client.force_login(learner)
    no_admin = client.get(url)
    assert no_admin.status_code == 302 and no_admin["Location"] == reverse("dashboard")

    client.force_login(staff_without_exercise_rights)
    no_permission = client.get(url)
    assert no_permission.status_code == 302 and no_permission["Location"] == reverse(
        "wagtailadmin_home"
    )
    for response in (anonymous, no_admin, no_permission):
        assert not getattr(response, "streaming", False)


def test_an_enrolled_learner_downloads_the_release_without_any_answer(
    client, course, exercise, revision, learner
):
    client.force_login(learner)
    response = client.get(reverse("exercise_release", args=[course.pk, exercise.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="rice.ipynb"'
    content = b"".join(response.streaming_content)
    assert content == stored_release(revision)
    by_id = dict(cells(content))
    assert by_id["rice_answer"] == (
        'def rice_score(reach, impact, confidence, effort):\n    """RICE = reach x impact x confidence / effort."""\n'
        "    # YOUR CODE HERE\n    raise NotImplementedError()"
    )
    assert by_id["rice_tests"] == (
        "assert rice_score(2000, 2, 0.8, 4) == 800, \"rice score for 'SSO' is wrong\"\n"
        "assert rice_score(5000, 0.5, 1.0, 2) == 1250, \"rice score for 'Dark mode' is wrong\""
    )
    assert by_id["explain_answer"] == "YOUR ANSWER HERE"
    assert cells(content) == RELEASE_CELLS
    assert [secret for secret in SECRETS if secret in content.decode()] == []
    assert [secret for secret in SECRETS if secret in RICE.decode()] == SECRETS


def test_a_learner_not_enrolled_gets_no_release(client, course, exercise, outsider):
    # Like the exercise page: sent to the course page to enrol, with nothing of the notebook.
    client.force_login(outsider)
    response = client.get(reverse("exercise_release", args=[course.pk, exercise.pk]))

    assert response.status_code == 302 and response["Location"] == course.url
    assert not getattr(response, "streaming", False)


def test_no_code_or_template_asks_for_an_exercise_file_url():
    pattern = re.compile(r"\b(source|release)\.url\b")
    folders = [
        "accounts",
        "bench",
        "certificates",
        "courses",
        "exercises",
        "grading",
        "ops",
        "templates",
    ]
    offenders = sorted(
        f"{path.relative_to(ROOT)}:{number}"
        for folder in folders
        for path in (ROOT / folder).rglob("*")
        if path.suffix in {".py", ".html", ".txt"}
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
        if pattern.search(line)
    )
    assert offenders == []


# Moving what was stored before


@media_served
def test_the_move_takes_old_files_out_of_media_under_new_names(
    client, revision, roots, django_capture_on_commit_callbacks
):
    with_old_layout(revision, roots)
    assert b"".join(client.get(f"/media/{OLD_SOURCE}").streaming_content) == RICE  # the issue

    with django_capture_on_commit_callbacks(execute=True):
        moved = revision_files_move(
            revisions=ExerciseRevision.objects.order_by("pk"),
            source=storages["default"],
            target=storages["private"],
        )

    revision.refresh_from_db()
    assert moved.moved == {OLD_SOURCE: revision.source.name, OLD_RELEASE: revision.release.name}
    assert (moved.already_there, moved.missing) == ([], [])
    assert PRIVATE_NAME.match(revision.source.name) and PRIVATE_NAME.match(revision.release.name)
    assert (roots.private / revision.source.name).read_bytes() == RICE
    assert cells((roots.private / revision.release.name).read_bytes()) == RELEASE_CELLS
    assert files_under(roots.media) == []
    assert client.get(f"/media/{OLD_SOURCE}").status_code == 404


def test_the_move_keeps_old_files_until_the_transaction_commits(
    revision, roots, django_capture_on_commit_callbacks
):
    with_old_layout(revision, roots)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        revision_files_move(
            revisions=[revision], source=storages["default"], target=storages["private"]
        )

    assert files_under(roots.media) == [OLD_RELEASE, OLD_SOURCE]
    assert len(callbacks) == 1


def test_the_move_tolerates_missing_files_and_skips_files_already_private(
    exercise, revision, roots, django_capture_on_commit_callbacks
):
    already_private = (revision.source.name, revision.release.name)
    lost = exercise_revision_create(
        exercise=exercise, data=RICE, filename="rice.ipynb", uploaded_by=None
    )
    ExerciseRevision.objects.filter(pk=lost.pk).update(
        source="exercises/rice/r2-source.ipynb", release=""
    )

    with django_capture_on_commit_callbacks(execute=True):
        moved = revision_files_move(
            revisions=ExerciseRevision.objects.order_by("pk"),
            source=storages["default"],
            target=storages["private"],
        )

    assert moved.moved == {}
    assert moved.already_there == list(already_private)
    assert moved.missing == ["exercises/rice/r2-source.ipynb"]
    lost.refresh_from_db()
    assert (lost.source.name, lost.release.name) == ("exercises/rice/r2-source.ipynb", "")
    revision.refresh_from_db()
    assert (revision.source.name, revision.release.name) == already_private


def test_the_migration_moves_from_public_media_to_the_private_storage(
    revision, roots, django_capture_on_commit_callbacks
):
    migration = importlib.import_module("exercises.migrations.0004_keep_answer_keys_private")
    with_old_layout(revision, roots)

    with django_capture_on_commit_callbacks(execute=True):
        migration.move_to_private_storage(
            apps, SimpleNamespace(connection=SimpleNamespace(alias="default"))
        )

    revision.refresh_from_db()
    assert files_under(roots.media) == []
    assert files_under(roots.private) == sorted([revision.source.name, revision.release.name])
    assert (roots.private / revision.source.name).read_bytes() == RICE


# Configuration


def test_the_check_refuses_a_private_root_inside_media(settings, roots):
    assert check_answer_keys_are_not_served() == []

    settings.PMA_PRIVATE_ROOT = roots.media / "private"
    assert [e.id for e in check_answer_keys_are_not_served()] == ["exercises.E002"]

    settings.STORAGES = {k: v for k, v in settings.STORAGES.items() if k != "private"}
    assert [e.id for e in check_answer_keys_are_not_served()] == ["exercises.E001"]


def test_production_keeps_answer_keys_in_a_private_prefix_with_no_cdn(tmp_path):
    production = production_settings(
        tmp_path,
        ["STORAGES", "PMA_PRIVATE_ROOT", "MEDIA_ROOT"],
        PMA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="pma-uploads",
        AWS_S3_REGION_NAME="eu-west-1",
    )

    private = production["STORAGES"]["private"]
    assert private["BACKEND"] == "exercises.answer_keys_s3.PrivateS3Storage"
    assert (private["OPTIONS"]["bucket_name"], private["OPTIONS"]["location"]) == (
        "pma-uploads",
        "private",
    )
    assert private["OPTIONS"]["custom_domain"] is None
    assert private["OPTIONS"]["default_acl"] is None
    assert private["OPTIONS"]["region_name"] == "eu-west-1"

    local = production_settings(tmp_path, ["STORAGES", "PMA_PRIVATE_ROOT", "MEDIA_ROOT"])
    assert local["STORAGES"]["private"] == {
        "BACKEND": "exercises.answer_keys.PrivateFileSystemStorage"
    }
    assert (local["MEDIA_ROOT"], local["PMA_PRIVATE_ROOT"]) == (
        str(tmp_path / "media"),
        str(tmp_path / "private"),
    )


def test_production_refuses_answer_keys_in_a_bucket_behind_a_cdn(tmp_path):
    env = production_env(
        tmp_path,
        PMA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="pma-uploads",
        AWS_S3_CUSTOM_DOMAIN="cdn.example.org",
    )
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 1
    assert (
        "put exercise notebooks in a bucket of their own (AWS_PRIVATE_STORAGE_BUCKET_NAME)"
        in result.stderr
    )

    separate = production_settings(
        tmp_path,
        ["STORAGES"],
        PMA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="pma-uploads",
        AWS_S3_CUSTOM_DOMAIN="cdn.example.org",
        AWS_PRIVATE_STORAGE_BUCKET_NAME="pma-answer-keys",
    )
    assert separate["STORAGES"]["private"]["OPTIONS"]["bucket_name"] == "pma-answer-keys"
    assert separate["STORAGES"]["private"]["OPTIONS"]["custom_domain"] is None
