"""The platform's Ed25519 signing keys, kept in a directory or given in the environment.

Django-free on purpose: an operator script or an offline verifier can use it as is.

A directory holds one PKCS#8 PEM file per key (`<key id>.pem`, mode 0600) and a
`current` file naming the key that signs new credentials. Rotation adds a key and
moves `current`; old keys stay so that their public halves keep being published
and credentials they signed keep verifying.

From the environment, `PMA_CERT_SIGNING_KEY` (a PEM private key, `\\n` escapes
allowed) replaces the directory's current key, and `PMA_CERT_RETIRED_PUBLIC_KEYS`
(comma-separated Multikey values) lists public keys of retired keys that still verify.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .multibase import ed25519_from_multikey, ed25519_multikey

ENV_PRIVATE_KEY = "PMA_CERT_SIGNING_KEY"
ENV_RETIRED_KEYS = "PMA_CERT_RETIRED_PUBLIC_KEYS"
CURRENT_FILE = "current"


class KeyStoreError(Exception):
    pass


@dataclass(frozen=True)
class SigningKey:
    key_id: str
    public_key: Ed25519PublicKey
    private_key: Ed25519PrivateKey | None = None

    @property
    def public_raw(self) -> bytes:
        return self.public_key.public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @property
    def multikey(self) -> str:
        return ed25519_multikey(self.public_raw)

    def sign(self, data: bytes) -> bytes:
        if self.private_key is None:
            raise KeyStoreError(f"key {self.key_id} has no private half here")
        return self.private_key.sign(data)


def key_id_for(public_key: Ed25519PublicKey) -> str:
    """A key's id is its fingerprint, so the same key has the same id on every host."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "ed25519-" + hashlib.sha256(raw).hexdigest()[:16]


class KeyStore:
    def __init__(self, directory: Path | str, *, environ: Mapping[str, str] | None = None) -> None:
        self.directory = Path(directory)
        self.environ = os.environ if environ is None else environ

    # Reading

    def current(self) -> SigningKey:
        """The key that signs new credentials; created on first use when none exists."""
        pem = self.environ.get(ENV_PRIVATE_KEY, "").strip()
        if pem:
            return _from_private(_load_private_pem(pem.replace("\\n", "\n").encode()))
        key_id = self._read_current_id()
        if key_id is None:
            return self._create_first()
        key = self._load_file(key_id)
        if key is None:
            raise KeyStoreError(f"{self.directory / CURRENT_FILE} names {key_id}, which is missing")
        return key

    def all_keys(self) -> list[SigningKey]:
        """Every key that verifies, the current one first."""
        current = self.current()
        keys = {current.key_id: current}
        if self.directory.is_dir():
            for path in sorted(self.directory.glob("*.pem")):
                key = self._load_file(path.stem)
                if key is not None:
                    keys.setdefault(key.key_id, key)
        for value in self.environ.get(ENV_RETIRED_KEYS, "").split(","):
            if value.strip():
                public = Ed25519PublicKey.from_public_bytes(ed25519_from_multikey(value.strip()))
                keys.setdefault(key_id_for(public), SigningKey(key_id_for(public), public))
        return list(keys.values())

    def get(self, key_id: str) -> SigningKey | None:
        return next((key for key in self.all_keys() if key.key_id == key_id), None)

    # Writing

    def rotate(self) -> SigningKey:
        """Make a new key current; the previous keys keep verifying."""
        if self.environ.get(ENV_PRIVATE_KEY, "").strip():
            raise KeyStoreError(
                f"The signing key comes from {ENV_PRIVATE_KEY}: put a new key there and move the "
                f"old key's public Multikey to {ENV_RETIRED_KEYS}."
            )
        self._ensure_directory()
        key = self._write_new_key()
        temporary = self.directory / f".{CURRENT_FILE}.{os.getpid()}"
        _write_private_file(temporary, key.key_id.encode(), exclusive=False)
        os.replace(temporary, self.directory / CURRENT_FILE)
        return key

    # Internals

    def _create_first(self) -> SigningKey:
        self._ensure_directory()
        key = self._write_new_key()
        try:
            _write_private_file(self.directory / CURRENT_FILE, key.key_id.encode(), exclusive=True)
        except FileExistsError:
            # Another process created the first key at the same moment; theirs wins.
            (self.directory / f"{key.key_id}.pem").unlink(missing_ok=True)
            return self.current()
        return key

    def _write_new_key(self) -> SigningKey:
        private = Ed25519PrivateKey.generate()
        key = _from_private(private)
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _write_private_file(self.directory / f"{key.key_id}.pem", pem, exclusive=True)
        return key

    def _ensure_directory(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)

    def _read_current_id(self) -> str | None:
        try:
            return (self.directory / CURRENT_FILE).read_text().strip() or None
        except FileNotFoundError:
            return None

    def _load_file(self, key_id: str) -> SigningKey | None:
        if not key_id or "/" in key_id or key_id.startswith("."):
            return None
        try:
            pem = (self.directory / f"{key_id}.pem").read_bytes()
        except FileNotFoundError:
            return None
        return _from_private(_load_private_pem(pem))


def _from_private(private: Ed25519PrivateKey) -> SigningKey:
    public = private.public_key()
    return SigningKey(key_id_for(public), public, private)


def _load_private_pem(pem: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyStoreError("the signing key must be an Ed25519 key")
    return key


def _write_private_file(path: Path, data: bytes, *, exclusive: bool) -> None:
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    descriptor = os.open(path, flags, 0o600)
    with contextlib.closing(os.fdopen(descriptor, "wb")) as handle:
        handle.write(data)
