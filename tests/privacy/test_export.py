"""The data export: what the zip holds, how it is stored, its link, its expiry and its clean-up."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from privacy.models import DataExport, ExportStatus, PrivacyEvent
from privacy.services import export_download_url, export_request, exports_clean_up

pytestmark = pytest.mark.django_db


def _zip(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def _request_export(client) -> DataExport:
    response = client.post(reverse("privacy:export_request"))
    assert response.status_code == 302
    return DataExport.objects.get()


def test_the_export_holds_every_part_with_the_learners_values(
    client, ada, django_capture_on_commit_callbacks
):
    client.force_login(ada)
    with django_capture_on_commit_callbacks(execute=True):
        export = _request_export(client)
    export.refresh_from_db()
    assert (export.status, export.progress) == (ExportStatus.READY, 100)
    assert export.expires_at - export.finished_at == timedelta(days=7)

    page = client.get(reverse("privacy:page"))
    url = export_download_url(export=export)
    assert url in page.content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="pm-academy-data.zip"'
    archive = _zip(response)
    names = set(archive.namelist())
    certificate = ada.certificates.get()
    assert names == {
        "README.txt",
        "profile.json",
        "enrolments.json",
        "progress.json",
        "knowledge_checks.json",
        "drafts.json",
        "submissions.json",
        f"submissions/{ada.first_submission.pk}-rice.ipynb",
        f"submissions/{ada.second_submission.pk}-rice.ipynb",
        "certificates.json",
        f"certificates/{certificate.code}.pdf",
        f"certificates/{certificate.code}.credential.json",
        "notifications.json",
        "api_tokens.json",
        "lms_links.json",
        "privacy_requests.json",
    }
    read = lambda name: json.loads(archive.read(name))  # noqa: E731
    profile = read("profile.json")
    assert (profile["username"], profile["email"], profile["name_on_certificates"]) == (
        "ada",
        "ada@example.org",
        "Ada Lovelace",
    )
    assert {a["email"] for a in profile["email_addresses"]} == {
        "ada@example.org",
        "ada.work@example.org",
    }
    assert read("enrolments.json")["enrolments"][0]["status"] == "active"
    assert read("progress.json")["courses"][0]["percent"] == 92
    assert read("progress.json")["best_exercise_scores"][0]["points"] == "8.000000"
    assert read("knowledge_checks.json")["knowledge_checks"][0]["selected_options"] == ["a"]
    assert read("drafts.json")[0]["answers"] == {"rice": "draft by ada"}

    submissions = read("submissions.json")
    assert [(s["attempt"], s["score"]) for s in submissions] == [(1, "6.000000"), (2, "8.000000")]
    graded = submissions[1]
    manual = next(t for t in graded["tests"] if t["cell"] == "why")
    assert (manual["points"], manual["feedback"]) == (
        "1.5",
        "Good reasoning, Ada; cite the reach source.",
    )
    assert graded["answers"] == {"rice": "def rice(): return x  # ada's answer"}
    assert archive.read(graded["notebook_file"]).startswith(b'{"cells"')
    # What the learner's submission page shows, never the hidden tests or the answer key.
    everything = b"".join(archive.read(name) for name in names)
    assert b"HIDDEN TEST SOURCE" not in everything
    assert b"ANSWER KEY" not in everything

    certificates = read("certificates.json")
    assert certificates[0]["code"] == certificate.code
    assert archive.read(f"certificates/{certificate.code}.pdf").startswith(b"%PDF")
    assert json.loads(archive.read(f"certificates/{certificate.code}.credential.json"))
    assert read("notifications.json")["notifications"][0]["title"] == "Your submission was graded"
    assert read("notifications.json")["email_preferences"][0]["email_enabled"] is False
    tokens = read("api_tokens.json")
    assert tokens == [
        {
            "name": "Ada's warehouse",
            "kind": "personal",
            "starts_with": "pma_adaprefix_",
            "scopes": ["progress:read"],
            "created_at": tokens[0]["created_at"],
            "expires_at": tokens[0]["expires_at"],
            "revoked_at": None,
            "last_used_at": None,
        }
    ]
    assert b"f" * 64 not in everything
    assert read("lms_links.json")[0]["email_from_lms"] == "ada@school.example.edu"
    readme = archive.read("README.txt").decode()
    for name in ("profile.json", "submissions.json", "certificates/", "lms_links.json"):
        assert name in readme
    assert list(PrivacyEvent.objects.filter(user=ada).values_list("kind", flat=True)) == [
        "export_downloaded",
        "export_ready",
        "export_requested",
    ]


def test_the_file_lives_in_private_storage_without_a_url(
    ada, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        export, created = export_request(user=ada)
    export.refresh_from_db()
    assert created
    path = export.file.path
    assert path.startswith(str(settings.PMA_PRIVATE_ROOT))
    assert not path.startswith(str(settings.MEDIA_ROOT))
    with pytest.raises(ValueError):
        export.file.url  # noqa: B018


def test_a_second_request_while_one_runs_returns_the_same_export(client, ada):
    client.force_login(ada)
    first, created = export_request(user=ada)  # not run: on_commit never fires in this test
    again, created_again = export_request(user=ada)
    assert (created, created_again, again.pk) == (True, False, first.pk)
    client.post(reverse("privacy:export_request"))
    assert DataExport.objects.count() == 1
    status = client.get(reverse("privacy:export_status", args=[first.pk])).json()
    assert status == {
        "status": "queued",
        "label": "Waiting to start",
        "progress": 0,
        "done": False,
        "download_url": None,
    }
    page = client.get(reverse("privacy:page")).content.decode()
    status_url = reverse("privacy:export_status", args=[first.pk])
    assert f'data-status-url="{status_url}"' in page
    assert "<script>" not in page


def test_an_export_over_the_size_budget_fails_with_a_message(
    ada, settings, django_capture_on_commit_callbacks
):
    settings.PMA_PRIVACY_EXPORT_MAX_BYTES = 2000
    with django_capture_on_commit_callbacks(execute=True):
        export, _ = export_request(user=ada)
    export.refresh_from_db()
    assert (export.status, bool(export.file)) == (ExportStatus.FAILED, False)
    assert export.error == "Your data is larger than one export may be; please ask us for it."


def test_the_link_expires_and_the_cleanup_deletes_the_file(
    client, ada, django_capture_on_commit_callbacks
):
    client.force_login(ada)
    with django_capture_on_commit_callbacks(execute=True):
        export, _ = export_request(user=ada)
    export.refresh_from_db()
    url = export_download_url(export=export)
    path = export.file.path
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(url).status_code == 404
    assert exports_clean_up() == 1
    export.refresh_from_db()
    assert (export.status, export.file.name) == (ExportStatus.EXPIRED, "")
    import os

    assert not os.path.exists(path)
    assert "The last export has expired" in client.get(reverse("privacy:page")).content.decode()
    call_command("clean_up_exports")  # nothing left: runs quietly
    assert exports_clean_up() == 0


def test_a_signed_link_older_than_the_export_life_is_refused(
    client, ada, django_capture_on_commit_callbacks, settings
):
    client.force_login(ada)
    with django_capture_on_commit_callbacks(execute=True):
        export, _ = export_request(user=ada)
    url = export_download_url(export=export)
    settings.PMA_PRIVACY_EXPORT_DAYS = 0
    assert client.get(url).status_code == 404
