"""Credentials as PM Academy signed them before issue 21, for tests of what was already issued.

Then: one proof object (not a proof set), eddsa-jcs-2022 only, and the pre-June-2024 reading of
vc-di-eddsa: the document's @context hashed with the proof options but not stored in the proof.
Written with the `jcs` package, not our signer.
"""

from __future__ import annotations

import hashlib
from typing import Any

import jcs

from certificates.keys import SigningKey
from certificates.multibase import encode_z


def pre_2024_form(document: dict[str, Any], key: SigningKey, *, created: str) -> dict[str, Any]:
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "created": created,
        "verificationMethod": _method(document),
        "proofPurpose": "assertionMethod",
    }
    config = {**options, "@context": unsecured["@context"]}
    data = (
        hashlib.sha256(jcs.canonicalize(config)).digest()
        + hashlib.sha256(jcs.canonicalize(unsecured)).digest()
    )
    return {**unsecured, "proof": {**options, "proofValue": encode_z(key.sign(data))}}


def _method(document: dict[str, Any]) -> str:
    proof = document["proof"]
    return (proof[0] if isinstance(proof, list) else proof)["verificationMethod"]
