"""Checking a credential someone hands us: as JSON, or inside a certificate PDF.

Everything shown as the result comes from the signed data, never from the PDF's
visible text, so editing the printed page cannot change what verification says.
Inputs are untrusted: sizes are capped before parsing and every parse error ends
in an `unreadable` outcome rather than an exception.
"""

from __future__ import annotations

import io
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models
from django.urls import NoReverseMatch, resolve
from django.urls.exceptions import Resolver404
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import issuer as issuer_module
from .credentials import STATUS_LIST_SIZE, parse_timestamp, status_list_build
from .dates import long_date
from .models import ScoreBand
from .proofs import proof_add, proof_verify
from .selectors import certificate_by_code, position_is_revoked, revoked_positions

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 3 * 1024 * 1024
MAX_CREDENTIAL_BYTES = 256 * 1024
_PDF_MAGIC = b"%PDF-"


class CheckOutcome(models.TextChoices):
    VALID = "valid", _("Valid")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")
    NOT_YET_VALID = "not_yet_valid", _("Not yet valid")
    INVALID = "invalid", _("Not genuine")
    UNREADABLE = "unreadable", _("Unreadable")


@dataclass
class CredentialCheck:
    outcome: CheckOutcome
    reasons: list[str] = field(default_factory=list)
    learner_name: str = ""
    course_title: str = ""
    issuer_name: str = ""
    issued_at: datetime | None = None
    expires_at: datetime | None = None
    skills: list[str] = field(default_factory=list)
    result: str = ""
    credential_id: str = ""
    #: The Data Integrity suites whose proofs verified, in the credential's order.
    cryptosuites: tuple[str, ...] = ()
    #: The holder's copy names the learner, but the learner has since closed their account and
    #: had their name removed from our records.
    name_withheld_here: bool = False

    @property
    def result_display(self) -> str:
        """The result in the visitor's language when it is one of our score bands (the signed
        value is English data); any other value as it stands."""
        with translation.override("en"):
            bands = {str(label): label for _value, label in ScoreBand.choices}
        label = bands.get(self.result)
        return str(label) if label is not None else self.result

    @property
    def signature_ok(self) -> bool:
        return self.outcome not in {CheckOutcome.INVALID, CheckOutcome.UNREADABLE}


class UnreadableCredential(ValueError):
    pass


def credential_check(*, data: bytes, at: datetime | None = None) -> CredentialCheck:
    """Verify signature, validity period and revocation of a credential (JSON or PDF bytes)."""
    try:
        document = credential_from_bytes(data)
    except UnreadableCredential as exc:
        return CredentialCheck(CheckOutcome.UNREADABLE, [str(exc)])
    return credential_document_check(document=document, at=at)


def credential_from_bytes(data: bytes) -> dict[str, Any]:
    if len(data) > MAX_UPLOAD_BYTES:
        raise UnreadableCredential(
            gettext("The file is larger than %(megabytes)s MB.")
            % {"megabytes": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    if data.lstrip()[:5] == _PDF_MAGIC:
        data = _credential_from_pdf(data)
    if len(data) > MAX_CREDENTIAL_BYTES:
        raise UnreadableCredential(gettext("The credential is larger than any we issue."))
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise UnreadableCredential(
            gettext("The file is neither a certificate PDF nor a JSON credential.")
        ) from exc
    if not isinstance(document, dict):
        raise UnreadableCredential(gettext("The JSON is not a credential (expected an object)."))
    return document


def _credential_from_pdf(data: bytes) -> bytes:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        attachments = reader.attachments
        candidates = [name for name in attachments if name.endswith(".json")]
        if not candidates:
            raise UnreadableCredential(
                gettext("The PDF has no credential attached. Is it a PM Academy certificate?")
            )
        contents = attachments[sorted(candidates)[0]]
    except UnreadableCredential:
        raise
    except Exception as exc:  # pypdf raises many exception types on hostile input
        logger.info("unreadable PDF upload: %s", type(exc).__name__)
        raise UnreadableCredential(gettext("The PDF could not be read.")) from exc
    if not contents:
        raise UnreadableCredential(gettext("The PDF's credential attachment is empty."))
    return contents[0]


def credential_document_check(
    *, document: dict[str, Any], at: datetime | None = None
) -> CredentialCheck:
    moment = at or timezone.now()
    check = _claims(document)
    proof = proof_verify(document, resolve_key=issuer_module.resolve_key)
    if not proof.ok:
        check.outcome = CheckOutcome.INVALID
        check.reasons.append(gettext(proof.reason))
        return check
    check.cryptosuites = proof.cryptosuites
    check.reasons.append(
        gettext("The signature is valid: the credential is unchanged since PM Academy signed it.")
    )
    valid_from = parse_timestamp(document.get("validFrom"))
    valid_until = parse_timestamp(document.get("validUntil")) if "validUntil" in document else None
    if valid_from is None:
        check.outcome = CheckOutcome.INVALID
        check.reasons.append(gettext("The credential has no valid issue date."))
        return check
    revoked = _is_revoked(document.get("credentialStatus"))
    if revoked is None:
        check.outcome = CheckOutcome.INVALID
        check.reasons.append(gettext("The credential's revocation status cannot be checked."))
    elif revoked:
        check.outcome = CheckOutcome.REVOKED
        check.reasons.append(gettext("The issuer has revoked this credential."))
    elif valid_until is not None and valid_until <= moment:
        check.outcome = CheckOutcome.EXPIRED
        check.reasons.append(
            gettext("The credential expired on %(date)s.") % {"date": long_date(valid_until)}
        )
    elif valid_from > moment:
        check.outcome = CheckOutcome.NOT_YET_VALID
        check.reasons.append(gettext("The credential is not valid yet."))
    else:
        check.outcome = CheckOutcome.VALID
        check.reasons.append(gettext("It has not been revoked and has not expired."))
    if _name_withheld_here(document.get("id")):
        check.name_withheld_here = True
        check.reasons.append(
            gettext(
                "This copy names the learner, but our records no longer do: the learner has "
                "since closed their account and asked us to remove their name."
            )
        )
    return check


def _name_withheld_here(credential_id: Any) -> bool:
    """Whether the credential is one of ours whose learner had their name removed since."""
    base = issuer_module.base_url()
    if not isinstance(credential_id, str) or not credential_id.startswith(base + "/"):
        return False
    try:
        match = resolve(credential_id[len(base) :])
    except (Resolver404, NoReverseMatch):
        return False
    if match.view_name != "certificates:verify":
        return False
    certificate = certificate_by_code(code=match.kwargs["code"])
    return certificate is not None and certificate.name_withheld


def status_list_credential(*, list_number: int) -> dict[str, Any]:
    """Our signed revocation list number `list_number`, as served publicly."""
    key = issuer_module.key_store().current()
    document = status_list_build(
        list_url=issuer_module.status_list_url(list_number),
        issuer=issuer_module.issuer(),
        revoked_indices=revoked_positions(list_number=list_number),
        valid_from=timezone.now(),
    )
    return proof_add(
        document,
        key=key,
        verification_method=issuer_module.verification_method(key),
        created=timezone.now(),
        cryptosuites=issuer_module.cryptosuites(),
    )


def _is_revoked(entry: Any) -> bool | None:
    """True/False from our status list, or None when the entry does not point at one of ours."""
    if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
        return None
    if entry.get("statusPurpose") != "revocation":
        return None
    list_url, index = entry.get("statusListCredential"), entry.get("statusListIndex")
    list_number = _our_status_list_number(list_url)
    if list_number is None or not isinstance(index, str) or not re.fullmatch(r"\d{1,7}", index):
        return None
    position = int(index)
    if position >= STATUS_LIST_SIZE:
        return None
    # The list is ours: read the revocations it publishes from where it is built, rather than
    # signing a copy only to decode it again.
    return position_is_revoked(list_number=list_number, position=position)


def _our_status_list_number(url: Any) -> int | None:
    base = issuer_module.base_url()
    if not isinstance(url, str) or not url.startswith(base + "/"):
        return None
    try:
        match = resolve(url[len(base) :])
    except (Resolver404, NoReverseMatch):
        return None
    if match.view_name != "certificates:status_list":
        return None
    return int(match.kwargs["list_number"])


def _claims(document: dict[str, Any]) -> CredentialCheck:
    """Read what the credential says, defensively; values are only shown after the proof holds."""
    check = CredentialCheck(CheckOutcome.UNREADABLE)
    subject = _mapping(document.get("credentialSubject"))
    achievement = _mapping(subject.get("achievement"))
    issuer = _mapping(document.get("issuer"))
    for identifier in _sequence(subject.get("identifier")):
        if isinstance(identifier, dict) and identifier.get("identityType") == "name":
            check.learner_name = str(identifier.get("identityHash", ""))
    check.course_title = str(achievement.get("name", ""))
    check.issuer_name = str(issuer.get("name", ""))
    check.issued_at = parse_timestamp(document.get("validFrom"))
    check.expires_at = parse_timestamp(document.get("validUntil"))
    check.skills = [str(tag) for tag in _sequence(achievement.get("tag"))]
    results = _sequence(subject.get("result"))
    if results and isinstance(results[0], dict):
        check.result = str(results[0].get("value", ""))
    check.credential_id = str(document.get("id", ""))
    return check


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _sequence(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
