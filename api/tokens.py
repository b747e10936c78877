"""Every write to API tokens, and the one check a presented token goes through.

A token reads `pma_<prefix>_<secret>`: the prefix finds the row, the SHA-256 of the whole token
must equal the stored hash. Only the hash is kept, so a token is shown once, when it is made.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import CoursePage

from .models import ApiToken, Scope, TokenKind

TOKEN_MARK = "pma"  # noqa: S105  # the public mark every token starts with, not a secret
# Personal tokens last at most a year; service tokens at most two.
PERSONAL_MAX_DAYS = 366
SERVICE_MAX_DAYS = 731
PERSONAL_LIFETIMES = (7, 30, 90, 365)
# A person keeps at most this many live personal tokens.
PERSONAL_TOKENS_MAX = 20
# last_used_at is rewritten at most this often per token, so reads do not all write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenRefused(Exception):
    """The presented token is unknown, malformed, expired or revoked; the message says which."""


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    #: The whole token, to show once; it is not stored anywhere.
    plaintext: str


def token_hash(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def _split(plaintext: str) -> str | None:
    """The prefix of a well-formed token, else None."""
    parts = plaintext.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_MARK or not parts[1] or not parts[2]:
        return None
    return parts[1]


def _clean_scopes(scopes: Iterable[str]) -> list[str]:
    chosen = sorted(set(scopes))
    if not chosen:
        raise ValidationError({"scopes": _("Choose at least one scope.")})
    unknown = [s for s in chosen if s not in Scope.values]
    if unknown:
        raise ValidationError(
            {"scopes": _("Unknown scope: %(scopes)s.") % {"scopes": ", ".join(unknown)}}
        )
    return chosen


@transaction.atomic
def token_create(
    *,
    kind: str,
    name: str,
    scopes: Iterable[str],
    expires_at: datetime,
    created_by: Any,
    user: Any = None,
    courses: Iterable[CoursePage] = (),
) -> NewToken:
    """Make a token and return it with its plaintext, which is never stored.

    Personal tokens belong to `user` (who is `created_by`); service tokens act as `user`, for
    `courses`, or as `user` within `courses`. Raises ValidationError naming the field."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name.")})
    chosen = _clean_scopes(scopes)
    now = timezone.now()
    max_days = PERSONAL_MAX_DAYS if kind == TokenKind.PERSONAL else SERVICE_MAX_DAYS
    if expires_at <= now:
        raise ValidationError({"expires_at": _("The expiry date must be in the future.")})
    if expires_at > now + timedelta(days=max_days):
        raise ValidationError(
            {"expires_at": _("A token may last at most %(days)s days.") % {"days": max_days - 1}}
        )
    course_list = list(courses)
    if kind == TokenKind.PERSONAL:
        if user is None:
            raise ValidationError(_("A personal token needs its owner."))
        if course_list:
            raise ValidationError(_("Personal tokens reach what their owner reaches."))
        live = ApiToken.objects.filter(
            user=user, kind=TokenKind.PERSONAL, revoked_at__isnull=True, expires_at__gt=now
        ).count()
        if live >= PERSONAL_TOKENS_MAX:
            raise ValidationError(
                _("You have %(n)s active tokens already; revoke one you no longer use.")
                % {"n": live}
            )
    elif kind == TokenKind.SERVICE:
        if user is None and not course_list:
            raise ValidationError(_("Choose a service user, or the courses the token is for."))
    else:
        raise ValidationError(_("Unknown kind of token."))
    prefix = secrets.token_hex(6)
    plaintext = f"{TOKEN_MARK}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        kind=kind,
        name=name,
        user=user,
        prefix=prefix,
        secret_hash=token_hash(plaintext),
        scopes=chosen,
        created_at=now,
        created_by=created_by,
        expires_at=expires_at,
    )
    if course_list:
        token.courses.set(course_list)
    return NewToken(token=token, plaintext=plaintext)


def token_revoke(*, token: ApiToken, by: Any) -> ApiToken:
    """Revoke the token at once; revoking twice keeps the first time. The row stays, as a record."""
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=by
    )
    if updated:
        token.refresh_from_db(fields=["revoked_at", "revoked_by"])
    return token


def token_authenticate(plaintext: str) -> ApiToken:
    """The usable token this plaintext is, with its user; raises TokenRefused saying why not.

    Unknown and malformed tokens get the same answer, so nobody learns which prefixes exist."""
    prefix = _split(plaintext.strip())
    unknown = _("The token is not valid.")
    if prefix is None:
        raise TokenRefused(unknown)
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.secret_hash, token_hash(plaintext.strip())):
        raise TokenRefused(unknown)
    if token.is_revoked:
        raise TokenRefused(_("The token was revoked."))
    now = timezone.now()
    if token.expires_at <= now:
        raise TokenRefused(_("The token expired."))
    if token.user is not None and not token.user.is_active:
        raise TokenRefused(_("The token's account is deactivated."))
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def personal_tokens(*, user: Any) -> QuerySet[ApiToken]:
    """The person's own personal tokens, newest first, revoked and expired ones included."""
    return ApiToken.objects.filter(user=user, kind=TokenKind.PERSONAL).order_by(
        "-created_at", "-pk"
    )


def service_tokens() -> QuerySet[ApiToken]:
    return (
        ApiToken.objects.filter(kind=TokenKind.SERVICE)
        .select_related("user", "created_by")
        .prefetch_related("courses")
        .order_by("-created_at", "-pk")
    )
