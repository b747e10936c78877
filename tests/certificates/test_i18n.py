"""Certificates in the learner's language, verification in the visitor's, and a complete catalogue.

A German learner's certificate prints in German (words, dates, score band); its signed credential
is data and stays as it is. The public verification page follows whoever visits it.
"""

import io
import json
from pathlib import Path

import polib
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from pypdf import PdfReader

from certificates.dates import long_date
from certificates.services import certificate_issue, certificates_erase_learner
from tests.factories import completed

pytestmark = pytest.mark.django_db

CATALOGUE = Path(__file__).parents[2] / "certificates/locale/de/LC_MESSAGES/django.po"


def _pdf_text(certificate) -> str:
    with certificate.pdf_a4.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


@pytest.fixture
def german_certificate(learner, course):
    # accounts.User.language holds the learner's preference (read defensively by certificates).
    learner.language = "de"
    completed(learner, course, percent=92)
    return certificate_issue(learner=learner, course=course)


def test_a_german_learners_certificate_prints_in_german(german_certificate):
    assert german_certificate.language == "de"
    text = _pdf_text(german_certificate)
    with translation.override("de"):
        issued = long_date(german_certificate.issued_at)
    assert "Abschlusszertifikat" in text
    assert "Hiermit wird bestätigt, dass" in text
    assert "den folgenden Kurs erfolgreich abgeschlossen hat" in text
    assert "mit dem Ergebnis Sehr gut" in text
    assert f"Ausgestellt am {issued}" in text
    assert "Ada Lovelace" in text
    assert "Lehrkraft des Kurses" in text
    assert "Certificate of Completion" not in text
    assert "Distinction" not in text


def test_german_dates_use_german_month_names():
    from datetime import date

    with translation.override("de"):
        assert long_date(date(2026, 3, 6)) == "6. März 2026"
    with translation.override("en"):
        assert long_date(date(2026, 3, 6)) == "6 March 2026"


def test_an_english_learners_certificate_prints_in_english(certificate):
    assert certificate.language == "en"
    text = _pdf_text(certificate)
    assert "Certificate of Completion" in text
    assert "with the result Distinction" in text
    assert "Abschlusszertifikat" not in text


def test_an_unknown_language_preference_falls_back_to_the_site_language(learner, course):
    learner.language = "xx-nope"
    completed(learner, course, percent=85)
    certificate = certificate_issue(learner=learner, course=course)
    assert certificate.language == "en"
    assert "Certificate of Completion" in _pdf_text(certificate)


def test_the_signed_credential_stays_english_data(german_certificate):
    credential = json.loads(german_certificate.credential)
    subject = credential["credentialSubject"]
    assert subject["result"][0]["value"] == "Distinction"
    assert subject["achievement"]["criteria"]["narrative"].startswith("Completed every required")
    # Printed in German, the PDF carries the same signed credential.
    with german_certificate.pdf_a4.open("rb") as handle:
        attached = PdfReader(io.BytesIO(handle.read())).attachments
    (name,) = attached
    assert json.loads(attached[name][0]) == credential


def test_signing_under_a_german_request_gives_the_same_bytes(certificate):
    from certificates.services import credential_sign

    with translation.override("de"):
        assert credential_sign(certificate=certificate) == json.loads(certificate.credential)


@pytest.mark.parametrize("holder", ["certificate", "german_certificate"])
def test_the_verification_page_follows_the_visitors_language(client, request, holder):
    certificate = request.getfixturevalue(holder)
    url = f"/verify/{certificate.code}/"

    german = client.get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Dieses Zertifikat ist gültig" in german
    assert "Verliehen an" in german
    assert "Sehr gut" in german
    with translation.override("de"):
        assert long_date(certificate.issued_at) in german

    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "This certificate is valid" in english
    assert "Awarded to" in english
    assert "Distinction" in english
    assert "Dieses Zertifikat" not in english


def test_the_language_cookie_chooses_the_verification_pages_language(client, certificate):
    client.cookies["django_language"] = "de"
    body = client.get(f"/verify/{certificate.code}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Dieses Zertifikat ist gültig" in body


def test_an_unknown_visitor_language_falls_back_without_error(client, certificate):
    response = client.get(f"/verify/{certificate.code}/", HTTP_ACCEPT_LANGUAGE="xx, tlh;q=0.9")
    assert response.status_code == 200
    assert "This certificate is valid" in response.content.decode()


def test_checking_a_file_answers_in_german_for_a_german_visitor(client, certificate):
    response = client.post(
        "/verify/",
        {"file": SimpleUploadedFile("c.json", certificate.credential.encode())},
        HTTP_ACCEPT_LANGUAGE="de",
    )
    body = response.content.decode()
    assert response.context["check"].outcome == "valid"
    assert "Echt und gültig" in body
    assert "Die Signatur ist gültig: Der Nachweis ist unverändert" in body
    # The signed value is English data; the page names the band in the visitor's language.
    assert response.context["check"].result == "Distinction"
    assert "<dd>Sehr gut</dd>" in body


def test_an_erased_learners_verification_page_in_german(
    client, german_certificate, learner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        certificates_erase_learner(learner, keep_public=False)
    body = client.get(
        f"/verify/{german_certificate.code}/", HTTP_ACCEPT_LANGUAGE="de"
    ).content.decode()
    assert "Dieses Zertifikat ist gültig" in body
    assert "das Konto inzwischen geschlossen hat" in body
    assert "Ada Lovelace" not in body
    download = client.get(
        f"/certificates/{german_certificate.code}/pdf/a4/", HTTP_ACCEPT_LANGUAGE="de"
    )
    assert download.status_code == 404
    assert "Diese Dateien sind nicht mehr verfügbar" in download.content.decode()


def test_the_german_catalogue_is_complete():
    catalogue = polib.pofile(str(CATALOGUE))
    assert not catalogue.metadata_is_fuzzy
    assert [entry.msgid for entry in catalogue.untranslated_entries()] == []
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []
    assert catalogue.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"


def test_german_number_formats_do_not_break_the_pdf_layout(german_certificate):
    # Under German formats 40.0 would print as "40,0", which CSS ignores: the name would shrink.
    from certificates.rendering import certificate_html
    from certificates.services import certificate_document

    html = certificate_html(certificate_document(certificate=german_certificate), page_size="a4")
    assert 'lang="de"' in html
    assert "font-size: 40.0pt" in html
    assert ",0pt" not in html


def test_the_issue_notification_is_in_the_certificates_language(
    german_certificate, django_capture_on_commit_callbacks
):
    from certificates.notifications import _notify
    from notifications.models import Notification

    _notify(certificate_id=german_certificate.pk)
    notification = Notification.objects.get(recipient=german_certificate.learner)
    assert notification.title == f"Ihr Zertifikat für {german_certificate.course_title}"
