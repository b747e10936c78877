"""pylti1p3's tool configuration, read from the registrations in the database."""

from __future__ import annotations

import json
from typing import Any

from jwcrypto.jwk import JWK
from pylti1p3.deployment import Deployment as PyltiDeployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfAbstract

from .keys import current_tool_key, private_pem
from .models import Deployment, PlatformRegistration


def pasted_key_set(pem: str) -> dict[str, Any]:
    """A pasted PEM public key as a one-key JWKS (its kid is ignored: see lti.launches)."""
    jwk = json.loads(JWK.from_pem(pem.strip().encode()).export_public())
    return {"keys": [{**jwk, "alg": "RS256", "use": "sig"}]}


class DatabaseToolConf(ToolConfAbstract):
    """Every issuer may have several client ids (one registration each)."""

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def registration_record(self, iss: str, client_id: str | None) -> PlatformRegistration | None:
        candidates = PlatformRegistration.objects.filter(issuer=iss, active=True)
        if client_id:
            return candidates.filter(client_id=client_id).first()
        # The login initiation may leave client_id out; then the issuer must be unambiguous.
        found = list(candidates[:2])
        return found[0] if len(found) == 1 else None

    def pylti_registration(self, record: PlatformRegistration) -> Registration:
        key = current_tool_key()
        registration = (
            Registration()
            .set_issuer(record.issuer)
            .set_client_id(record.client_id)
            .set_auth_login_url(record.auth_login_url)
            .set_auth_token_url(record.auth_token_url)
            .set_key_set_url(record.key_set_url or None)
            .set_key_set(
                pasted_key_set(record.public_key)  # type: ignore[arg-type]
                if record.public_key.strip()
                else None
            )
            .set_tool_private_key(private_pem(key))
            .set_tool_public_key(key.public_pem)
        )
        if record.auth_audience:
            registration.set_auth_audience(record.auth_audience)
        return registration

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Registration:
        return self.find_registration_by_params(iss, None, *args, **kwargs)  # type: ignore[arg-type]

    def find_registration_by_params(
        self, iss: str, client_id: str, *args: Any, **kwargs: Any
    ) -> Registration:
        record = self.registration_record(iss, client_id)
        return self.pylti_registration(record) if record else None  # type: ignore[return-value]

    def find_deployment(self, iss: str, deployment_id: str) -> PyltiDeployment | None:
        return self.find_deployment_by_params(iss, deployment_id, None)  # type: ignore[arg-type]

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str, *args: Any, **kwargs: Any
    ) -> PyltiDeployment | None:
        record = self.registration_record(iss, client_id)
        if (
            record is None
            or not Deployment.objects.filter(
                registration=record, deployment_id=deployment_id
            ).exists()
        ):
            return None
        return PyltiDeployment().set_deployment_id(deployment_id)
