"""Sharing a certificate: LinkedIn's "add to profile" link and the public share page's tags."""

from __future__ import annotations

from urllib.parse import urlencode

from . import issuer as issuer_module
from .models import Certificate

LINKEDIN_ADD_URL = "https://www.linkedin.com/profile/add"


def linkedin_add_url(*, certificate: Certificate) -> str:
    params = {
        "startTask": "CERTIFICATION_NAME",
        "name": certificate.course_title,
        "organizationName": issuer_module.issuer().name,
        "issueYear": certificate.issued_at.year,
        "issueMonth": certificate.issued_at.month,
    }
    if certificate.expires_at is not None:
        params["expirationYear"] = certificate.expires_at.year
        params["expirationMonth"] = certificate.expires_at.month
    params["certUrl"] = issuer_module.verify_url(certificate.code)
    params["certId"] = certificate.code
    return f"{LINKEDIN_ADD_URL}?{urlencode(params)}"
