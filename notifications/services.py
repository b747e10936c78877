"""Notifications: the service API other apps call to tell a person something.

    notify(*, recipient, kind, title, body="", url="", dedupe_key, context=None) -> Notification
    notify_many(*, recipients, kind, title, body="", url="", dedupe_key, context=None) -> int

- `recipient`: a user. `recipients`: a QuerySet of users (best for bulk: it is read once, in one
  query), or an iterable of users or user ids.
- `kind`: a NotificationKind value: "review_graded", "certificate_issued", "due_soon",
  "announcement". Unknown kinds raise ValueError.
- `title`: one line of plain text (200 characters at most; longer is cut). `body`: plain text,
  line breaks kept. Each is a Message: a plain string (stored and mailed as given), a lazy
  translation (`gettext_lazy`, `format_lazy`), or a function of no arguments that returns the
  text (`lambda: _("%(x)s is due") % {...}`). Lazy texts and functions are rendered once per
  recipient language, in that language (the user's saved `language`, else LANGUAGE_CODE), and
  each e-mail is written in its recipient's language too.
- `url`: where the notification leads: a site path ("/courses/3/exercises/7/") or an absolute
  URL on this site. E-mails make a path absolute with PMA_BASE_URL.
- `dedupe_key`: names the event, e.g. f"review_graded:{submission.pk}". A recipient is told once
  per key: calling again (a retried task, a second scan) adds no notification and no e-mail.
- `context`: a JSON-serializable dict kept with the notification and given to the e-mail
  templates (notifications/email/<kind>.txt|html if present, else notification.txt|html).

Both write in the caller's transaction and return at once: each e-mail is stored as an
OutgoingEmail row (one per notification: the idempotency key per event and recipient) and sent
by `notification_emails_send_task` on the `notifications` queue after commit, unless the
recipient switched that kind's e-mail off. A failed send is kept with its error and retried with
back-off (`emails_retry_due`, run by every send task and by `manage.py notify_due_soon`).

notify_many costs a fixed number of queries plus one insert per NOTIFY_BATCH recipients (twice:
notifications, then e-mails), whatever the number of recipients.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.template.loader import select_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise

from accounts.languages import language_or_default, user_language

from .models import (
    EmailStatus,
    Notification,
    NotificationKind,
    NotificationPreference,
    OutgoingEmail,
)

logger = logging.getLogger(__name__)

NOTIFY_BATCH = 1000
# E-mails per send task: one SMTP connection serves them all.
EMAILS_PER_TASK = 200
# Failed e-mails retried by each send task before its own, so a busy site recovers by itself.
RETRIES_PER_TASK = 20
MAX_EMAIL_ATTEMPTS = 5
UNSUBSCRIBE_SALT = "notifications.unsubscribe"
TITLE_MAX_LENGTH = Notification._meta.get_field("title").max_length or 200

# A text for people: given as is, lazy (translated when read), or built on demand.
Message = str | Promise | Callable[[], str]


def _render(message: Message) -> str:
    """`message` as text in the active language."""
    return str(message() if callable(message) else message)


# Telling people -------------------------------------------------------------------------------


def notify(
    *,
    recipient,
    kind: str,
    title: Message,
    body: Message = "",
    url: str = "",
    dedupe_key: str,
    context: dict[str, Any] | None = None,
) -> Notification:
    """Tell one person; returns their notification for this event (new, or the one already sent)."""
    notify_many(
        recipients=[recipient],
        kind=kind,
        title=title,
        body=body,
        url=url,
        dedupe_key=dedupe_key,
        context=context,
    )
    return Notification.objects.get(recipient_id=recipient.pk, dedupe_key=dedupe_key)


def notify_many(
    *,
    recipients: QuerySet | Iterable,
    kind: str,
    title: Message,
    body: Message = "",
    url: str = "",
    dedupe_key: str,
    context: dict[str, Any] | None = None,
) -> int:
    """Tell every recipient not yet told of this event; returns how many were told now."""
    kind = NotificationKind(kind).value
    users = _users(recipients)
    told = Notification.objects.filter(dedupe_key=dedupe_key).values("recipient_id")
    new = list(users.exclude(pk__in=told).values_list("pk", "language"))
    if not new:
        return 0
    now = timezone.now()
    # Each text once per language among the recipients (one or two renders, not one per person).
    texts: dict[str, tuple[str, str]] = {}
    rows = []
    for pk, language in new:
        language = language_or_default(language)
        if language not in texts:
            with translation.override(language):
                texts[language] = (_render(title).strip()[:TITLE_MAX_LENGTH], _render(body))
        rows.append(
            Notification(
                recipient_id=pk,
                kind=kind,
                title=texts[language][0],
                body=texts[language][1],
                url=url,
                dedupe_key=dedupe_key,
                context=context or {},
                created_at=now,
            )
        )
    Notification.objects.bulk_create(
        rows,
        batch_size=NOTIFY_BATCH,
        # A concurrent call for the same event wins for its rows; the constraint keeps one each.
        ignore_conflicts=True,
    )
    _emails_queue(kind=kind, dedupe_key=dedupe_key)
    return len(new)


def _users(recipients: QuerySet | Iterable) -> QuerySet:
    users = get_user_model().objects.all()
    if isinstance(recipients, QuerySet):
        return recipients.order_by()
    ids = [getattr(item, "pk", item) for item in recipients]
    return users.filter(pk__in=ids)


def _emails_queue(*, kind: str, dedupe_key: str) -> None:
    """Store an e-mail for each notification of the event that has none and whose recipient wants
    one, then send them after commit."""
    opted_out = NotificationPreference.objects.filter(
        user_id=OuterRef("recipient_id"), kind=kind, email_enabled=False
    )
    pending = list(
        Notification.objects.filter(dedupe_key=dedupe_key, kind=kind, email__isnull=True)
        .filter(recipient__is_active=True)
        .exclude(recipient__email="")
        .exclude(Exists(opted_out))
        .values_list("pk", flat=True)
    )
    if not pending:
        return
    now = timezone.now()
    OutgoingEmail.objects.bulk_create(
        [OutgoingEmail(notification_id=pk, created_at=now) for pk in pending],
        batch_size=NOTIFY_BATCH,
        ignore_conflicts=True,
    )
    transaction.on_commit(lambda: emails_enqueue(notification_ids=pending))


def emails_enqueue(*, notification_ids: list[int]) -> None:
    from .tasks import notification_emails_send_task

    for start in range(0, len(notification_ids), EMAILS_PER_TASK):
        notification_emails_send_task.enqueue(
            notification_ids=notification_ids[start : start + EMAILS_PER_TASK]
        )


# Reading and tidying ---------------------------------------------------------------------------


def notification_mark_read(*, user, notification_id: int) -> Notification | None:
    """Mark one of the user's notifications read (again is a no-op); None if it is not theirs."""
    notification = Notification.objects.filter(pk=notification_id, recipient=user).first()
    if notification is not None and notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def preference_set(*, user, kind: str, email_enabled: bool) -> NotificationPreference:
    kind = NotificationKind(kind).value
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, kind=kind, defaults={"email_enabled": email_enabled}
    )
    return preference


# Unsubscribing without logging in --------------------------------------------------------------


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    """A signed, URL-safe token that switches one kind of e-mail off for one person. It does not
    expire: links in old e-mails keep working, and it can do nothing else."""
    return signing.dumps([user_id, kind], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token_read(token: str) -> tuple[Any, str] | None:
    """The (user, kind) a token names, or None for a forged, damaged or stale token."""
    try:
        user_id, kind = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        kind = NotificationKind(kind).value
    except (signing.BadSignature, ValueError, TypeError):
        return None
    user = get_user_model().objects.filter(pk=user_id).first()
    return (user, kind) if user is not None else None


def unsubscribe_url(*, user_id: int, kind: str) -> str:
    path = reverse(
        "notifications:unsubscribe", args=[unsubscribe_token(user_id=user_id, kind=kind)]
    )
    return absolute_url(path)


def absolute_url(url: str) -> str:
    if url.startswith("/") and not url.startswith("//"):
        return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + url
    return url


# Sending (the notifications worker) -------------------------------------------------------------


def emails_send(*, notification_ids: list[int]) -> dict[str, int]:
    """Send the queued e-mails of these notifications over one connection; returns counts by
    status. Each e-mail is claimed first, so two workers never send the same one."""
    ids = list(
        OutgoingEmail.objects.filter(notification_id__in=notification_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return _send_all(ids)


def emails_retry_due(*, limit: int = RETRIES_PER_TASK) -> dict[str, int]:
    """Send again failed e-mails whose retry time has come (the oldest first)."""
    ids = list(
        OutgoingEmail.objects.filter(status=EmailStatus.FAILED, retry_at__lte=timezone.now())
        .order_by("retry_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return _send_all(ids) if ids else {}


def _send_all(email_ids: list[int]) -> dict[str, int]:
    counts: dict[str, int] = {}
    connection = get_connection()
    try:
        for email_id in email_ids:
            status = _email_send(email_id=email_id, connection=connection)
            if status:
                counts[status] = counts.get(status, 0) + 1
    finally:
        try:
            connection.close()
        except Exception:  # a broken connection has nothing left to close
            logger.debug("Closing the mail connection failed", exc_info=True)
    return counts


def _claim(email_id: int) -> bool:
    """queued (or failed and due) → sending, for exactly one worker, in one conditional UPDATE:
    a second worker, or a task run again, finds nothing to claim and sends nothing."""
    now = timezone.now()
    claimable = Q(status=EmailStatus.QUEUED) | Q(status=EmailStatus.FAILED, retry_at__lte=now)
    return bool(
        OutgoingEmail.objects.filter(claimable, pk=email_id).update(
            status=EmailStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    )


def _email_send(*, email_id: int, connection) -> str | None:
    if not _claim(email_id):
        return None
    email = OutgoingEmail.objects.select_related("notification__recipient").get(pk=email_id)
    notification = email.notification
    recipient = notification.recipient
    wanted = not NotificationPreference.objects.filter(
        user=recipient, kind=notification.kind, email_enabled=False
    ).exists()
    if not wanted or not recipient.is_active or not recipient.email:
        # Switched off (or no address any more) after it was queued.
        email.status = EmailStatus.SKIPPED
        email.retry_at = None
        email.save(update_fields=["status", "retry_at"])
        return email.status
    try:
        message = email_message(notification=notification, connection=connection)
        connection.send_messages([message])
    except Exception as exc:  # SMTP refused, unreachable, timed out, a template broke: keep it
        email.status = EmailStatus.FAILED
        email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        email.retry_at = (
            timezone.now() + timedelta(minutes=2**email.attempts)
            if email.attempts < MAX_EMAIL_ATTEMPTS
            else None
        )
        email.save(update_fields=["status", "last_error", "retry_at"])
        logger.warning(
            "E-mail %s (notification %s) failed on attempt %s: %s",
            email.pk,
            notification.pk,
            email.attempts,
            email.last_error,
        )
        return email.status
    email.status = EmailStatus.SENT
    email.sent_at = timezone.now()
    email.to_address = recipient.email
    email.retry_at = None
    email.last_error = ""
    email.save(update_fields=["status", "sent_at", "to_address", "retry_at", "last_error"])
    return email.status


def email_message(*, notification: Notification, connection=None) -> EmailMultiAlternatives:
    """The e-mail for a notification: text and HTML, with a one-click unsubscribe (RFC 8058),
    written in the recipient's language."""
    recipient = notification.recipient
    with translation.override(user_language(recipient)):
        return _email_message(notification=notification, connection=connection)


def _email_message(*, notification: Notification, connection=None) -> EmailMultiAlternatives:
    recipient = notification.recipient
    unsubscribe = unsubscribe_url(user_id=recipient.pk, kind=notification.kind)
    context = {
        **notification.context,
        "notification": notification,
        "kind_label": str(NotificationKind(notification.kind).label),
        "url": absolute_url(notification.url) if notification.url else "",
        "unsubscribe_url": unsubscribe,
        "preferences_url": absolute_url(reverse("notifications:preferences")),
        "site_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/"),
    }
    names = [f"notifications/email/{notification.kind}", "notifications/email/notification"]
    text = select_template([f"{name}.txt" for name in names]).render(context)
    html = select_template([f"{name}.html" for name in names]).render(context)
    prefix = getattr(settings, "ACCOUNT_EMAIL_SUBJECT_PREFIX", "")
    message = EmailMultiAlternatives(
        subject=f"{prefix}{notification.title}".replace("\n", " "),
        body=text,
        to=[recipient.email],
        connection=connection,
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


__all__ = [
    "emails_retry_due",
    "emails_send",
    "notification_mark_read",
    "notifications_mark_all_read",
    "notify",
    "notify_many",
    "preference_set",
    "unsubscribe_token",
    "unsubscribe_token_read",
]
