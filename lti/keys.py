"""The tool's RSA signing keys: made, encrypted at rest, published, rotated.

Private keys are stored encrypted with Fernet under a key derived from PMA_LTI_KEY_SECRET
(default: SECRET_KEY), so a database dump alone does not let anyone sign as the tool. Changing
that secret makes the stored keys unreadable: rotate (manage.py lti_rotate_keys) afterwards.
The JWKS (/lti/jwks/) lists the current key and the previous ones, so an LMS that cached the
old key keeps verifying messages signed just before a rotation.
"""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from jwcrypto.jwk import JWK

from .models import ToolKey, ToolKeyStatus

KEY_BITS = 2048
# How many earlier keys stay in the JWKS after a rotation.
PREVIOUS_KEYS_PUBLISHED = 2


def _fernet() -> Fernet:
    secret = getattr(settings, "PMA_LTI_KEY_SECRET", "") or settings.SECRET_KEY
    digest = hashlib.sha256(f"pma-lti-keys:{secret}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def private_pem(key: ToolKey) -> str:
    return _fernet().decrypt(key.private_pem_encrypted.encode()).decode()


def public_jwk(key: ToolKey) -> dict:
    jwk = json.loads(JWK.from_pem(key.public_pem.encode()).export_public())
    return {**jwk, "kid": key.kid, "alg": "RS256", "use": "sig"}


@transaction.atomic
def tool_key_rotate() -> ToolKey:
    """Make a new current key; the current one becomes previous, older previous ones retire."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    private_bytes = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_bytes = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    now = timezone.now()
    ToolKey.objects.filter(status=ToolKeyStatus.CURRENT).update(status=ToolKeyStatus.PREVIOUS)
    stale = ToolKey.objects.filter(status=ToolKeyStatus.PREVIOUS).order_by("-created_at")[
        PREVIOUS_KEYS_PUBLISHED:
    ]
    ToolKey.objects.filter(pk__in=[k.pk for k in stale]).update(
        status=ToolKeyStatus.RETIRED, retired_at=now
    )
    return ToolKey.objects.create(
        # The RFC 7638 thumbprint: what pylti1p3 puts in the "kid" header of what it signs.
        kid=JWK.from_pem(public_bytes).thumbprint(),
        public_pem=public_bytes.decode(),
        private_pem_encrypted=_fernet().encrypt(private_bytes).decode(),
        status=ToolKeyStatus.CURRENT,
        created_at=now,
    )


def current_tool_key() -> ToolKey:
    """The key the tool signs with; made on first use."""
    key = ToolKey.objects.filter(status=ToolKeyStatus.CURRENT).first()
    return key if key is not None else tool_key_rotate()


def tool_jwks() -> dict:
    keys = ToolKey.objects.filter(
        status__in=[ToolKeyStatus.CURRENT, ToolKeyStatus.PREVIOUS]
    ).order_by("-created_at")
    return {"keys": [public_jwk(key) for key in keys]}
