"""Bearer-token authentication with a scope per operation: `auth=token_with("courses:read")`.

No token, or one that is unknown, expired or revoked: 401. A good token without the scope: 403.
The request's `auth` is then an api.callers.Caller.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from .callers import Caller
from .errors import forbidden, unauthorized
from .tokens import TokenRefused, token_authenticate


class TokenAuth(HttpBearer):
    def __init__(self, scope: str) -> None:
        super().__init__()
        self.scope = scope

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization", "")
        if not header:
            raise unauthorized(_("Send a token: Authorization: Bearer <token>."))
        parts = header.split(" ")
        if len(parts) != 2 or parts[0].lower() != "bearer":
            raise unauthorized(_("The Authorization header must read: Bearer <token>."))
        return self.authenticate(request, parts[1])

    def authenticate(self, request: HttpRequest, token: str) -> Caller:
        try:
            found = token_authenticate(token)
        except TokenRefused as refused:
            raise unauthorized(str(refused)) from None
        if self.scope not in found.scopes:
            raise forbidden(
                _("This token lacks the scope %(scope)s.") % {"scope": self.scope},
                code="insufficient_scope",
            )
        return Caller(found)


def caller_of(request: HttpRequest) -> Caller:
    """The caller a request authenticated as (set by TokenAuth)."""
    caller = getattr(request, "auth", None)
    if not isinstance(caller, Caller):
        raise RuntimeError("An API view was reached without token authentication.")
    return caller


_auth: dict[str, TokenAuth] = {}


def token_with(scope: str) -> TokenAuth:
    if scope not in _auth:
        _auth[scope] = TokenAuth(scope)
    return _auth[scope]
