"""Codes, canonical JSON, multibase, keys, proofs and status lists: the Django-free parts."""

import json
import math
import os
import stat
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certificates.codes import ALPHABET, BODY_LENGTH, code_generate, code_normalise
from certificates.credentials import (
    CredentialClaims,
    Issuer,
    bitstring_encode,
    bitstring_is_set,
    credential_build,
)
from certificates.jcs import canonicalize
from certificates.keys import ENV_PRIVATE_KEY, ENV_RETIRED_KEYS, KeyStore, KeyStoreError
from certificates.multibase import base58btc_decode, base58btc_encode, ed25519_multikey
from certificates.proofs import proof_add, proof_verify

ISSUER = Issuer(id="https://pma.example/issuer/", name="PM Academy", url="https://pma.example/")


def test_codes_are_formatted_random_and_carry_at_least_80_bits():
    codes = {code_generate() for _ in range(2000)}
    assert len(codes) == 2000
    code = next(iter(codes))
    assert code.startswith("PMA-")
    assert [len(group) for group in code.split("-")] == [3, 4, 4, 4, 4, 4]
    assert BODY_LENGTH * math.log2(len(ALPHABET)) >= 80
    assert not set("01OIL") & set(ALPHABET)
    assert set("".join(codes).replace("PMA", "").replace("-", "")) <= set(ALPHABET)


@pytest.mark.parametrize(
    "typed",
    [
        "PMA-7KQ2-M9XD-4HTN-WB3C-R6FE",
        "pma-7kq2-m9xd-4htn-wb3c-r6fe",
        " PMA 7KQ2 M9XD 4HTN WB3C R6FE ",
        "7KQ2M9XD4HTNWB3CR6FE",
        "pma7kq2m9xd4htnwb3cr6fe",
    ],
)
def test_typed_codes_normalise_to_the_canonical_form(typed):
    assert code_normalise(typed) == "PMA-7KQ2-M9XD-4HTN-WB3C-R6FE"


@pytest.mark.parametrize(
    "typed",
    ["", "PMA-", "PMA-7KQ2-M9XD-4HTN-WB3C-R6F0", "PMA-7KQ2-M9XD-4HTN-WB3C", "x" * 500, "<script>"],
)
def test_malformed_codes_normalise_to_none(typed):
    assert code_normalise(typed) is None


def test_jcs_matches_rfc_8785_examples():
    # RFC 8785 section 3.2.2/3.2.3: member order by UTF-16 code units, minimal escaping.
    assert (
        canonicalize({"b": 2, "a": 1, "c": [True, None, False]})
        == b'{"a":1,"b":2,"c":[true,null,false]}'
    )
    assert canonicalize(
        {"\U0001f600": "x", "\ufb33": "y", "\u20ac": "Euro", "\r": "CR", "1": "One", "\u0080": "c"}
    ) == (
        '{"\\r":"CR","1":"One","\u0080":"c","\u20ac":"Euro","\U0001f600":"x","\ufb33":"y"}'.encode()
    )
    assert canonicalize({"s": '\u00e9\n"\\/\x1f'}) == '{"s":"\u00e9\\n\\"\\\\/\\u001f"}'.encode()
    assert canonicalize([1e21, 1e-7, 0.5, -0.0, 100.0, 123456789012345680000.0]) == (
        b"[1e+21,1e-7,0.5,0,100,123456789012345680000]"
    )
    with pytest.raises(ValueError):
        canonicalize(float("nan"))


def test_base58_round_trip_keeps_leading_zero_bytes():
    for data in (b"", b"\0\0abc", os.urandom(64)):
        assert base58btc_decode(base58btc_encode(data)) == data
    assert base58btc_encode(b"Hello World!") == "2NEpo7TZRRrLZSi2U"


def test_key_store_creates_a_private_key_file_on_first_use(tmp_path):
    store = KeyStore(tmp_path / "keys", environ={})
    key = store.current()
    pem = tmp_path / "keys" / f"{key.key_id}.pem"
    assert stat.S_IMODE(pem.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700
    assert (tmp_path / "keys" / "current").read_text() == key.key_id
    assert KeyStore(tmp_path / "keys", environ={}).current().key_id == key.key_id
    assert key.multikey.startswith("z6Mk")


def _claims(**overrides):
    values = {
        "credential_id": "https://pma.example/verify/PMA-7KQ2-M9XD-4HTN-WB3C-R6FE/",
        "issuer": ISSUER,
        "learner_name": "Ada Lovelace",
        "achievement_id": "https://pma.example/courses/prioritization/",
        "course_title": "Prioritization in Practice",
        "course_description": "RICE, Kano, WSJF.",
        "criteria": "Completed the course.",
        "skills": ["RICE", "WSJF"],
        "score_band": "Merit",
        "score_bands": ["Pass", "Merit", "Distinction"],
        "issued_at": datetime(2026, 11, 26, 10, 30, tzinfo=UTC),
        "expires_at": datetime(2028, 11, 26, 10, 30, tzinfo=UTC),
        "status_list_url": "https://pma.example/credentials/status/1/",
        "status_index": 7,
    }
    values.update(overrides)
    return CredentialClaims(**values)


def _signed(store):
    key = store.current()
    return proof_add(
        credential_build(_claims()),
        key=key,
        verification_method=f"{ISSUER.id}#{key.key_id}",
        created=datetime(2026, 11, 26, tzinfo=UTC),
    )


def _resolver(store):
    def resolve(method):
        key = (
            store.get(method.removeprefix(ISSUER.id + "#"))
            if method.startswith(ISSUER.id + "#")
            else None
        )
        return key.public_key if key else None

    return resolve


def test_credential_has_the_open_badges_3_shape(tmp_path):
    document = _signed(KeyStore(tmp_path, environ={}))
    assert document["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["issuer"] == {
        "id": ISSUER.id,
        "type": ["Profile"],
        "name": "PM Academy",
        "url": ISSUER.url,
    }
    assert document["validFrom"] == "2026-11-26T10:30:00Z"
    assert document["validUntil"] == "2028-11-26T10:30:00Z"
    achievement = document["credentialSubject"]["achievement"]
    assert achievement["name"] == "Prioritization in Practice"
    assert achievement["criteria"] == {"narrative": "Completed the course."}
    assert achievement["tag"] == ["RICE", "WSJF"]
    assert document["credentialSubject"]["identifier"][0]["identityHash"] == "Ada Lovelace"
    assert document["credentialSubject"]["result"][0]["value"] == "Merit"
    assert document["credentialStatus"] == {
        "id": "https://pma.example/credentials/status/1/#7",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "7",
        "statusListCredential": "https://pma.example/credentials/status/1/",
    }
    assert [proof["type"] for proof in document["proof"]] == ["DataIntegrityProof"] * 2
    assert [proof["cryptosuite"] for proof in document["proof"]] == [
        "eddsa-rdfc-2022",
        "eddsa-jcs-2022",
    ]
    assert all(proof["proofValue"].startswith("z") for proof in document["proof"])
    assert "creator" not in achievement


def test_signature_verifies_and_survives_reformatting(tmp_path):
    store = KeyStore(tmp_path, environ={})
    document = _signed(store)
    assert proof_verify(document, resolve_key=_resolver(store)).ok
    reformatted = json.loads(json.dumps(document, indent=4, sort_keys=True))
    assert proof_verify(reformatted, resolve_key=_resolver(store)).ok


@pytest.mark.parametrize(
    "tamper",
    [
        lambda d: d["credentialSubject"]["identifier"][0].update(identityHash="Mallory"),
        lambda d: d.update(validUntil="2099-01-01T00:00:00Z"),
        lambda d: d["credentialSubject"]["achievement"].update(name="Prioritization in Practicf"),
        lambda d: d["credentialStatus"].update(statusListIndex="8"),
        lambda d: d["proof"][0].update(created="2026-11-27T00:00:00Z"),
        lambda d: d["proof"][1].update(created="2026-11-27T00:00:00Z"),
        lambda d: d.pop("validUntil"),
    ],
)
def test_any_changed_value_breaks_the_signature(tmp_path, tamper):
    store = KeyStore(tmp_path, environ={})
    document = _signed(store)
    tamper(document)
    check = proof_verify(document, resolve_key=_resolver(store))
    assert not check.ok
    assert check.reason == "The signature does not match the credential's contents."


def test_a_flipped_byte_in_the_file_fails(tmp_path):
    store = KeyStore(tmp_path, environ={})
    text = json.dumps(_signed(store))
    flipped = text.replace("Ada Lovelace", "Ada Lovelacf")
    assert not proof_verify(json.loads(flipped), resolve_key=_resolver(store)).ok


def test_a_proof_from_an_unpublished_key_fails(tmp_path):
    document = _signed(KeyStore(tmp_path / "theirs", environ={}))
    check = proof_verify(document, resolve_key=_resolver(KeyStore(tmp_path / "ours", environ={})))
    assert not check.ok
    assert check.reason == "The proof was made with a key this issuer does not publish."


def test_rotation_keeps_old_credentials_verifying(tmp_path):
    store = KeyStore(tmp_path, environ={})
    old = _signed(store)
    old_key = store.current()
    new_key = store.rotate()
    assert new_key.key_id != old_key.key_id
    assert store.current().key_id == new_key.key_id
    assert [key.key_id for key in store.all_keys()] == [new_key.key_id, old_key.key_id]
    new = _signed(store)
    assert new["proof"][0]["verificationMethod"].endswith(new_key.key_id)
    assert proof_verify(old, resolve_key=_resolver(store)).ok
    assert proof_verify(new, resolve_key=_resolver(store)).ok


def test_keys_from_the_environment(tmp_path):
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    retired = Ed25519PrivateKey.generate().public_key()
    retired_raw = retired.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    environ = {
        ENV_PRIVATE_KEY: pem.replace("\n", "\\n"),
        ENV_RETIRED_KEYS: ed25519_multikey(retired_raw),
    }
    store = KeyStore(tmp_path / "unused", environ=environ)
    assert store.current().public_raw == private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    assert len(store.all_keys()) == 2
    assert not (tmp_path / "unused").exists()
    with pytest.raises(KeyStoreError):
        store.rotate()


def test_status_list_bits():
    encoded = bitstring_encode([0, 7, 131071])
    assert encoded.startswith("u")
    assert bitstring_is_set(encoded, 0)
    assert bitstring_is_set(encoded, 7)
    assert bitstring_is_set(encoded, 131071)
    assert not bitstring_is_set(encoded, 1)
    assert not bitstring_is_set(encoded, 8)


def test_control_characters_never_reach_a_credential(tmp_path):
    claims = _claims()
    dirty = CredentialClaims(
        **{**claims.__dict__, "learner_name": "Ada\x0cLove\x00lace", "criteria": "Line\none\tdone"}
    )
    document = credential_build(dirty)
    assert document["credentialSubject"]["identifier"][0]["identityHash"] == "AdaLovelace"
    assert document["credentialSubject"]["achievement"]["criteria"]["narrative"] == (
        "Line\none\tdone"
    )


def test_more_proofs_than_we_make_are_refused(tmp_path):
    store = KeyStore(tmp_path, environ={})
    document = _signed(store)
    document["proof"].append(dict(document["proof"][1]))
    check = proof_verify(document, resolve_key=_resolver(store))
    assert not check.ok
    assert check.reason == "The credential's proofs are not ones this issuer makes."


def test_one_suite_alone_is_still_a_proof_set(tmp_path):
    store = KeyStore(tmp_path, environ={})
    key = store.current()
    document = proof_add(
        credential_build(_claims()),
        key=key,
        verification_method=f"{ISSUER.id}#{key.key_id}",
        created=datetime(2026, 11, 26, tzinfo=UTC),
        cryptosuites=["eddsa-jcs-2022"],
    )
    assert [proof["cryptosuite"] for proof in document["proof"]] == ["eddsa-jcs-2022"]
    assert proof_verify(document, resolve_key=_resolver(store)).cryptosuites == ("eddsa-jcs-2022",)


def test_an_unknown_suite_setting_is_a_clear_error():
    from certificates.proofs import UnknownCryptosuite, suites_named

    assert suites_named(["eddsa-jcs-2022", "eddsa-jcs-2022"]) == ("eddsa-jcs-2022",)
    with pytest.raises(UnknownCryptosuite, match="must name one or more of"):
        suites_named(["ed25519-2020"])
    with pytest.raises(UnknownCryptosuite):
        suites_named([])
