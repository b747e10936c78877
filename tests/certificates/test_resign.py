"""manage.py resign_credentials: what was issued under older rules, signed by today's."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from certificates import services
from certificates.issuer import key_store, resolve_key
from certificates.models import Certificate, Status
from certificates.proofs import EDDSA_JCS_2022, EDDSA_RDFC_2022, proof_verify
from certificates.services import certificate_issue, certificate_render, certificate_revoke
from certificates.verification import CheckOutcome, credential_check
from tests.factories import UserFactory, completed

from . import independent_verifier as independent
from .legacy import pre_2024_form

pytestmark = pytest.mark.django_db


def _as_issued_before(certificate: Certificate) -> Certificate:
    """Make a certificate look as it did when issued before issue 21: the pre-2024 single proof,
    the Wagtail Site's host in the achievement id, and a PDF carrying that credential."""
    document = json.loads(certificate.credential)
    achievement = document["credentialSubject"]["achievement"]
    path = achievement["id"].removeprefix("http://testserver")
    achievement["id"] = "http://localhost" + path
    achievement["resultDescription"][0]["id"] = f"http://localhost{path}-band"
    document["credentialSubject"]["result"][0]["resultDescription"] = f"http://localhost{path}-band"
    legacy = pre_2024_form(document, key_store().current(), created=document["validFrom"])
    Certificate.objects.filter(pk=certificate.pk).update(
        credential=json.dumps(legacy, indent=2), course_url="http://localhost" + path
    )
    certificate.refresh_from_db()
    certificate_render(certificate=certificate)  # the A4 PDF now carries the old credential
    certificate.refresh_from_db()
    return certificate


def _attached(certificate: Certificate) -> dict:
    with certificate.pdf_a4.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return json.loads(reader.attachments[f"{certificate.code}.credential.json"][0])


def _resign(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("resign_credentials", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def old_certificate(certificate):
    return _as_issued_before(certificate)


def test_a_dry_run_counts_and_writes_nothing(old_certificate):
    before = Certificate.objects.values().get(pk=old_certificate.pk)
    out, err = _resign("--dry-run")
    assert "Dry run: 1 certificate(s): 1 would be re-signed." in out
    assert "1/1" in err  # the progress bar
    assert Certificate.objects.values().get(pk=old_certificate.pk) == before


def test_resigning_gives_todays_form_and_keeps_code_dates_and_status(client, old_certificate):
    before = Certificate.objects.values().get(pk=old_certificate.pk)
    old_pdf = old_certificate.pdf_a4.name
    out, _err = _resign()
    assert "1 certificate(s): 1 re-signed." in out

    after = Certificate.objects.get(pk=old_certificate.pk)
    for field in ("code", "issued_at", "expires_at", "status", "learner_name", "score_band"):
        assert getattr(after, field) == before[field]
    document = json.loads(after.credential)
    assert [proof["cryptosuite"] for proof in document["proof"]] == [
        EDDSA_RDFC_2022,
        EDDSA_JCS_2022,
    ]
    assert document["credentialSubject"]["achievement"]["id"].startswith("http://testserver/")
    # The PDF was rendered again and carries the new credential; the old file is gone.
    assert after.pdf_a4.name != old_pdf
    assert not after.pdf_a4.storage.exists(old_pdf)
    assert _attached(after) == document
    # A verifier following today's text accepts the new one.
    controller = client.get("/.well-known/pma-issuer-keys.json").json()
    keys = {m["id"]: m["publicKeyMultibase"] for m in controller["verificationMethod"]}
    for proof in document["proof"]:
        key = independent.public_key_from_multikey(keys[proof["verificationMethod"]])
        assert independent.verify_proof(document, proof, key)


def test_running_again_changes_nothing(old_certificate):
    _resign()
    settled = Certificate.objects.values().get(pk=old_certificate.pk)
    out, _err = _resign()
    assert "1 certificate(s): 1 already signed by the current rules." in out
    assert Certificate.objects.values().get(pk=old_certificate.pk) == settled


def test_the_old_credential_still_verifies_after_resigning(old_certificate):
    old = old_certificate.credential.encode()
    _resign()
    check = credential_check(data=old)
    assert check.outcome == CheckOutcome.VALID


def test_stopped_midway_it_finishes_on_the_next_run(monkeypatch, course, old_certificate):
    learner = UserFactory()
    completed(learner, course, percent=85)
    second = _as_issued_before(certificate_issue(learner=learner, course=course))
    second_before = Certificate.objects.values().get(pk=second.pk)
    real_store = services._pdf_store

    def full_disk_for_the_second(certificate, **kwargs):
        if certificate.pk == second.pk:
            raise OSError(28, "No space left on device")
        return real_store(certificate, **kwargs)

    monkeypatch.setattr(services, "_pdf_store", full_disk_for_the_second)
    with pytest.raises(CommandError, match="1 could not be re-signed; run again"):
        _resign()
    # The failure left the second as it was: old credential, old PDF, still readable.
    assert Certificate.objects.values().get(pk=second.pk) == second_before
    assert _attached(Certificate.objects.get(pk=second.pk))["proof"]["cryptosuite"] == (
        EDDSA_JCS_2022
    )

    monkeypatch.setattr(services, "_pdf_store", real_store)
    out, _err = _resign()
    assert "2 certificate(s): 1 already signed by the current rules; 1 re-signed." in out
    for pk in (old_certificate.pk, second.pk):
        document = json.loads(Certificate.objects.get(pk=pk).credential)
        assert proof_verify(document, resolve_key=resolve_key).cryptosuites == (
            EDDSA_RDFC_2022,
            EDDSA_JCS_2022,
        )


def test_a_revoked_certificate_stays_revoked(admin_user, old_certificate):
    certificate_revoke(certificate=old_certificate, by=admin_user, reason="Plagiarism found")
    _resign()
    after = Certificate.objects.get(pk=old_certificate.pk)
    assert after.status == Status.REVOKED
    assert credential_check(data=after.credential.encode()).outcome == CheckOutcome.REVOKED


def test_a_course_description_changed_since_issue_is_not_rewritten(old_certificate, course):
    stated = json.loads(old_certificate.credential)["credentialSubject"]["achievement"][
        "description"
    ]
    course.summary = "A different course now."
    course.save_revision().publish()
    _resign()
    document = json.loads(Certificate.objects.get(pk=old_certificate.pk).credential)
    assert document["credentialSubject"]["achievement"]["description"] == stated


def test_an_unknown_code_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No certificate with the code"):
        _resign("--code", "PMA-2222-2222-2222-2222-2222")
