"""Our credentials against what others wrote: the W3C vc-di-eddsa test vectors, an independent
verifier (tests/certificates/independent_verifier.py), and the 1EdTech OB 3.0 and W3C VC 2.0
JSON schemas. Fixtures and their origins: tests/fixtures/credentials/README.md."""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jsonschema import Draft201909Validator, Draft202012Validator

from certificates import jsonld as our_jsonld
from certificates.jcs import canonicalize
from certificates.jsonld import CanonicalizationError, canonicalize_rdf
from certificates.keys import SigningKey
from certificates.multibase import base58btc_decode
from certificates.proofs import EDDSA_JCS_2022, EDDSA_RDFC_2022, proof_add, proof_verify

from . import independent_verifier as independent
from .legacy import pre_2024_form

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "credentials"
VECTORS = FIXTURES / "vc-di-eddsa"
EXAMPLES_CONTEXT = "https://www.w3.org/ns/credentials/examples/v2"
SUFFIX = {EDDSA_JCS_2022: "JCS", EDDSA_RDFC_2022: "DataInt"}


def _vector(suite: str, name: str) -> str:
    return (VECTORS / suite / f"{name}{SUFFIX[suite]}").read_text(encoding="utf-8")


def _vector_key() -> SigningKey:
    pair = json.loads((VECTORS / "keyPair.json").read_text())
    secret = base58btc_decode(pair["privateKeyMultibase"][1:])
    assert secret[:2] == b"\x80\x26"  # the multicodec of an Ed25519 private key
    private = Ed25519PrivateKey.from_private_bytes(secret[2:])
    return SigningKey(key_id="vector", public_key=private.public_key(), private_key=private)


@pytest.fixture
def examples_context(monkeypatch):
    """The vectors' examples context, known to the canonicaliser for this test only."""
    monkeypatch.setitem(
        our_jsonld.CONTEXT_FILES, EXAMPLES_CONTEXT, str(VECTORS / "credentials-examples-v2.jsonld")
    )
    monkeypatch.setattr(our_jsonld, "_resolved_contexts", {})


# The W3C test vectors, byte for byte


def _read(suite: str, stem: str, extension: str = "txt") -> str:
    return (VECTORS / suite / f"{stem}{SUFFIX[suite]}.{extension}").read_text(encoding="utf-8")


@pytest.mark.parametrize("suite", [EDDSA_JCS_2022, EDDSA_RDFC_2022])
def test_w3c_vectors_byte_for_byte(suite, examples_context):
    signed = json.loads(_read(suite, "signed", "json"))
    unsecured = {name: value for name, value in signed.items() if name != "proof"}
    config = json.loads(_read(suite, "proofConfig", "json"))
    canonical = canonicalize if suite == EDDSA_JCS_2022 else canonicalize_rdf

    canonical_document = canonical(unsecured)
    canonical_config = canonical(config)
    assert canonical_document.decode() == _read(suite, "canonDoc")
    assert canonical_config.decode() == _read(suite, "proofCanon")
    document_hash = hashlib.sha256(canonical_document).hexdigest()
    config_hash = hashlib.sha256(canonical_config).hexdigest()
    assert document_hash == _read(suite, "docHash").strip()
    assert config_hash == _read(suite, "proofHash").strip()
    assert config_hash + document_hash == _read(suite, "combinedHash").strip()

    # Signing the vector's document with the vector's key gives the vector's proof, exactly.
    key = _vector_key()
    ours = proof_add(
        unsecured,
        key=key,
        verification_method=signed["proof"]["verificationMethod"],
        created=datetime.fromisoformat(signed["proof"]["created"]),
        cryptosuites=[suite],
    )
    assert ours["proof"] == [signed["proof"]]
    signature = base58btc_decode(signed["proof"]["proofValue"][1:])
    assert signature.hex() == _read(suite, "sigHex").strip()
    assert signed["proof"]["proofValue"] == _read(suite, "sigBTC58").strip()
    # Our verifier accepts the vector as published (one proof object, not an array), and so
    # does the independent one: the two readings agree on a document neither of us wrote.
    check = proof_verify(signed, resolve_key=lambda method: key.public_key)
    assert check.ok, check.reason
    assert check.cryptosuites == (suite,)
    assert independent.verify_proof(signed, signed["proof"], key.public_key)


def test_an_unknown_context_is_an_error_not_a_fetch():
    document = {"@context": ["https://attacker.example/context.jsonld"], "name": "x"}
    with pytest.raises(CanonicalizationError, match="never fetched"):
        canonicalize_rdf(document)


def test_a_poison_graph_is_refused_within_the_budget():
    # Blank nodes in one big symmetric cycle: the shape whose canonicalisation is exponential.
    count = 40
    nodes = [
        {"@id": f"_:b{i}", "https://ex.example/p": {"@id": f"_:b{(i + 1) % count}"}}
        for i in range(count)
    ]
    with pytest.raises(CanonicalizationError, match="too complex"):
        canonicalize_rdf({"@context": {}, "@graph": nodes})


def test_shipped_contexts_are_the_published_bytes():
    expected = {
        "credentials-v2.jsonld": "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734",
        "ob-v3p0-context-3.0.3.json": "ef2fa9c7846dce233cc166b43639027278be4ee44f00bb1d45c75de2dd0cd761",
        "data-integrity-v2.jsonld": "67f21e6e33a6c14e5ccfd2fc7865f7474fb71a04af7e94136cb399dfac8ae8f4",
        "multikey-v1.jsonld": "ba2c182de2d92f7e47184bcca8fcf0beaee6d3986c527bf664c195bbc7c58597",
    }
    assert sorted(our_jsonld.CONTEXT_FILES.values()) == sorted(expected)
    for name, digest in expected.items():
        data = (our_jsonld.CONTEXTS_DIR / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, name


# Our credentials, checked by the independent verifier and the schemas


def _published_key(client):
    controller = client.get("/.well-known/pma-issuer-keys.json").json()
    methods = {method["id"]: method for method in controller["verificationMethod"]}
    return lambda method_id: independent.public_key_from_multikey(
        methods[method_id]["publicKeyMultibase"]
    )


def _issued(client, certificate) -> dict:
    response = client.get(f"/certificates/{certificate.code}/credential.json")
    assert response.status_code == 200
    return json.loads(response.content)


@pytest.fixture
def shared_certificate(certificate):
    certificate.shared = True
    certificate.save(update_fields=["shared"])
    return certificate


@pytest.mark.django_db
def test_an_issued_credential_verifies_with_an_independent_verifier(client, shared_certificate):
    document = _issued(client, shared_certificate)
    key_for = _published_key(client)
    assert [proof["cryptosuite"] for proof in document["proof"]] == [
        EDDSA_RDFC_2022,
        EDDSA_JCS_2022,
    ]
    # The current eddsa-jcs-2022 form stores the document's @context in its proof.
    assert document["proof"][1]["@context"] == document["@context"]
    assert "@context" not in document["proof"][0]
    for proof in document["proof"]:
        assert independent.verify_proof(document, proof, key_for(proof["verificationMethod"]))


@pytest.mark.django_db
def test_a_status_list_verifies_with_an_independent_verifier(client, shared_certificate):
    document = _issued(client, shared_certificate)
    status_list = client.get(document["credentialStatus"]["statusListCredential"]).json()
    key_for = _published_key(client)
    assert len(status_list["proof"]) == 2
    for proof in status_list["proof"]:
        assert independent.verify_proof(status_list, proof, key_for(proof["verificationMethod"]))


def _schema(name: str) -> dict:
    return json.loads((FIXTURES / "schemas" / name).read_text(encoding="utf-8"))


def _errors(validator, document) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(document)
    ]


@pytest.mark.django_db
def test_credentials_and_status_lists_pass_the_published_schemas(client, shared_certificate):
    ob_schema = _schema("ob_v3p0_achievementcredential_schema.json")
    document = _issued(client, shared_certificate)
    assert _errors(Draft201909Validator(ob_schema), document) == []

    status_list = client.get(document["credentialStatus"]["statusListCredential"]).json()
    assert (
        _errors(Draft202012Validator(_schema("verifiable-credential-schema.json")), status_list)
        == []
    )
    proof_schema = {
        "$defs": ob_schema["$defs"],
        "type": "array",
        "items": {"$ref": "#/$defs/Proof"},
    }
    assert _errors(Draft201909Validator(proof_schema), status_list["proof"]) == []


@pytest.mark.django_db
def test_the_schema_catches_what_it_should(client, shared_certificate):
    """The schema check is not vacuous: the pre-2024 single proof object fails it."""
    ob_schema = _schema("ob_v3p0_achievementcredential_schema.json")
    document = _issued(client, shared_certificate)
    document["proof"] = document["proof"][0]
    errors = _errors(Draft201909Validator(ob_schema), document)
    assert errors and all(error.startswith("proof: ") for error in errors)


# Tampering: one byte of any field, in each suite


def _leaves(value, path=()):
    if isinstance(value, dict):
        for name, item in value.items():
            yield from _leaves(item, (*path, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    else:
        yield path


def _keys(value, path=()):
    if isinstance(value, dict):
        for name, item in value.items():
            yield (*path, name)
            yield from _keys(item, (*path, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _keys(item, (*path, index))


def _flip_one_byte(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        last = value[-1] if value else "a"
        return value[:-1] + ("b" if last == "a" else "a")
    raise AssertionError(f"unexpected leaf {value!r}")


def _set(document, path, value):
    target = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value


def _get(document, path):
    for step in path:
        document = document[step]
    return document


def _rename(document, path):
    target = _get(document, path[:-1])
    name = path[-1]
    target[name[:-1] + ("b" if name[-1] == "a" else "a")] = target.pop(name)


@pytest.mark.django_db
@pytest.mark.parametrize("suite_index", [0, 1], ids=[EDDSA_RDFC_2022, EDDSA_JCS_2022])
def test_changing_one_byte_of_any_field_fails_in_each_suite(
    client, shared_certificate, suite_index
):
    from certificates.issuer import resolve_key

    issued = _issued(client, shared_certificate)
    key_for = _published_key(client)
    proof = issued["proof"][suite_index]
    alone = {**issued, "proof": [proof]}
    assert proof_verify(alone, resolve_key=resolve_key).ok

    tampered_documents = []
    for path in _leaves(alone):
        if path[:1] == ("proof",) and path[-1] == "proofValue":
            continue
        document = copy.deepcopy(alone)
        _set(document, path, _flip_one_byte(_get(document, path)))
        tampered_documents.append(("value", path, document))
    for path in _keys(alone):
        if path == ("proof",) or isinstance(path[-1], int):
            continue
        document = copy.deepcopy(alone)
        _rename(document, path)
        if "proof" in document:
            tampered_documents.append(("name", path, document))

    assert len(tampered_documents) > 60
    for kind, path, document in tampered_documents:
        assert not proof_verify(document, resolve_key=resolve_key).ok, (kind, path)
        proof_now = document["proof"][0]
        try:
            key = key_for(proof_now["verificationMethod"])
        except KeyError:
            continue  # the independent verifier cannot even find a key: also a failure
        try:
            verified = independent.verify_proof(document, proof_now, key)
        except Exception:  # noqa: BLE001 - a verifier that cannot read it does not accept it
            verified = False
        assert not verified, (kind, path)


# Credentials issued before the June 2024 change keep verifying


@pytest.mark.django_db
def test_the_pre_2024_jcs_form_still_verifies(client, shared_certificate):
    from certificates.issuer import key_store, resolve_key

    document = _issued(client, shared_certificate)
    old = pre_2024_form(document, key_store().current(), created=document["validFrom"])
    check = proof_verify(old, resolve_key=resolve_key)
    assert check.ok, check.reason
    assert check.cryptosuites == (EDDSA_JCS_2022,)
    # A verifier that follows today's text rejects it: the reason to re-sign what was issued.
    key_for = _published_key(client)
    assert not independent.verify_proof(
        old, old["proof"], key_for(old["proof"]["verificationMethod"])
    )
    # Its @context still cannot be swapped: the old form hashed it too.
    swapped = {**old, "@context": [old["@context"][0]]}
    assert not proof_verify(swapped, resolve_key=resolve_key).ok


@pytest.mark.django_db
def test_a_proof_whose_context_is_not_the_documents_prefix_fails(client, shared_certificate):
    from certificates.issuer import resolve_key

    document = _issued(client, shared_certificate)
    document["proof"][1]["@context"] = [
        "https://www.w3.org/ns/credentials/v2",
        "https://x.example/",
    ]
    check = proof_verify(document, resolve_key=resolve_key)
    assert not check.ok
    assert check.reason == "The proof's @context does not match the credential's."
