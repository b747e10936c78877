"""Reads of notifications: the header's unread count, a person's list and e-mail preferences."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Notification, NotificationKind, NotificationPreference

KIND_HELP = {
    NotificationKind.REVIEW_GRADED: _(
        "When an instructor has graded work of yours that needed a person to review it."
    ),
    NotificationKind.CERTIFICATE_ISSUED: _("When you earn a certificate."),
    NotificationKind.DUE_SOON: _(
        "Two days before an exercise is due, if you have not submitted it yet."
    ),
    NotificationKind.ANNOUNCEMENT: _("When an instructor posts an announcement to your course."),
    NotificationKind.DUE_DATE_CHANGED: _(
        "When an instructor gives you an extension on an exercise, changes it or takes it back."
    ),
}


def unread_count(*, user) -> int:
    """One COUNT over the partial index of unread rows; no query for visitors."""
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_for(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


@dataclass(frozen=True)
class KindPreference:
    kind: str
    label: str
    help_text: str
    email_enabled: bool


def preferences_for(*, user) -> list[KindPreference]:
    """Every kind, in a fixed order, with whether the person gets it by e-mail (yes by default)."""
    off = set(
        NotificationPreference.objects.filter(user=user, email_enabled=False).values_list(
            "kind", flat=True
        )
    )
    return [
        KindPreference(
            kind=kind.value,
            label=str(kind.label),
            help_text=str(KIND_HELP[kind]),
            email_enabled=kind.value not in off,
        )
        for kind in NotificationKind
    ]
