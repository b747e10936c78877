"""Notifications: what a person is told (in the site, always), whether they also want it by
e-mail (per kind), and each e-mail sent (so a failure is visible and retried, never sent twice).

The lowest layer, beside accounts and ops: it knows users and nothing of courses or grading.
Written through notifications.services only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    REVIEW_GRADED = "review_graded", _("Reviewed work graded")
    CERTIFICATE_ISSUED = "certificate_issued", _("Certificate issued")
    DUE_SOON = "due_soon", _("Due dates coming up")
    ANNOUNCEMENT = "announcement", _("Course announcements")
    DUE_DATE_CHANGED = "due_date_changed", _("Your own due dates")


class Notification(models.Model):
    """One event told to one person. (recipient, dedupe_key) is unique: telling twice is a no-op."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    # A site path ("/courses/…") or an absolute URL on this site; e-mails make paths absolute.
    url = models.CharField(max_length=500, blank=True)
    dedupe_key = models.CharField(
        max_length=200, help_text=_("Names the event: the same key tells a person once.")
    )
    # Extra values for the e-mail templates (JSON-serializable).
    context = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], name="unique_notification_per_event"
            )
        ]
        indexes = [
            # The header's unread count: a partial index holds unread rows only.
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_list"),
            models.Index(fields=["dedupe_key"], name="notification_event"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.recipient}: {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """Whether a person gets one kind by e-mail. No row means yes; the in-site list always shows."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    email_enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="unique_notification_preference")
        ]

    def __str__(self) -> str:
        state = "on" if self.email_enabled else "off"
        return f"{self.user}: {self.kind} e-mail {state}"


class EmailStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


class OutgoingEmail(models.Model):
    """The e-mail for one notification. One-to-one: the notification (one event, one person) is
    the idempotency key, so queueing again or resending never mails a person twice."""

    notification = models.OneToOneField(
        Notification, on_delete=models.CASCADE, related_name="email"
    )
    status = models.CharField(
        max_length=10, choices=EmailStatus.choices, default=EmailStatus.QUEUED
    )
    to_address = models.EmailField(blank=True, help_text=_("Where it went, once sent."))
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    retry_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        indexes = [models.Index(fields=["status", "retry_at"], name="outgoing_email_due")]

    def __str__(self) -> str:
        return f"{self.get_status_display()}: {self.notification}"
