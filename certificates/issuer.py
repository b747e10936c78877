"""Who issues certificates: the platform's identity, its public URLs, its keys and its suites.

Identifiers are absolute URLs under one base, settings.WAGTAILADMIN_BASE_URL (PMA_BASE_URL):
the issuer, the credential, the achievement (the course page), the status list and the keys.
The Wagtail Site record's host name never enters a credential.
A verification method is `<issuer id>#<key id>`, so rotating keys adds methods to
the published controller document without changing the issuer's id.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.urls import reverse

from .credentials import VC_CONTEXT, Issuer
from .keys import KeyStore, SigningKey
from .proofs import CRYPTOSUITES, suites_named

MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"


def base_url() -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def absolute(path: str) -> str:
    return base_url() + path


def page_url(page) -> str:
    """A Wagtail page's address under the base URL, whatever host its Site record names."""
    parts = page.get_url_parts()
    return absolute(parts[2]) if parts else ""


def rebased(url: str) -> str:
    """A stored absolute URL moved under the base URL (path, query and fragment kept)."""
    parts = urlsplit(url)
    tail = parts.path + (f"?{parts.query}" if parts.query else "")
    return absolute((tail or "/") + (f"#{parts.fragment}" if parts.fragment else ""))


def cryptosuites() -> tuple[str, ...]:
    """The Data Integrity suites new credentials are signed with (PMA_CREDENTIAL_CRYPTOSUITES).

    Default: both, eddsa-rdfc-2022 first (the suite 1EdTech's OB 3.0 conformance checks), then
    eddsa-jcs-2022 (checkable with only a JSON library and Ed25519).
    """
    return suites_named(getattr(settings, "PMA_CREDENTIAL_CRYPTOSUITES", CRYPTOSUITES))


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
