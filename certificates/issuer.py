"""Who issues certificates: the platform's identity, its public URLs and its keys.

Identifiers are absolute URLs under settings.WAGTAILADMIN_BASE_URL (PMA_BASE_URL).
A verification method is `<issuer id>#<key id>`, so rotating keys adds methods to
the published controller document without changing the issuer's id.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.urls import reverse

from .credentials import VC_CONTEXT, Issuer
from .keys import KeyStore, SigningKey

MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"


def base_url() -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def absolute(path: str) -> str:
    return base_url() + path


def issuer() -> Issuer:
    return Issuer(
        id=absolute(reverse("certificates:issuer")),
        name=getattr(settings, "WAGTAIL_SITE_NAME", "PM Academy"),
        url=base_url() + "/",
    )


def keys_directory() -> Path:
    configured = getattr(settings, "PMA_CERT_KEYS_DIR", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "keys"


def key_store() -> KeyStore:
    return _key_store_for(str(keys_directory()))


@lru_cache(maxsize=4)
def _key_store_for(directory: str) -> KeyStore:
    return KeyStore(directory)


def verification_method(key: SigningKey) -> str:
    return f"{issuer().id}#{key.key_id}"


def resolve_key(method: str) -> Ed25519PublicKey | None:
    """The public key behind one of our verification method ids, or None if not ours."""
    prefix = issuer().id + "#"
    if not method.startswith(prefix):
        return None
    key = key_store().get(method[len(prefix) :])
    return key.public_key if key is not None else None


def controller_document() -> dict[str, Any]:
    """The issuer's Profile and its public keys, as served at the well-known URL."""
    profile = issuer()
    methods = [
        {
            "id": verification_method(key),
            "type": "Multikey",
            "controller": profile.id,
            "publicKeyMultibase": key.multikey,
        }
        for key in key_store().all_keys()
    ]
    return {
        "@context": [VC_CONTEXT, MULTIKEY_CONTEXT],
        **profile.profile(),
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


def status_list_url(list_number: int) -> str:
    return absolute(reverse("certificates:status_list", args=[list_number]))


def verify_url(code: str) -> str:
    return absolute(reverse("certificates:verify", args=[code]))


def verify_index_url() -> str:
    return absolute(reverse("certificates:verify_index"))
