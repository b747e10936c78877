"""pylti1p3's launch data storage in the database (LaunchDatum).

pylti1p3 keeps the OIDC state, the nonce and the validated launch between requests. Its Django
cache storage is right where every web worker shares the cache (Redis), but the one-machine setup
runs LocMem, one per gunicorn worker: a login handled by one worker and a launch by another would
fail. A table is shared by all of them, and lets a nonce be consumed atomically (consume()).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from pylti1p3.launch_data_storage.base import LaunchDataStorage

from .models import LaunchDatum

DEFAULT_LIFETIME_SECONDS = 24 * 60 * 60


class DatabaseLaunchDataStorage(LaunchDataStorage[Any]):
    def get_session_cookie_name(self) -> str | None:
        # Over HTTPS the keys are tied to a cookie of the browser that started the login, as
        # pylti1p3's cache storage does; over plain HTTP (development) browsers drop third-party
        # cookies that are not Secure, so the keys stand alone there.
        if self._request is None or not self._request.is_secure():
            return None
        return super().get_session_cookie_name()

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str) -> Any:
        row = LaunchDatum.objects.filter(
            key=self._prepare_key(key), expires_at__gt=timezone.now()
        ).first()
        return row.value if row else None

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        expires_at = timezone.now() + timedelta(seconds=exp or DEFAULT_LIFETIME_SECONDS)
        key = self._prepare_key(key)
        try:
            with transaction.atomic():
                LaunchDatum.objects.update_or_create(
                    key=key, defaults={"value": value, "expires_at": expires_at}
                )
        except IntegrityError:
            LaunchDatum.objects.filter(key=key).update(value=value, expires_at=expires_at)

    def check_value(self, key: str) -> bool:
        return LaunchDatum.objects.filter(
            key=self._prepare_key(key), expires_at__gt=timezone.now()
        ).exists()

    def consume(self, key: str) -> bool:
        """Delete the key; True for exactly one caller while it was unexpired (one DELETE)."""
        deleted, _ = LaunchDatum.objects.filter(
            key=self._prepare_key(key), expires_at__gt=timezone.now()
        ).delete()
        return deleted > 0


def launch_data_purge_expired() -> int:
    deleted, _ = LaunchDatum.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
