"""What a learner asked of their data, and the audit of what was done.

- DataExport: one zip of everything held about a learner, built in the task queue and stored in
  the private storage (no URL); downloaded through a signed link that expires.
- ErasureRequest: account deletion after a grace period the learner can cancel; at most one
  pending per learner (a database constraint, so two requests at once still make one).
- PrivacyEvent: the append-only audit of both, kept after erasure (it points at the anonymised
  user, never at an e-mail address).

Every state change happens in privacy.services (exports) or privacy.erasure (anonymisation).
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from exercises.answer_keys import PRIVATE_STORAGE_ALIAS


def export_storage() -> Storage:
    """The private storage (no URL): the same place as answer keys, never under /media/."""
    return storages[PRIVATE_STORAGE_ALIAS]


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being built")
    READY = "ready", _("Ready to download")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


#: An export in one of these is still being worked on: asking again returns it.
EXPORT_ACTIVE_STATUSES = (ExportStatus.QUEUED, ExportStatus.RUNNING)


class DataExport(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="data_exports"
    )
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0, help_text=_("Percent done, 0 to 100."))
    # Private storage (settings.STORAGES["private"]): the file has no URL; only the owner's
    # signed download link reads it.
    file = models.FileField(storage=export_storage, max_length=255, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    error = models.TextField(blank=True)
    requested_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status__in=["queued", "running"]),
                name="privacy_one_active_export_per_user",
            )
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="privacy_export_expiry")]

    def __str__(self) -> str:
        return f"Data export {self.pk} of user {self.user_id} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in EXPORT_ACTIVE_STATUSES


class ErasureStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the grace period to end")
    CANCELLED = "cancelled", _("Cancelled")
    DONE = "done", _("Erased")


class ErasureRequest(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="erasure_requests"
    )
    status = models.CharField(
        max_length=10, choices=ErasureStatus.choices, default=ErasureStatus.PENDING
    )
    keep_certificates_public = models.BooleanField(
        _("keep my certificates publicly verifiable with my name"), default=False
    )
    requested_at = models.DateTimeField()
    scheduled_for = models.DateTimeField(help_text=_("When the grace period ends."))
    cancelled_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    processed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty when processed by the scheduled job."),
    )
    # What the anonymisation changed, by model: {"grading.Submission": 3, ...}.
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status="pending"),
                name="privacy_one_pending_erasure_per_user",
            )
        ]
        indexes = [models.Index(fields=["status", "scheduled_for"], name="privacy_erasure_due")]

    def __str__(self) -> str:
        return f"Erasure request {self.pk} of user {self.user_id} ({self.status})"


class PrivacyEventKind(models.TextChoices):
    EXPORT_REQUESTED = "export_requested", _("Export requested")
    EXPORT_READY = "export_ready", _("Export ready")
    EXPORT_FAILED = "export_failed", _("Export failed")
    EXPORT_DOWNLOADED = "export_downloaded", _("Export downloaded")
    EXPORT_CANCELLED = "export_cancelled", _("Export cancelled")
    EXPORT_DELETED = "export_deleted", _("Export file deleted")
    ERASURE_REQUESTED = "erasure_requested", _("Erasure requested")
    ERASURE_CANCELLED = "erasure_cancelled", _("Erasure cancelled")
    ERASURE_PROCESSED = "erasure_processed", _("Account erased")
    ERASURE_FAILED = "erasure_failed", _("Erasure failed")


class PrivacyEvent(models.Model):
    """The append-only audit of data exports and erasures."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="privacy_events"
    )
    kind = models.CharField(max_length=24, choices=PrivacyEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Who did it: the learner, a staff member, or empty for the scheduled job."),
    )
    export = models.ForeignKey(
        DataExport, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    erasure = models.ForeignKey(
        ErasureRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("privacy event")
        verbose_name_plural = _("privacy events")

    def __str__(self) -> str:
        return f"{self.kind} for user {self.user_id} at {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("The privacy audit is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The privacy audit is append-only.")
