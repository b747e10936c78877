"""The API's errors: one JSON shape, {"detail": "...", "code": "..."}, for every refusal."""

from __future__ import annotations

from ninja.errors import HttpError


class ApiError(HttpError):
    def __init__(self, status_code: int, message: str, *, code: str, headers=None) -> None:
        super().__init__(status_code, message)
        self.code = code
        self.headers = headers or {}


def unauthorized(message: str) -> ApiError:
    # RFC 6750: a refused bearer token is named in WWW-Authenticate.
    return ApiError(
        401,
        message,
        code="invalid_token",
        headers={"WWW-Authenticate": 'Bearer realm="api", error="invalid_token"'},
    )


def forbidden(message: str, *, code: str = "forbidden") -> ApiError:
    return ApiError(403, message, code=code)


def not_found(message: str) -> ApiError:
    return ApiError(404, message, code="not_found")
