"""The disk fills up while a certificate's PDF is written: the certificate stands, learners and
admins see it being prepared (never a 500), the error is logged, and a later try renders it."""

import errno
import logging
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from certificates.models import Certificate, PdfStatus
from certificates.services import certificate_issue, certificates_render_due
from certificates.tasks import certificate_render_task
from tests.factories import UserFactory, completed, course_page, site_catalog

pytestmark = pytest.mark.django_db


class FillingDisk(FileSystemStorage):
    """While `full`, a write stores the first kilobyte and then fails as a full disk does."""

    full = False

    def _save(self, name, content):
        if not type(self).full:
            return super()._save(name, content)
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.read(1024))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))


@pytest.fixture
def full_disk(settings, tmp_path, monkeypatch):
    settings.PMA_CERT_KEYS_DIR = tmp_path / "keys"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": f"{__name__}.FillingDisk",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    monkeypatch.setattr(FillingDisk, "full", True)
    return FillingDisk


@pytest.fixture
def course():
    return course_page(site_catalog(), instructor=UserFactory(certificate_name="Marty Cagan"))


def test_storage_full_keeps_the_certificate_and_a_later_try_renders_it(
    client, full_disk, learner, course, caplog, settings
):
    completed(learner, course, percent=92)
    with caplog.at_level(logging.ERROR, logger="certificates.services"):
        certificate = certificate_issue(learner=learner, course=course)

    certificate.refresh_from_db()
    assert (certificate.pdf_status, certificate.render_attempts, certificate.is_rendered) == (
        PdfStatus.FAILED,
        1,
        False,
    )
    assert (certificate.pdf_a4.name, certificate.pdf_letter.name, certificate.credential) == (
        "",
        "",
        "",
    )
    assert certificate.render_error.startswith(
        "The PDF could not be stored because the storage is full: [Errno 28] No space left on device: "
    )
    assert (
        timedelta(seconds=50) < certificate.render_retry_at - timezone.now() <= timedelta(minutes=1)
    )
    [logged] = caplog.records
    assert (logged.levelname, logged.errno, logged.certificate) == (
        "ERROR",
        errno.ENOSPC,
        certificate.code,
    )
    assert "storage is full" in logged.getMessage() and "next try at" in logged.getMessage()
    # The half-written file went with the failed try.
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.pdf"))

    client.force_login(learner)
    share = client.get(reverse("certificates:share", args=[certificate.code]))
    assert share.status_code == 200 and "The PDF is being prepared" in share.content.decode()
    download = client.get(reverse("certificates:download", args=[certificate.code, "a4"]))
    assert (download.status_code, download["Retry-After"]) == (503, "30")
    assert "trying again automatically" in download.content.decode()
    assert client.get(reverse("certificates:verify", args=[certificate.code])).status_code == 200
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    inspect = client.get(f"/admin/certificates/inspect/{certificate.pk}/").content.decode()
    assert "Failed, will retry" in inspect and "No space left on device" in inspect

    # Space is freed. Nothing happens before the retry is due; then a sweep renders it.
    full_disk.full = False
    assert certificates_render_due() == 0
    Certificate.objects.filter(pk=certificate.pk).update(render_retry_at=timezone.now())
    call_command("render_certificates", "--once")

    certificate.refresh_from_db()
    assert (
        certificate.pdf_status,
        certificate.render_attempts,
        certificate.render_error,
        certificate.render_retry_at,
    ) == (PdfStatus.READY, 2, "", None)
    client.force_login(learner)
    pdf = client.get(reverse("certificates:download", args=[certificate.code, "a4"]))
    assert (pdf.status_code, b"".join(pdf.streaming_content)[:5]) == (200, b"%PDF-")


def test_retries_back_off_and_a_rerun_task_renders(full_disk, learner, course):
    completed(learner, course, percent=85)
    certificate = certificate_issue(learner=learner, course=course)
    for _ in range(2):  # still full: each failed try doubles the wait
        Certificate.objects.filter(pk=certificate.pk).update(render_retry_at=timezone.now())
        assert certificates_render_due() == 0
    certificate.refresh_from_db()
    assert (certificate.pdf_status, certificate.render_attempts) == (PdfStatus.FAILED, 3)
    assert (
        timedelta(minutes=3, seconds=50)
        < certificate.render_retry_at - timezone.now()
        <= timedelta(minutes=4)
    )

    full_disk.full = False
    certificate_render_task.enqueue(certificate.pk)

    certificate.refresh_from_db()
    assert (certificate.pdf_status, certificate.render_attempts, certificate.is_rendered) == (
        PdfStatus.READY,
        4,
        True,
    )


def test_a_pending_certificate_whose_render_was_lost_is_swept(full_disk, learner, course):
    full_disk.full = False
    completed(learner, course, percent=85)
    certificate = certificate_issue(learner=learner, course=course, render=False)
    assert certificates_render_due() == 0  # its render task may still be queued
    Certificate.objects.filter(pk=certificate.pk).update(
        created_at=timezone.now() - timedelta(minutes=11)
    )

    call_command("render_certificates", "--once")

    certificate.refresh_from_db()
    assert (certificate.pdf_status, certificate.render_attempts, certificate.is_rendered) == (
        PdfStatus.READY,
        1,
        True,
    )
