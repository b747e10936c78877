"""Public verification, downloads and sharing over HTTP, and the credential checks behind them."""

import io
import json
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from certificates.credentials import bitstring_is_set
from certificates.models import Certificate
from certificates.rendering import PageSize, certificate_pdf
from certificates.services import (
    certificate_document,
    certificate_letter_render,
    certificate_revoke,
)
from certificates.sharing import linkedin_add_url

pytestmark = pytest.mark.django_db


def _expire(certificate):
    Certificate.objects.filter(pk=certificate.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    certificate.refresh_from_db()


# Verification page


def test_verify_shows_a_valid_certificate(client, certificate):
    response = client.get(f"/verify/{certificate.code}/")
    assert response.status_code == 200
    assert response.context["validity"] == "valid"
    body = response.content.decode()
    assert "This certificate is valid" in body
    assert "Ada Lovelace" in body
    assert "Prioritization in Practice" in body
    assert "Distinction" in body
    assert "Cost of delay" in body
    assert "PM Academy" in body


def test_verify_shows_a_revoked_certificate(client, certificate, instructor):
    certificate_revoke(certificate=certificate, by=instructor, reason="Academic misconduct")
    response = client.get(f"/verify/{certificate.code}/")
    assert response.status_code == 200
    assert response.context["validity"] == "revoked"
    assert "This certificate has been revoked" in response.content.decode()
    assert "Academic misconduct" not in response.content.decode()


def test_verify_shows_an_expired_certificate(client, certificate):
    _expire(certificate)
    response = client.get(f"/verify/{certificate.code}/")
    assert response.context["validity"] == "expired"
    assert "This certificate has expired" in response.content.decode()


def test_verify_accepts_codes_typed_loosely(client, certificate):
    loose = certificate.code.lower().replace("-", " ")
    response = client.get("/verify/", {"code": loose})
    assert response.status_code == 302
    assert response["Location"] == f"/verify/{certificate.code}/"
    assert client.get(f"/verify/{certificate.code.lower()}/").context["certificate"] == certificate


@pytest.mark.parametrize(
    "code", ["PMA-2222-2222-2222-2222-2222", "nonsense", "PMA-0000-OOOO-1111", "%3Cscript%3E"]
)
def test_unknown_and_malformed_codes_get_the_same_page(client, certificate, code):
    reference = client.get("/verify/PMA-3333-3333-3333-3333-3333/")
    response = client.get(f"/verify/{code}/")
    assert response.status_code == reference.status_code == 404
    # The page's own content; the header's language switch echoes the address and a CSRF token.
    assert _main(response) == _main(reference)
    assert b"No certificate matches that code" in response.content
    assert _main(client.get("/verify/", {"code": code})) == _main(reference)


def _main(response) -> str:
    body = response.content.decode()
    return body[body.index("<main") : body.index("</main>")]


def test_verification_is_rate_limited_per_client(client, certificate, settings):
    settings.PMA_VERIFY_RATE = (3, 60)
    for _ in range(3):
        assert client.get(f"/verify/{certificate.code}/").status_code == 200
    response = client.get(f"/verify/{certificate.code}/")
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert b"Too many checks in a row" in response.content
    assert client.get(f"/verify/{certificate.code}/", REMOTE_ADDR="10.0.0.9").status_code == 200


# Downloads and sharing


def _download(client, certificate, page_size="a4"):
    return client.get(f"/certificates/{certificate.code}/pdf/{page_size}/")


@pytest.mark.parametrize("page_size", ["a4", "letter"])
def test_the_owner_downloads_the_stored_pdf(client, certificate, learner, page_size):
    client.force_login(learner)
    response = _download(client, certificate, page_size)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{certificate.code}-{page_size}.pdf"' in response["Content-Disposition"]
    pdf = b"".join(response.streaming_content)
    certificate.refresh_from_db()  # the Letter was stored by this first download
    with certificate.pdf_for(page_size).open("rb") as stored:
        assert pdf == stored.read()


def test_others_cannot_download_an_unshared_certificate(client, certificate, other_learner):
    anonymous = _download(client, certificate)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")
    client.force_login(other_learner)
    assert _download(client, certificate).status_code == 404
    assert client.get(f"/certificates/{certificate.code}/credential.json").status_code == 404
    assert client.get(f"/certificates/{certificate.code}/").status_code == 404


def test_anyone_downloads_a_shared_certificate(client, certificate, learner, other_learner):
    client.force_login(learner)
    response = client.post(f"/certificates/{certificate.code}/sharing/", {"shared": "on"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.shared is True
    client.logout()
    assert _download(client, certificate).status_code == 200
    credential = client.get(f"/certificates/{certificate.code}/credential.json")
    assert credential.status_code == 200
    assert json.loads(credential.content) == json.loads(certificate.credential)
    client.force_login(other_learner)
    assert _download(client, certificate, "letter").status_code == 200


def test_only_the_owner_changes_sharing(client, certificate, other_learner):
    client.force_login(other_learner)
    assert (
        client.post(f"/certificates/{certificate.code}/sharing/", {"shared": "on"}).status_code
        == 404
    )
    certificate.refresh_from_db()
    assert certificate.shared is False


def test_a_revoked_certificate_download_is_a_page_not_the_pdf(
    client, certificate, learner, instructor
):
    certificate_revoke(certificate=certificate, by=instructor, reason="Issued in error")
    client.force_login(learner)
    response = _download(client, certificate)
    assert response.status_code == 410
    assert response["Content-Type"].startswith("text/html")
    assert b"This certificate has been revoked" in response.content


def test_unknown_page_size_is_404(client, certificate, learner):
    client.force_login(learner)
    assert _download(client, certificate, "a3").status_code == 404


def test_share_page_has_open_graph_tags_and_linkedin_link(client, certificate, learner):
    client.force_login(learner)
    response = client.get(f"/certificates/{certificate.code}/")
    body = response.content.decode()
    assert '<meta property="og:title" content="Ada Lovelace — Prioritization in Practice">' in body
    assert (
        f'<meta property="og:url" content="http://testserver/certificates/{certificate.code}/">'
        in body
    )
    assert '<meta property="og:type" content="article">' in body
    assert 'property="og:description"' in body
    link = urlparse(response.context["linkedin_url"])
    assert (link.scheme, link.netloc, link.path) == ("https", "www.linkedin.com", "/profile/add")
    assert parse_qs(link.query) == {
        "startTask": ["CERTIFICATION_NAME"],
        "name": ["Prioritization in Practice"],
        "organizationName": ["PM Academy"],
        "issueYear": [str(certificate.issued_at.year)],
        "issueMonth": [str(certificate.issued_at.month)],
        "certUrl": [f"http://testserver/verify/{certificate.code}/"],
        "certId": [certificate.code],
    }
    assert response.context["linkedin_url"] == linkedin_add_url(certificate=certificate)


def test_my_certificates_lists_the_learners_certificates(
    client, certificate, learner, other_learner
):
    client.force_login(learner)
    assert certificate.code in client.get("/certificates/").content.decode()
    client.force_login(other_learner)
    body = client.get("/certificates/").content.decode()
    assert certificate.code not in body
    assert "Complete a course to earn your first certificate." in body


# Issuer keys and status list


def test_issuer_keys_are_published(client, certificate):
    document = client.get("/.well-known/pma-issuer-keys.json").json()
    assert document["id"] == "http://testserver/issuer/"
    assert document["type"] == ["Profile"]
    method = json.loads(certificate.credential)["proof"][0]["verificationMethod"]
    assert [m["id"] for m in document["verificationMethod"]] == [method]
    assert document["verificationMethod"][0]["publicKeyMultibase"].startswith("z6Mk")
    assert client.get("/issuer/").json() == document


def test_status_list_flips_on_revocation(client, certificate, instructor):
    index = int(json.loads(certificate.credential)["credentialStatus"]["statusListIndex"])
    listed = client.get("/credentials/status/1/").json()
    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert not bitstring_is_set(listed["credentialSubject"]["encodedList"], index)
    certificate_revoke(certificate=certificate, by=instructor, reason="Issued in error")
    listed = client.get("/credentials/status/1/").json()
    assert bitstring_is_set(listed["credentialSubject"]["encodedList"], index)
    assert client.get("/credentials/status/2/").status_code == 404


# Checking uploaded credentials


def _upload(client, name, data, content_type="application/octet-stream"):
    return client.post(
        "/verify/", {"file": SimpleUploadedFile(name, data, content_type=content_type)}
    )


def test_uploading_the_certificate_pdf_verifies_it(client, certificate):
    with certificate.pdf_a4.open("rb") as handle:
        response = _upload(client, "certificate.pdf", handle.read(), "application/pdf")
    check = response.context["check"]
    assert response.status_code == 200
    assert check.outcome == "valid"
    assert (check.learner_name, check.course_title, check.result) == (
        "Ada Lovelace",
        "Prioritization in Practice",
        "Distinction",
    )
    assert "Genuine and valid" in response.content.decode()
    assert check.cryptosuites == ("eddsa-rdfc-2022", "eddsa-jcs-2022")
    assert "<code>eddsa-rdfc-2022</code>, <code>eddsa-jcs-2022</code>" in response.content.decode()


def test_uploading_the_json_of_a_revoked_certificate_says_revoked(client, certificate, instructor):
    certificate_revoke(certificate=certificate, by=instructor, reason="Issued in error")
    response = _upload(client, "credential.json", certificate.credential.encode())
    assert response.context["check"].outcome == "revoked"


def test_an_expired_credential_says_expired(client, learner, catalog):
    from certificates.services import certificate_issue
    from tests.factories import completed, course_page

    course = course_page(
        catalog, slug="short", title="Short", certificate_valid_months=1, skills=()
    )
    completed(learner, course)
    certificate = certificate_issue(learner=learner, course=course)
    from certificates.verification import credential_check

    later = timezone.now() + timedelta(days=40)
    assert credential_check(data=certificate.credential.encode(), at=later).outcome == "expired"
    assert credential_check(data=certificate.credential.encode()).outcome == "valid"


def test_a_changed_byte_in_the_credential_fails(client, certificate):
    tampered = certificate.credential.replace('"Distinction"', '"Distinctiom"', 1)
    assert tampered != certificate.credential
    response = _upload(client, "credential.json", tampered.encode())
    assert response.status_code == 422
    assert response.context["check"].outcome == "invalid"
    assert "Not genuine" in response.content.decode()


def test_editing_the_pdfs_visible_text_changes_nothing(client, certificate):
    """A forged page with another name, carrying the genuine credential, verifies as what was signed."""
    forged_document = certificate_document(certificate=certificate)
    forged_document = forged_document.__class__(
        **{**forged_document.__dict__, "learner_name": "Mallory Forger"}
    )
    forged = certificate_pdf(
        forged_document, page_size=PageSize.A4, credential_json=certificate.credential
    )
    assert "Mallory Forger" in PdfReader(io.BytesIO(forged)).pages[0].extract_text()
    check = _upload(client, "forged.pdf", forged).context["check"]
    assert check.outcome == "valid"
    assert check.learner_name == "Ada Lovelace"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.txt", b"hello, world", "neither a certificate PDF nor a JSON credential"),
        ("list.json", b"[1, 2, 3]", "expected an object"),
        ("broken.pdf", b"%PDF-1.7\n garbage that is not a pdf", "The PDF could not be read."),
        ("deep.json", b"[" * 100000, "neither a certificate PDF nor a JSON credential"),
        ("empty.json", b"{}", "The credential carries no proof."),
    ],
)
def test_bad_uploads_get_a_clear_answer(client, certificate, name, data, message):
    response = _upload(client, name, data)
    assert response.status_code == 422
    assert message in response.content.decode()


def test_a_pdf_without_a_credential_is_unreadable(client, certificate):
    plain = certificate_pdf(certificate_document(certificate=certificate), page_size=PageSize.A4)
    response = _upload(client, "plain.pdf", plain)
    assert response.context["check"].outcome == "unreadable"
    assert "The PDF has no credential attached" in response.content.decode()


def test_oversized_uploads_are_refused_before_parsing(client, certificate):
    response = _upload(client, "huge.pdf", b"%PDF-" + b"0" * (3 * 1024 * 1024 + 1))
    assert response.status_code == 200
    assert response.context["check"] is None
    assert "certificates are under 3 MB" in response.content.decode()


# Commands


def test_verify_credential_command_reads_json_and_pdf(certificate, tmp_path, capsys):
    json_path = tmp_path / "credential.json"
    json_path.write_text(certificate.credential)
    call_command("verify_credential", str(json_path))
    out = capsys.readouterr().out
    assert "Outcome: Valid" in out
    assert "Awarded to: Ada Lovelace" in out
    pdf_path = tmp_path / "certificate.pdf"
    with certificate_letter_render(certificate=certificate).pdf_letter.open("rb") as handle:
        pdf_path.write_bytes(handle.read())
    call_command("verify_credential", str(pdf_path))
    assert "Outcome: Valid" in capsys.readouterr().out
    json_path.write_text(certificate.credential.replace("Ada Lovelace", "Ada Lovelacf"))
    with pytest.raises(SystemExit) as exited:
        call_command("verify_credential", str(json_path))
    assert exited.value.code == 1
    assert "Outcome: Not genuine" in capsys.readouterr().out


def test_rotating_the_key_keeps_issued_credentials_valid(certificate, learner, catalog, capsys):
    from certificates.services import certificate_issue
    from certificates.verification import credential_check
    from tests.factories import completed, course_page

    old_method = json.loads(certificate.credential)["proof"][0]["verificationMethod"]
    call_command("rotate_signing_key")
    assert "New signing key: http://testserver/issuer/#ed25519-" in capsys.readouterr().out
    course = course_page(catalog, slug="second", title="Second", skills=())
    completed(learner, course)
    newer = certificate_issue(learner=learner, course=course)
    new_method = json.loads(newer.credential)["proof"][0]["verificationMethod"]
    assert new_method != old_method
    assert credential_check(data=certificate.credential.encode()).outcome == "valid"
    assert credential_check(data=newer.credential.encode()).outcome == "valid"
