"""notify / notify_many: one notification and one e-mail per event and person, bulk in a fixed
number of queries, preferences honoured, failures kept and retried, never sent twice."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from notifications.models import EmailStatus, Notification, NotificationKind, OutgoingEmail
from notifications.selectors import preferences_for, unread_count
from notifications.services import (
    NOTIFY_BATCH,
    emails_retry_due,
    emails_send,
    notification_mark_read,
    notifications_mark_all_read,
    notify,
    notify_many,
    preference_set,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def tell(user, key="review_graded:1", **extra):
    return notify(
        recipient=user,
        kind=NotificationKind.REVIEW_GRADED,
        title="RICE scoring is graded",
        body="Your instructor scored the written answer: 4 of 5.",
        url="/courses/1/exercises/2/",
        dedupe_key=key,
        **extra,
    )


def test_notify_stores_the_notification_and_mails_text_and_html(
    learner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notification = tell(learner)
    assert (notification.recipient, notification.kind, notification.read_at) == (
        learner,
        "review_graded",
        None,
    )
    assert unread_count(user=learner) == 1
    [message] = mail.outbox
    assert message.to == ["ada@example.org"]
    assert message.subject == "[PM Academy] RICE scoring is graded"
    assert "Your instructor scored the written answer: 4 of 5." in message.body
    assert "http://testserver/courses/1/exercises/2/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Your instructor scored the written answer: 4 of 5." in html
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith(
        "<http://testserver/notifications/unsubscribe/"
    )
    email = OutgoingEmail.objects.get()
    assert (email.status, email.attempts, email.to_address) == ("sent", 1, "ada@example.org")


def test_the_same_event_tells_a_person_once(learner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = tell(learner)
        again = tell(learner)
    with django_capture_on_commit_callbacks(execute=True):
        tell(learner)
    assert first == again
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_resend_of_a_sent_email_sends_nothing(learner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification = tell(learner)
    assert emails_send(notification_ids=[notification.pk]) == {}
    assert len(mail.outbox) == 1


def test_an_unknown_kind_is_refused(learner):
    with pytest.raises(ValueError):
        notify(recipient=learner, kind="spam", title="x", dedupe_key="x")


def test_a_kind_switched_off_stays_in_the_site_but_is_not_mailed(
    learner, django_capture_on_commit_callbacks
):
    preference_set(user=learner, kind="review_graded", email_enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        tell(learner)
    assert unread_count(user=learner) == 1
    assert mail.outbox == []
    assert not OutgoingEmail.objects.exists()
    assert [p.email_enabled for p in preferences_for(user=learner)] == [
        False,
        True,
        True,
        True,
        True,
    ]


def test_switching_off_after_queueing_skips_the_email(learner):
    # The task would run after commit; switch the kind off before it does.
    notification = tell(learner)
    preference_set(user=learner, kind="review_graded", email_enabled=False)
    assert emails_send(notification_ids=[notification.pk]) == {"skipped": 1}
    assert mail.outbox == []


def test_a_failed_send_is_kept_with_its_error_and_retried_later(learner, settings):
    notification = tell(learner)
    settings.EMAIL_BACKEND = "tests.notifications.failing_backend.RefusingBackend"
    assert emails_send(notification_ids=[notification.pk]) == {"failed": 1}
    email = OutgoingEmail.objects.get()
    assert email.status == EmailStatus.FAILED
    assert email.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert email.retry_at > timezone.now()
    # Not due yet: nothing is retried.
    assert emails_retry_due() == {}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutgoingEmail.objects.update(retry_at=timezone.now() - timedelta(seconds=1))
    assert emails_retry_due() == {"sent": 1}
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == ("sent", 2, "")
    assert len(mail.outbox) == 1


def test_after_the_last_attempt_an_email_is_not_retried_again(learner, settings):
    notification = tell(learner)
    settings.EMAIL_BACKEND = "tests.notifications.failing_backend.RefusingBackend"
    OutgoingEmail.objects.update(attempts=4)
    emails_send(notification_ids=[notification.pk])
    email = OutgoingEmail.objects.get()
    assert (email.status, email.attempts, email.retry_at) == ("failed", 5, None)


def inserts(model, rows: int) -> int:
    """How many INSERTs bulk_create needs for `rows` rows here (SQLite caps parameters per query)."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    batch = min(NOTIFY_BATCH, connection.ops.bulk_batch_size(fields, [None] * rows))
    return -(-rows // batch)


def test_notify_many_costs_no_query_per_recipient(
    django_assert_num_queries, django_capture_on_commit_callbacks
):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(email__endswith="@bulk.example.org")
    for size, key in ((30, "a:1"), (300, "a:2")):
        UserFactory.create_batch(size - users.count(), email=factory_email())
        # Recipients not yet told, the new notifications read back for their e-mails: 2 reads.
        expected = 2 + inserts(Notification, size) + inserts(OutgoingEmail, size)
        with django_assert_num_queries(expected):
            told = notify_many(
                recipients=users, kind="announcement", title="Week 2", dedupe_key=key
            )
        assert told == size
    # Again: nobody new to tell, one query.
    with django_assert_num_queries(1):
        assert (
            notify_many(recipients=users, kind="announcement", title="Week 2", dedupe_key="a:2")
            == 0
        )
    assert OutgoingEmail.objects.filter(notification__dedupe_key="a:2").count() == 300
    with django_capture_on_commit_callbacks(execute=True):
        notify_many(
            recipients=users.filter(pk=users.first().pk),
            kind="announcement",
            title="Week 3",
            dedupe_key="a:3",
        )
    assert len(mail.outbox) == 1


def factory_email():
    import factory

    return factory.Sequence(lambda n: f"bulk{n}@bulk.example.org")


def test_marking_read(learner):
    first, second = tell(learner, key="k:1"), tell(learner, key="k:2")
    other = UserFactory()
    assert notification_mark_read(user=other, notification_id=first.pk) is None
    assert notification_mark_read(user=learner, notification_id=first.pk).read_at is not None
    assert unread_count(user=learner) == 1
    assert notifications_mark_all_read(user=learner) == 1
    assert unread_count(user=learner) == 0
    second.refresh_from_db()
    assert second.is_read
