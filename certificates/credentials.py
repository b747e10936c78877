"""Open Badges 3.0 credentials and their Data Integrity proofs (eddsa-jcs-2022).

Django-free: it turns plain claims into a W3C Verifiable Credential (data model 2.0),
signs it with an Ed25519 key, checks a proof, and reads and writes the Bitstring
Status List that says which credentials are revoked.

eddsa-jcs-2022, in short: hash the JCS form of the proof options (with the
document's @context) and the JCS form of the document without its proof, join the
two SHA-256 digests, sign that with Ed25519, and store the signature as base58-btc.
"""

from __future__ import annotations

import copy
import gzip
import hashlib
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .jcs import canonicalize
from .keys import SigningKey
from .multibase import MultibaseError, decode_u, decode_z, encode_u, encode_z

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CRYPTOSUITE = "eddsa-jcs-2022"
# The smallest list the Bitstring Status List spec allows (16 KiB), for herd privacy.
STATUS_LIST_SIZE = 131_072
MAX_STATUS_LIST_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Issuer:
    id: str
    name: str
    url: str

    def profile(self) -> dict[str, Any]:
        return {"id": self.id, "type": ["Profile"], "name": self.name, "url": self.url}


@dataclass(frozen=True)
class CredentialClaims:
    """Everything a certificate asserts, already snapshotted at issue time."""

    credential_id: str
    issuer: Issuer
    learner_name: str
    achievement_id: str
    course_title: str
    course_description: str
    criteria: str
    skills: list[str]
    score_band: str
    score_bands: list[str]
    issued_at: datetime
    expires_at: datetime | None
    status_list_url: str
    status_index: int
    instructor_name: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def credential_build(claims: CredentialClaims) -> dict[str, Any]:
    achievement: dict[str, Any] = {
        "id": claims.achievement_id,
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": claims.course_title,
        "description": claims.course_description
        or f"Completion of the course {claims.course_title}.",
        "criteria": {"narrative": claims.criteria},
        "creator": claims.issuer.profile(),
        "resultDescription": [
            {
                "id": f"{claims.achievement_id}-band",
                "type": ["ResultDescription"],
                "name": "Score band",
                "resultType": "PerformanceLevel",
                "allowedValue": list(claims.score_bands),
            }
        ],
    }
    if claims.skills:
        achievement["tag"] = list(claims.skills)
    document: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": claims.credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": claims.course_title,
        "issuer": claims.issuer.profile(),
        "validFrom": timestamp(claims.issued_at),
        "awardedDate": timestamp(claims.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            # OB 3.0 names a recipient with an IdentityObject; identityType "name" with
            # hashed=false carries the printed name itself, as the PDF shows it.
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": claims.learner_name,
                }
            ],
            "achievement": achievement,
            "result": [
                {
                    "type": ["Result"],
                    "resultDescription": f"{claims.achievement_id}-band",
                    "value": claims.score_band,
                }
            ],
        },
        "credentialStatus": {
            "id": f"{claims.status_list_url}#{claims.status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(claims.status_index),
            "statusListCredential": claims.status_list_url,
        },
    }
    if claims.expires_at is not None:
        document["validUntil"] = timestamp(claims.expires_at)
    document.update(claims.extra)
    return document


def timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("credential timestamps must be timezone-aware")
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


# Proofs


def proof_add(
    document: dict[str, Any], *, key: SigningKey, verification_method: str, created: datetime
) -> dict[str, Any]:
    """Return a copy of `document` with an eddsa-jcs-2022 DataIntegrityProof."""
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": timestamp(created),
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    signature = key.sign(_hash_data(unsecured, options))
    secured = copy.deepcopy(unsecured)
    secured["proof"] = {**options, "proofValue": encode_z(signature)}
    return secured


@dataclass(frozen=True)
class ProofCheck:
    ok: bool
    reason: str
    verification_method: str = ""


def proof_verify(
    document: Any, *, resolve_key: Callable[[str], Ed25519PublicKey | None]
) -> ProofCheck:
    """Check the document's proof; `resolve_key` maps a verificationMethod id to a key."""
    if not isinstance(document, dict):
        return ProofCheck(False, "The credential is not a JSON object.")
    proof = document.get("proof")
    if not isinstance(proof, dict):
        return ProofCheck(False, "The credential carries no proof.")
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != CRYPTOSUITE:
        return ProofCheck(False, f"The proof is not a {CRYPTOSUITE} Data Integrity proof.")
    if proof.get("proofPurpose") != "assertionMethod":
        return ProofCheck(False, "The proof was not made to assert a credential.")
    method = proof.get("verificationMethod")
    if not isinstance(method, str):
        return ProofCheck(False, "The proof names no verification method.")
    public_key = resolve_key(method)
    if public_key is None:
        return ProofCheck(False, "The proof was made with a key this issuer does not publish.")
    try:
        signature = decode_z(proof.get("proofValue", ""))
    except MultibaseError:
        return ProofCheck(False, "The proof value is not base58-btc.", method)
    options = {name: value for name, value in proof.items() if name != "proofValue"}
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    try:
        public_key.verify(signature, _hash_data(unsecured, options))
    except InvalidSignature:
        return ProofCheck(False, "The signature does not match the credential's contents.", method)
    except (TypeError, ValueError):
        return ProofCheck(
            False, "The credential contains values that cannot be canonicalised.", method
        )
    return ProofCheck(True, "The signature is valid.", method)


def _hash_data(unsecured: dict[str, Any], options: dict[str, Any]) -> bytes:
    proof_config = dict(options)
    if "@context" in unsecured:
        proof_config["@context"] = unsecured["@context"]
    return (
        hashlib.sha256(canonicalize(proof_config)).digest()
        + hashlib.sha256(canonicalize(unsecured)).digest()
    )


# Bitstring Status List


def bitstring_encode(indices: Iterable[int], *, size: int = STATUS_LIST_SIZE) -> str:
    """The `encodedList` for a list where the given indices are set (revoked)."""
    bits = bytearray(size // 8)
    for index in indices:
        if not 0 <= index < size:
            raise ValueError(f"status index {index} is outside the list")
        # Index 0 is the left-most (most significant) bit of the first byte.
        bits[index // 8] |= 0x80 >> (index % 8)
    return encode_u(gzip.compress(bytes(bits), mtime=0))


def bitstring_is_set(encoded: str, index: int) -> bool:
    compressed = decode_u(encoded)
    with gzip.GzipFile(fileobj=io.BytesIO(compressed)) as stream:
        bits = stream.read(MAX_STATUS_LIST_BYTES + 1)
    if len(bits) > MAX_STATUS_LIST_BYTES:
        raise ValueError("status list is too large")
    if not 0 <= index < len(bits) * 8:
        raise ValueError(f"status index {index} is outside the list")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_list_build(
    *, list_url: str, issuer: Issuer, revoked_indices: Iterable[int], valid_from: datetime
) -> dict[str, Any]:
    return {
        "@context": [VC_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.profile(),
        "validFrom": timestamp(valid_from),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": bitstring_encode(revoked_indices),
        },
    }
