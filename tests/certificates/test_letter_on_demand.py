"""US Letter on demand: issuing stores A4 alone; the first Letter download renders and stores it once."""

import errno
import io
import json
import logging
import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import FileSystemStorage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from certificates.models import Certificate, PdfStatus
from certificates.services import certificate_letter_render, certificate_render, certificate_revoke

pytestmark = pytest.mark.django_db

LETTER_POINTS = (792.0, 612.0)


class LetterFullDisk(FileSystemStorage):
    """Stores A4 files; a Letter write stores its first kilobyte and fails as a full disk does."""

    def _save(self, name, content):
        if not name.endswith("-letter.pdf"):
            return super()._save(name, content)
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.read(1024))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))


def _letter_files(certificate) -> list[Path]:
    return sorted(Path(django_settings.MEDIA_ROOT).rglob(f"{certificate.code}-letter.pdf"))


def _download(client, certificate, page_size="letter"):
    return client.get(f"/certificates/{certificate.code}/pdf/{page_size}/")


def _stored_a4_download_queries(client, certificate) -> int:
    """Queries of a stored A4 download once the first request has warmed the site's lookups."""
    b"".join(_download(client, certificate, "a4").streaming_content)
    with CaptureQueriesContext(connection) as queries:
        b"".join(_download(client, certificate, "a4").streaming_content)
    return len(queries)


def test_issuing_stores_the_a4_pdf_alone(certificate):
    certificate.refresh_from_db()
    assert certificate.pdf_status == PdfStatus.READY
    assert certificate.is_rendered
    assert certificate.pdf_a4.name.endswith(f"{certificate.code}-a4.pdf")
    assert certificate.pdf_letter.name == ""
    assert _letter_files(certificate) == []


def test_the_first_letter_download_renders_stores_and_serves_it(
    client, certificate, learner, django_assert_num_queries
):
    client.force_login(learner)
    a4_queries = _stored_a4_download_queries(client, certificate)
    # What a stored A4 costs, the course (for its logo), and the UPDATE that stores the file's name.
    with django_assert_num_queries(a4_queries + 2):
        response = _download(client, certificate)
        pdf = b"".join(response.streaming_content)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{certificate.code}-letter.pdf"' in response["Content-Disposition"]
    certificate.refresh_from_db()
    assert certificate.pdf_letter.name.endswith(f"{certificate.code}-letter.pdf")
    with certificate.pdf_letter.open("rb") as stored:
        assert pdf == stored.read()
    reader = PdfReader(io.BytesIO(pdf))
    page = reader.pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(
        LETTER_POINTS, abs=0.5
    )
    text = page.extract_text()
    assert (
        "Ada Lovelace" in text and "Prioritization in Practice" in text and certificate.code in text
    )
    attached = json.loads(reader.attachments[f"{certificate.code}.credential.json"][0])
    assert attached == json.loads(certificate.credential)


def test_a_second_letter_download_serves_the_stored_file(
    client, certificate, learner, django_assert_num_queries
):
    client.force_login(learner)
    first = _download(client, certificate)
    first_pdf = b"".join(first.streaming_content)
    stored_name = Certificate.objects.get(pk=certificate.pk).pdf_letter.name

    # No UPDATE this time: nothing is rendered or stored; it costs what a stored A4 does.
    with django_assert_num_queries(_stored_a4_download_queries(client, certificate)):
        second = _download(client, certificate)
        second_pdf = b"".join(second.streaming_content)

    assert second.status_code == 200
    assert second_pdf == first_pdf
    assert second["ETag"] == first["ETag"]
    assert Certificate.objects.get(pk=certificate.pk).pdf_letter.name == stored_name
    assert _letter_files(certificate) == [Path(django_settings.MEDIA_ROOT) / stored_name]


def test_two_first_downloads_at_once_keep_one_file(certificate):
    """Both requests loaded the record before either stored a Letter; the record decides."""
    first, second = (
        Certificate.objects.get(pk=certificate.pk),
        Certificate.objects.get(pk=certificate.pk),
    )

    winner = certificate_letter_render(certificate=first).pdf_letter.name
    loser = certificate_letter_render(certificate=second).pdf_letter.name

    assert winner and loser == winner
    assert Certificate.objects.get(pk=certificate.pk).pdf_letter.name == winner
    assert _letter_files(certificate) == [Path(django_settings.MEDIA_ROOT) / winner]


def test_a_full_disk_on_the_first_letter_download_says_being_prepared(
    client, certificate, learner, settings, caplog
):
    client.force_login(learner)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": f"{__name__}.LetterFullDisk",
            "OPTIONS": {"location": str(settings.MEDIA_ROOT)},
        },
    }

    with caplog.at_level(logging.ERROR, logger="certificates.services"):
        response = _download(client, certificate)

    assert (response.status_code, response["Retry-After"]) == (503, "30")
    assert "Your certificate is being prepared" in response.content.decode()
    [logged] = [record for record in caplog.records if record.name == "certificates.services"]
    assert (logged.errno, logged.certificate) == (errno.ENOSPC, certificate.code)
    assert "storage is full" in logged.getMessage()
    certificate.refresh_from_db()
    # The half-written file went with the failed try; the certificate itself is untouched.
    assert (certificate.pdf_letter.name, certificate.pdf_status, certificate.render_attempts) == (
        "",
        PdfStatus.READY,
        1,
    )
    assert _letter_files(certificate) == []
    a4 = _download(client, certificate, "a4")
    assert (a4.status_code, b"".join(a4.streaming_content)[:5]) == (200, b"%PDF-")

    # Space is freed: the next download renders it.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    again = _download(client, certificate)
    assert (again.status_code, b"".join(again.streaming_content)[:5]) == (200, b"%PDF-")
    assert len(_letter_files(certificate)) == 1


def test_a_revoked_certificate_gets_no_letter(client, certificate, learner, instructor):
    certificate_revoke(certificate=certificate, by=instructor, reason="Issued in error")
    client.force_login(learner)

    response = _download(client, certificate)

    assert response.status_code == 410
    assert b"This certificate has been revoked" in response.content
    assert Certificate.objects.get(pk=certificate.pk).pdf_letter.name == ""
    assert _letter_files(certificate) == []


def test_rendering_again_drops_the_letter_which_follows_on_its_next_download(
    client, certificate, learner
):
    client.force_login(learner)
    before = _download(client, certificate)
    certificate.refresh_from_db()
    old_letter = Path(certificate.pdf_letter.path)

    certificate_render(certificate=certificate)

    certificate.refresh_from_db()
    assert certificate.pdf_letter.name == ""
    assert not old_letter.exists()
    after = _download(client, certificate)
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert len(_letter_files(certificate)) == 1
