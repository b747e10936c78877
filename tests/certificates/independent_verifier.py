"""A Data Integrity verifier written from the W3C vc-di-eddsa text, apart from our signing code.

It imports nothing from `certificates`: JCS comes from the `jcs` package, RDF canonicalisation
from `pyld` (driven directly, with its own context cache), base58 from `base58`, Ed25519 from
`cryptography`. It reads the JSON-LD context files as data. If our signer and this verifier
disagree, one of them misreads the specification, and the tests say which byte differs.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import base58
import jcs
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pyld import jsonld
from pyld.context_resolver import ContextResolver

ROOT = Path(__file__).resolve().parents[2]
_CONTEXT_PATHS = {
    "https://www.w3.org/ns/credentials/v2": ROOT / "certificates/contexts/credentials-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": ROOT
    / "certificates/contexts/ob-v3p0-context-3.0.3.json",
    "https://www.w3.org/ns/credentials/examples/v2": ROOT
    / "tests/fixtures/credentials/vc-di-eddsa/credentials-examples-v2.jsonld",
}
ED25519_MULTICODEC = b"\xed\x01"


def _loader(url, options=None):
    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": json.loads(_CONTEXT_PATHS[url].read_text(encoding="utf-8")),
    }


def rdfc(document: dict) -> bytes:
    return jsonld.normalize(
        document,
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": _loader,
            "contextResolver": ContextResolver({}, _loader),
        },
    ).encode("utf-8")


def public_key_from_multikey(multikey: str) -> Ed25519PublicKey:
    assert multikey.startswith("z")
    raw = base58.b58decode(multikey[1:])
    assert raw[:2] == ED25519_MULTICODEC
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def hash_data(suite: str, unsecured: dict, proof_options: dict) -> bytes:
    """proofConfig hash || document hash, per the suite's Hashing algorithm."""
    if suite == "eddsa-jcs-2022":
        config, document = jcs.canonicalize(proof_options), jcs.canonicalize(unsecured)
    elif suite == "eddsa-rdfc-2022":
        config = rdfc({**proof_options, "@context": unsecured["@context"]})
        document = rdfc(unsecured)
    else:
        raise ValueError(suite)
    return hashlib.sha256(config).digest() + hashlib.sha256(document).digest()


def verify_proof(document: dict, proof: dict, public_key: Ed25519PublicKey) -> bool:
    """Verify one proof of a secured document (the current text: options hashed as stored)."""
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    options = {name: value for name, value in proof.items() if name != "proofValue"}
    if "@context" in options:
        contexts = unsecured["@context"]
        if contexts[: len(options["@context"])] != options["@context"]:
            return False
        unsecured["@context"] = options["@context"]
    assert proof["proofValue"].startswith("z")
    signature = base58.b58decode(proof["proofValue"][1:])
    try:
        public_key.verify(signature, hash_data(proof["cryptosuite"], unsecured, options))
    except InvalidSignature:
        return False
    return True


def proofs(document: dict) -> list[dict]:
    value = document["proof"]
    return value if isinstance(value, list) else [value]
