"""What a learner's certificates become when they erase their account (certificates_erase_learner).

Two choices: the name is removed (the default) or the certificate stays public with it. Either
way the certificate stays valid, the status list stays truthful and a copy the learner shared
before keeps verifying.
"""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from certificates.credentials import bitstring_is_set
from certificates.models import Certificate, Erasure, Status
from certificates.services import (
    certificate_letter_render,
    certificate_render,
    certificate_resign,
    certificates_erase_learner,
    certificates_render_due,
)

pytestmark = pytest.mark.django_db

FILE_URLS = ["pdf/a4/", "pdf/letter/", "credential.json", ""]


def _erase(learner, *, keep_public, capture):
    with capture(execute=True):
        return certificates_erase_learner(learner, keep_public=keep_public)


def _listed_as_revoked(client, certificate_index: int) -> bool:
    listed = client.get("/credentials/status/1/").json()
    return bitstring_is_set(listed["credentialSubject"]["encodedList"], certificate_index)


def _upload(client, data: bytes):
    return client.post(
        "/verify/",
        {"file": SimpleUploadedFile("copy.json", data, content_type="application/json")},
    )


def test_by_default_the_name_goes_and_the_certificate_stays_valid(
    client, certificate, learner, django_capture_on_commit_callbacks
):
    certificate_letter_render(certificate=certificate)
    certificate.refresh_from_db()
    stored = [certificate.pdf_a4, certificate.pdf_letter]
    index = int(json.loads(certificate.credential)["credentialStatus"]["statusListIndex"])

    touched = _erase(learner, keep_public=False, capture=django_capture_on_commit_callbacks)

    assert touched == 1
    certificate.refresh_from_db()
    assert certificate.status == Status.ACTIVE
    assert certificate.validity() == "valid"
    assert certificate.erasure == Erasure.NAME_WITHHELD
    assert certificate.learner_erased_at is not None
    assert certificate.learner_name == ""
    assert certificate.credential == ""
    assert not certificate.pdf_a4 and not certificate.pdf_letter
    assert not certificate.shared
    assert all(not field.storage.exists(field.name) for field in stored)
    assert "Ada Lovelace" not in str(certificate)
    assert not _listed_as_revoked(client, index)


def test_erasing_twice_changes_nothing_more(
    certificate, learner, django_capture_on_commit_callbacks
):
    assert _erase(learner, keep_public=False, capture=django_capture_on_commit_callbacks) == 1
    first = Certificate.objects.get(pk=certificate.pk)
    assert _erase(learner, keep_public=False, capture=django_capture_on_commit_callbacks) == 0
    # A removed name cannot come back with a later "keep public".
    assert _erase(learner, keep_public=True, capture=django_capture_on_commit_callbacks) == 0
    again = Certificate.objects.get(pk=certificate.pk)
    assert (again.erasure, again.learner_erased_at, again.learner_name, again.updated_at) == (
        first.erasure,
        first.learner_erased_at,
        "",
        first.updated_at,
    )


def test_nothing_prints_the_name_again_after_erasure(
    certificate, learner, django_capture_on_commit_callbacks
):
    _erase(learner, keep_public=False, capture=django_capture_on_commit_callbacks)
    certificate.refresh_from_db()
    assert certificate_render(certificate=certificate).pdf_a4.name == ""
    assert certificate_letter_render(certificate=certificate).pdf_letter.name == ""
    assert certificate_resign(certificate=certificate) == "not_signed"
    Certificate.objects.filter(pk=certificate.pk).update(pdf_status="pending", render_retry_at=None)
    assert certificates_render_due() == 0
    certificate.refresh_from_db()
    assert certificate.credential == "" and not certificate.pdf_a4


def test_a_render_racing_the_erasure_does_not_store_the_name(
    certificate, learner, django_capture_on_commit_callbacks
):
    stale = Certificate.objects.get(pk=certificate.pk)
    stale.credential = ""
    _erase(learner, keep_public=False, capture=django_capture_on_commit_callbacks)
    # `stale` was read before the erasure: its render must not write the name back.
    certificate_render(certificate=stale)
    certificate.refresh_from_db()
    assert certificate.credential == "" and not certificate.pdf_a4
    assert certificate.learner_name == ""


def test_the_verification_page_says_valid_without_the_name(
    client, certificate, learner, django_capture_on_commit_callbacks
):
    _erase(learner, keep_public=False, capture=django_capture_on_commit_callbacks)
    response = client.get(f"/verify/{certificate.code}/")
    assert response.status_code == 200
    assert response.context["validity"] == "valid"
    body = response.content.decode()
    assert "This certificate is valid" in body
    assert "issued to a learner who has since closed their account" in body
    assert "Ada Lovelace" not in body
    assert "Prioritization in Practice" in body
    assert "can no longer be downloaded here" in body


@pytest.mark.parametrize("logged_in", [False, True])
def test_downloads_of_a_certificate_without_its_name_answer_404(
    client, certificate, learner, logged_in, django_capture_on_commit_callbacks
):
    certificate.shared = True
    certificate.save(update_fields=["shared"])
    _erase(learner, keep_public=False, capture=django_capture_on_commit_callbacks)
    if logged_in:
        client.force_login(learner)
    for suffix in FILE_URLS:
        response = client.get(f"/certificates/{certificate.code}/{suffix}")
        assert response.status_code == 404, suffix
        body = response.content.decode()
        assert "has closed their account" in body
        assert "Ada Lovelace" not in body


def test_a_copy_shared_before_still_verifies_and_says_our_records_dropped_the_name(
    client, certificate, learner, django_capture_on_commit_callbacks
):
    copy = certificate.credential.encode()
    with certificate.pdf_a4.open("rb") as handle:
        pdf_copy = handle.read()
    _erase(learner, keep_public=False, capture=django_capture_on_commit_callbacks)
    for data in (copy, pdf_copy):
        response = _upload(client, data)
        assert response.status_code == 200
        check = response.context["check"]
        assert check.outcome == "valid"
        assert check.signature_ok
        assert check.name_withheld_here
        assert check.learner_name == "Ada Lovelace"
        body = response.content.decode()
        assert "our records no longer do" in body


def test_keeping_it_public_keeps_the_name_and_opens_the_files(
    client, certificate, learner, django_capture_on_commit_callbacks
):
    assert _erase(learner, keep_public=True, capture=django_capture_on_commit_callbacks) == 1
    certificate.refresh_from_db()
    assert certificate.erasure == Erasure.KEPT_PUBLIC
    assert certificate.status == Status.ACTIVE
    assert certificate.shared
    assert certificate.learner_name == "Ada Lovelace"
    assert certificate.pdf_a4 and certificate.credential
    verify = client.get(f"/verify/{certificate.code}/").content.decode()
    assert "Ada Lovelace" in verify
    assert "closed their account" not in verify
    assert client.get(f"/certificates/{certificate.code}/pdf/a4/").status_code == 200
    assert client.get(f"/certificates/{certificate.code}/credential.json").status_code == 200
    upload = _upload(client, certificate.credential.encode()).context["check"]
    assert upload.outcome == "valid" and not upload.name_withheld_here
    assert _erase(learner, keep_public=True, capture=django_capture_on_commit_callbacks) == 0


def test_a_public_certificate_can_still_have_its_name_removed_later(
    certificate, learner, django_capture_on_commit_callbacks
):
    _erase(learner, keep_public=True, capture=django_capture_on_commit_callbacks)
    assert _erase(learner, keep_public=False, capture=django_capture_on_commit_callbacks) == 1
    certificate.refresh_from_db()
    assert certificate.erasure == Erasure.NAME_WITHHELD
    assert certificate.learner_name == "" and not certificate.shared


def test_a_revoked_certificate_stays_revoked_without_the_name(
    client, certificate, learner, instructor, django_capture_on_commit_callbacks
):
    from certificates.services import certificate_revoke

    certificate_revoke(certificate=certificate, by=instructor, reason="Issued in error")
    index = certificate.status_index
    assert _erase(learner, keep_public=False, capture=django_capture_on_commit_callbacks) == 1
    response = client.get(f"/verify/{certificate.code}/")
    assert response.context["validity"] == "revoked"
    assert "Ada Lovelace" not in response.content.decode()
    assert _listed_as_revoked(client, index)
    assert client.get(f"/certificates/{certificate.code}/pdf/a4/").status_code == 404


def test_a_learner_without_certificates_touches_nothing(other_learner):
    assert certificates_erase_learner(other_learner, keep_public=False) == 0


def test_staff_see_an_erased_certificate_without_the_name(
    client, certificate, learner, django_capture_on_commit_callbacks
):
    from tests.factories import UserFactory

    _erase(learner, keep_public=False, capture=django_capture_on_commit_callbacks)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    listing = client.get("/admin/certificates/")
    assert listing.status_code == 200
    body = listing.content.decode()
    assert "A learner who has since closed their account" in body
    assert "Ada Lovelace" not in body
    inspect = client.get(f"/admin/certificates/inspect/{certificate.pk}/")
    assert inspect.status_code == 200
    assert "Name removed at the learner&#x27;s request" in inspect.content.decode()
