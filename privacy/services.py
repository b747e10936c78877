"""Requests a learner makes of their data, and the audit: each state change is one function.

Exports: `export_request` (idempotent: an export already under way is returned),
`export_download_url` / `export_from_signature` (the signed link that expires),
`exports_clean_up` (the files of expired exports deleted). The zip itself is built by
privacy.exports, in the task queue.

Erasure: `erasure_request` (idempotent: one pending request per learner), `erasure_cancel`;
processing is privacy.erasure.erasure_process.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    EXPORT_ACTIVE_STATUSES,
    DataExport,
    ErasureRequest,
    ErasureStatus,
    ExportStatus,
    PrivacyEvent,
    PrivacyEventKind,
)

logger = logging.getLogger("privacy")

DOWNLOAD_SALT = "privacy.export-download"


class PrivacyRefused(Exception):
    """A request that cannot be made now; the message is for the person who asked."""


def erasure_grace_days() -> int:
    """Days between an erasure request and its processing (setting PMA_PRIVACY_ERASURE_GRACE_DAYS)."""
    return int(getattr(settings, "PMA_PRIVACY_ERASURE_GRACE_DAYS", 14))


def export_days() -> int:
    """Days an export's file and its download link last (setting PMA_PRIVACY_EXPORT_DAYS)."""
    return int(getattr(settings, "PMA_PRIVACY_EXPORT_DAYS", 7))


def export_max_bytes() -> int:
    """The size budget of one export zip (setting PMA_PRIVACY_EXPORT_MAX_BYTES, default 500 MB)."""
    return int(getattr(settings, "PMA_PRIVACY_EXPORT_MAX_BYTES", 500 * 1024 * 1024))


def event_record(
    *,
    user: Any,
    kind: str,
    actor: Any = None,
    export: DataExport | None = None,
    erasure: ErasureRequest | None = None,
    **detail: Any,
) -> PrivacyEvent:
    """One audit row, and the same line in the log (logger `privacy`)."""
    event = PrivacyEvent.objects.create(
        user=user,
        kind=kind,
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        export=export,
        erasure=erasure,
        detail=detail,
        at=timezone.now(),
    )
    logger.info(
        "privacy %s user=%s actor=%s export=%s erasure=%s %s",
        kind,
        user.pk,
        getattr(actor, "pk", None),
        export.pk if export else None,
        erasure.pk if erasure else None,
        detail or "",
    )
    return event


# Exports ------------------------------------------------------------------------------------


def export_request(*, user: Any) -> tuple[DataExport, bool]:
    """The learner's export under way, or a new one queued; (export, created).

    Two requests at once make one export: the partial unique constraint refuses the second
    insert, which then returns the first. Allowed during an erasure's grace period (a learner
    may want their data before it goes); the erasure cancels it and deletes its file.
    """
    running = DataExport.objects.filter(user=user, status__in=EXPORT_ACTIVE_STATUSES).first()
    if running is not None:
        return running, False
    try:
        with transaction.atomic():
            export = DataExport.objects.create(user=user, requested_at=timezone.now())
            event_record(
                user=user, kind=PrivacyEventKind.EXPORT_REQUESTED, actor=user, export=export
            )
            from .tasks import data_export_task

            export_id = export.pk
            transaction.on_commit(lambda: data_export_task.enqueue(export_id=export_id))
    except IntegrityError:
        return DataExport.objects.get(user=user, status__in=EXPORT_ACTIVE_STATUSES), False
    return export, True


def export_latest(*, user: Any) -> DataExport | None:
    return DataExport.objects.filter(user=user).first()


def export_of(*, user: Any, export_id: int) -> DataExport | None:
    """The user's own export; None for anyone else's (views answer 404)."""
    if not user.is_authenticated:
        return None
    return DataExport.objects.filter(pk=export_id, user=user).first()


def export_is_downloadable(export: DataExport, *, now: Any = None) -> bool:
    moment = now or timezone.now()
    return (
        export.status == ExportStatus.READY
        and bool(export.file)
        and export.expires_at is not None
        and export.expires_at > moment
    )


def export_download_url(*, export: DataExport) -> str:
    """The signed link to the export's file, for its owner only, until the export expires."""
    signature = signing.dumps({"e": export.pk, "u": export.user_id}, salt=DOWNLOAD_SALT)
    return reverse("privacy:export_download", kwargs={"signature": signature})


def export_from_signature(*, user: Any, signature: str) -> DataExport | None:
    """The export a download link names, if the link is genuine, younger than the export's life,
    the export still downloadable and the person following it its owner; else None."""
    if not user.is_authenticated:
        return None
    try:
        data = signing.loads(signature, salt=DOWNLOAD_SALT, max_age=timedelta(days=export_days()))
    except signing.BadSignature:  # SignatureExpired is one too
        return None
    if not isinstance(data, dict) or data.get("u") != user.pk:
        return None
    export_id = data.get("e")
    if not isinstance(export_id, int):
        return None
    export = DataExport.objects.filter(pk=export_id, user=user).first()
    if export is None or not export_is_downloadable(export):
        return None
    return export


def export_downloaded(*, export: DataExport) -> None:
    event_record(
        user=export.user, kind=PrivacyEventKind.EXPORT_DOWNLOADED, actor=export.user, export=export
    )


def _file_delete(export: DataExport) -> bool:
    if not export.file:
        return False
    name = str(export.file.name)
    try:
        export.file.storage.delete(name)
    except OSError:
        logger.exception("Could not delete the export file %s", name)
    return True


def export_cancel(*, export: DataExport, actor: Any = None, reason: str = "") -> DataExport:
    """Stop an export and delete whatever it stored (used when the account is erased)."""
    had_file = _file_delete(export)
    was = export.status
    DataExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.CANCELLED, file="", size_bytes=0, finished_at=timezone.now()
    )
    export.refresh_from_db()
    if was in EXPORT_ACTIVE_STATUSES or had_file:
        event_record(
            user=export.user,
            kind=PrivacyEventKind.EXPORT_CANCELLED,
            actor=actor,
            export=export,
            was=was,
            reason=reason,
        )
    return export


def exports_clean_up(*, now: Any = None) -> int:
    """Delete the files of exports past their expiry (and of failed or cancelled ones that kept a
    file); the rows stay, marked expired, for the audit. Returns how many files were deleted."""
    moment = now or timezone.now()
    deleted = 0
    expired = DataExport.objects.filter(status=ExportStatus.READY, expires_at__lte=moment)
    leftovers = DataExport.objects.filter(
        status__in=[ExportStatus.FAILED, ExportStatus.CANCELLED, ExportStatus.EXPIRED]
    ).exclude(file="")
    for export in list(expired) + list(leftovers):
        if _file_delete(export):
            deleted += 1
        new_status = ExportStatus.EXPIRED if export.status == ExportStatus.READY else export.status
        DataExport.objects.filter(pk=export.pk).update(status=new_status, file="")
        export.refresh_from_db()
        event_record(user=export.user, kind=PrivacyEventKind.EXPORT_DELETED, export=export)
    return deleted


# Erasure ------------------------------------------------------------------------------------


def erasure_pending(*, user: Any) -> ErasureRequest | None:
    if not user.is_authenticated:
        return None
    return ErasureRequest.objects.filter(user=user, status=ErasureStatus.PENDING).first()


def erasure_request(
    *, user: Any, keep_certificates_public: bool = False, now: Any = None
) -> tuple[ErasureRequest, bool]:
    """The learner's pending erasure, or a new one due after the grace period; (request, created).

    Asked twice (two tabs, a double click), the second returns the first: one pending request per
    learner, kept by a partial unique constraint."""
    if user.is_staff or user.is_superuser:
        raise PrivacyRefused(
            _("Staff accounts cannot be deleted from here; ask another administrator.")
        )
    pending = erasure_pending(user=user)
    if pending is not None:
        return pending, False
    moment = now or timezone.now()
    try:
        with transaction.atomic():
            erasure = ErasureRequest.objects.create(
                user=user,
                keep_certificates_public=keep_certificates_public,
                requested_at=moment,
                scheduled_for=moment + timedelta(days=erasure_grace_days()),
            )
            event_record(
                user=user,
                kind=PrivacyEventKind.ERASURE_REQUESTED,
                actor=user,
                erasure=erasure,
                scheduled_for=erasure.scheduled_for.isoformat(),
                keep_certificates_public=keep_certificates_public,
            )
    except IntegrityError:
        return ErasureRequest.objects.get(user=user, status=ErasureStatus.PENDING), False
    return erasure, True


def erasure_cancel(*, erasure: ErasureRequest, actor: Any) -> bool:
    """Cancel a pending erasure; False when it was no longer pending (processed or cancelled).

    One conditional UPDATE, so a cancel racing the processing job either wins or is told it lost.
    """
    cancelled = ErasureRequest.objects.filter(pk=erasure.pk, status=ErasureStatus.PENDING).update(
        status=ErasureStatus.CANCELLED, cancelled_at=timezone.now()
    )
    erasure.refresh_from_db()
    if cancelled:
        event_record(
            user=erasure.user, kind=PrivacyEventKind.ERASURE_CANCELLED, actor=actor, erasure=erasure
        )
    return bool(cancelled)


def erasures_due(*, now: Any = None) -> list[int]:
    moment = now or timezone.now()
    return list(
        ErasureRequest.objects.filter(
            status=ErasureStatus.PENDING, scheduled_for__lte=moment
        ).values_list("pk", flat=True)
    )
