"""Open Badges 3.0 credentials and Bitstring Status Lists, Django-free.

It turns plain claims into a W3C Verifiable Credential (data model 2.0), and reads and writes
the Bitstring Status List that says which credentials are revoked. `certificates.proofs` signs
and checks them.
"""

from __future__ import annotations

import gzip
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .multibase import decode_u, encode_u

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
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
    """The unsigned OpenBadgeCredential.

    Each fact appears once. In RDF (what eddsa-rdfc-2022 signs) a node that appears twice is
    one node, so a second copy of the issuer as the achievement's `creator` would let either
    copy's fields be renamed away without changing the signed graph.
    """
    achievement: dict[str, Any] = {
        "id": claims.achievement_id,
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": claims.course_title,
        "description": claims.course_description
        or f"Completion of the course {claims.course_title}.",
        "criteria": {"narrative": claims.criteria},
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
    return _without_control_characters(document)


# Control characters other than tab, line feed and carriage return: no reader needs them in a
# credential, and RDFC-1.0's canonical N-Quads escape them differently from URDNA2015 (which
# pyld implements), so keeping them out keeps both readings of a signed credential the same.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _without_control_characters(value: Any) -> Any:
    if isinstance(value, str):
        return _CONTROL_CHARACTERS.sub("", value)
    if isinstance(value, list):
        return [_without_control_characters(item) for item in value]
    if isinstance(value, dict):
        return {name: _without_control_characters(item) for name, item in value.items()}
    return value


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
