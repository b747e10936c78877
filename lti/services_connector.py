"""pylti1p3's service connector for a registration: the OAuth 2 client-credentials token (signed
with the tool's key) that AGS and NRPS calls carry."""

from __future__ import annotations

import requests
from pylti1p3.service_connector import REQUESTS_USER_AGENT, ServiceConnector

from .models import PlatformRegistration
from .tool_config import DatabaseToolConf

TIMEOUT_SECONDS = 15


class _TimeoutSession(requests.Session):
    def request(self, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        kwargs.setdefault("timeout", TIMEOUT_SECONDS)
        return super().request(*args, **kwargs)


def service_connector(registration: PlatformRegistration) -> ServiceConnector:
    session = _TimeoutSession()
    session.headers["User-Agent"] = REQUESTS_USER_AGENT
    return ServiceConnector(
        DatabaseToolConf().pylti_registration(registration), requests_session=session
    )
