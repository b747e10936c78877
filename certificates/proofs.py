"""Data Integrity proofs: eddsa-rdfc-2022 and eddsa-jcs-2022 (W3C vc-di-eddsa), Django-free.

Both suites sign with Ed25519 over `SHA-256(canonical proof configuration) ||
SHA-256(canonical document)`, and store the signature base58-btc encoded in `proofValue`. They
differ in the canonical form:

- **eddsa-rdfc-2022** canonicalises the JSON-LD as RDF (RDFC-1.0, `certificates.jsonld`). It is
  the suite 1EdTech's Open Badges 3.0 conformance names.
- **eddsa-jcs-2022** canonicalises the JSON itself (JCS, RFC 8785, `certificates.jcs`): no
  JSON-LD processing, so anyone can check it with a JSON library and Ed25519.

A credential carries one proof per configured suite, as an array (a proof set: each proof
signs the document without its `proof`), because the Open Badges 3.0 schema wants an array.

Since the vc-di-eddsa change of June 2024, an eddsa-jcs-2022 proof stores the document's
`@context` in the proof and the proof options are hashed exactly as stored. Credentials issued
before then hashed the document's `@context` with the options without storing it; `proof_verify`
accepts that form too, so nothing already issued stops verifying.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .credentials import timestamp
from .jcs import canonicalize as canonicalize_json
from .jsonld import CanonicalizationError, canonicalize_rdf
from .keys import SigningKey
from .multibase import MultibaseError, decode_z, encode_z

EDDSA_RDFC_2022 = "eddsa-rdfc-2022"
EDDSA_JCS_2022 = "eddsa-jcs-2022"
CRYPTOSUITES = (EDDSA_RDFC_2022, EDDSA_JCS_2022)
#: A credential we issue carries at most one proof per suite; more is not ours.
MAX_PROOFS = len(CRYPTOSUITES)


class UnknownCryptosuite(ValueError):
    pass


def proof_add(
    document: dict[str, Any],
    *,
    key: SigningKey,
    verification_method: str,
    created: datetime,
    cryptosuites: Sequence[str] = CRYPTOSUITES,
) -> dict[str, Any]:
    """Return a copy of `document` with a proof set: one DataIntegrityProof per suite.

    Signing is deterministic (Ed25519, fixed `created`), so signing the same document with the
    same key again gives the same bytes.
    """
    unknown = [suite for suite in cryptosuites if suite not in CRYPTOSUITES]
    if unknown or not cryptosuites:
        raise UnknownCryptosuite(f"cannot sign with {unknown or 'no cryptosuite'}")
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    proofs = []
    for suite in dict.fromkeys(cryptosuites):
        options: dict[str, Any] = {
            "type": "DataIntegrityProof",
            "cryptosuite": suite,
            "created": timestamp(created),
            "verificationMethod": verification_method,
            "proofPurpose": "assertionMethod",
        }
        if suite == EDDSA_JCS_2022 and "@context" in unsecured:
            options["@context"] = copy.deepcopy(unsecured["@context"])
        signature = key.sign(hash_data(suite, unsecured, options))
        proofs.append({**options, "proofValue": encode_z(signature)})
    secured = copy.deepcopy(unsecured)
    secured["proof"] = proofs
    return secured


def hash_data(suite: str, unsecured: dict[str, Any], options: dict[str, Any]) -> bytes:
    """The bytes an Ed25519 signature covers: hash of the proof configuration, then the document.

    `options` are the proof options as stored (no `proofValue`). For eddsa-jcs-2022 they are
    hashed as they are; for eddsa-rdfc-2022 the proof configuration takes the document's
    `@context`, as the suite's Proof Configuration algorithm says.
    """
    if suite == EDDSA_JCS_2022:
        config, document = canonicalize_json(options), canonicalize_json(unsecured)
    elif suite == EDDSA_RDFC_2022:
        config = canonicalize_rdf({**options, "@context": unsecured.get("@context")})
        document = canonicalize_rdf(unsecured)
    else:
        raise UnknownCryptosuite(suite)
    return hashlib.sha256(config).digest() + hashlib.sha256(document).digest()


def gettext_noop(message: str) -> str:
    """Marks a reason for the message catalogue (makemessages) without importing Django:
    certificates.verification translates it for the page that shows it."""
    return message


@dataclass(frozen=True)
class ProofCheck:
    ok: bool
    reason: str
    verification_method: str = ""
    #: The suites whose proofs verified, in the credential's order.
    cryptosuites: tuple[str, ...] = ()


def proof_verify(
    document: Any, *, resolve_key: Callable[[str], Ed25519PublicKey | None]
) -> ProofCheck:
    """Check every proof of the document; `resolve_key` maps a verificationMethod id to a key.

    The proof may be one object or an array of them (a proof set). Every proof must be one of
    our suites and verify: a credential whose proofs disagree is not genuine.
    """
    if not isinstance(document, dict):
        return ProofCheck(False, gettext_noop("The credential is not a JSON object."))
    proofs = document.get("proof")
    if isinstance(proofs, dict):
        proofs = [proofs]
    if not isinstance(proofs, list) or not proofs:
        return ProofCheck(False, gettext_noop("The credential carries no proof."))
    if len(proofs) > MAX_PROOFS or not all(isinstance(proof, dict) for proof in proofs):
        return ProofCheck(
            False, gettext_noop("The credential's proofs are not ones this issuer makes.")
        )
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    verified: list[str] = []
    method = ""
    for proof in proofs:
        check = _verify_one(unsecured, proof, resolve_key)
        if not check.ok:
            return check
        verified.append(proof["cryptosuite"])
        method = check.verification_method
    return ProofCheck(True, gettext_noop("The signature is valid."), method, tuple(verified))


def _verify_one(
    unsecured: dict[str, Any],
    proof: dict[str, Any],
    resolve_key: Callable[[str], Ed25519PublicKey | None],
) -> ProofCheck:
    suite = proof.get("cryptosuite")
    if proof.get("type") != "DataIntegrityProof" or suite not in CRYPTOSUITES:
        return ProofCheck(
            False, gettext_noop("The proof is not an eddsa-rdfc-2022 or eddsa-jcs-2022 proof.")
        )
    if proof.get("proofPurpose") != "assertionMethod":
        return ProofCheck(False, gettext_noop("The proof was not made to assert a credential."))
    method = proof.get("verificationMethod")
    if not isinstance(method, str):
        return ProofCheck(False, gettext_noop("The proof names no verification method."))
    public_key = resolve_key(method)
    if public_key is None:
        return ProofCheck(
            False, gettext_noop("The proof was made with a key this issuer does not publish.")
        )
    try:
        signature = decode_z(proof.get("proofValue", ""))
    except MultibaseError:
        return ProofCheck(False, gettext_noop("The proof value is not base58-btc."), method)
    options = {name: value for name, value in proof.items() if name != "proofValue"}
    document = _document_for(unsecured, options, suite)
    if document is None:
        return ProofCheck(
            False, gettext_noop("The proof's @context does not match the credential's."), method
        )
    try:
        public_key.verify(signature, hash_data(suite, document, options))
    except InvalidSignature:
        return ProofCheck(
            False, gettext_noop("The signature does not match the credential's contents."), method
        )
    except CanonicalizationError as exc:
        return ProofCheck(False, str(exc), method)
    except (TypeError, ValueError):
        return ProofCheck(
            False,
            gettext_noop("The credential contains values that cannot be canonicalised."),
            method,
        )
    return ProofCheck(True, gettext_noop("The signature is valid."), method, (suite,))


def _document_for(
    unsecured: dict[str, Any], options: dict[str, Any], suite: str
) -> dict[str, Any] | None:
    """The document a proof was made over, per the suite's verification algorithm.

    A proof that stores `@context` must name a prefix of the document's contexts, and the
    document is then read with the proof's. An eddsa-jcs-2022 proof without one is the
    pre-2024 form, whose proof configuration took the document's `@context` unstored.
    """
    if "@context" in options:
        stored, contexts = _as_list(options["@context"]), _as_list(unsecured.get("@context"))
        if stored is None or contexts is None or contexts[: len(stored)] != stored:
            return None
        return {**unsecured, "@context": options["@context"]}
    if suite == EDDSA_JCS_2022 and "@context" in unsecured:
        options["@context"] = unsecured["@context"]
    return unsecured


def _as_list(value: Any) -> list[Any] | None:
    if isinstance(value, list):
        return value
    if isinstance(value, str | dict):
        return [value]
    return None


def suites_named(values: Iterable[str]) -> tuple[str, ...]:
    """Validate a configured list of suites (the PMA_CREDENTIAL_CRYPTOSUITES setting)."""
    suites = tuple(dict.fromkeys(values))
    unknown = [suite for suite in suites if suite not in CRYPTOSUITES]
    if unknown or not suites:
        raise UnknownCryptosuite(
            f"PMA_CREDENTIAL_CRYPTOSUITES must name one or more of {', '.join(CRYPTOSUITES)}; "
            f"got {list(values)!r}"
        )
    return suites
