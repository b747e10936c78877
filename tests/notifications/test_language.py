"""Each person is told in their own language: the notification's text and the whole e-mail follow
the recipient's saved language (else the site's default), whoever triggered it."""

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.services import user_set_language
from notifications.models import Notification, NotificationKind
from notifications.services import notify_many
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def announce(recipients):
    return notify_many(
        recipients=recipients,
        kind=NotificationKind.ANNOUNCEMENT,
        # A function: rendered once per recipient language.
        title=lambda: _("Announcements"),
        body="Kickoff moved to Friday.",
        url="/courses/1/",
        dedupe_key="announcement:1",
    )


def test_each_recipient_reads_the_notification_and_e_mail_in_their_language(
    django_capture_on_commit_callbacks,
):
    anna = UserFactory(email="anna@example.org")
    user_set_language(user=anna, language="de")
    ben = UserFactory(email="ben@example.org")  # no preference: the site's default, English
    stale = UserFactory(email="old@example.org")
    stale.language = "xx"  # a language no longer offered: English, no error
    stale.save(update_fields=["language"])

    # The sender's own language does not leak into the recipients' messages.
    with translation.override("de"), django_capture_on_commit_callbacks(execute=True):
        told = announce([anna, ben, stale])

    assert told == 3
    titles = dict(Notification.objects.values_list("recipient__email", "title"))
    assert titles == {
        "anna@example.org": "Ankündigungen",
        "ben@example.org": "Announcements",
        "old@example.org": "Announcements",
    }
    by_address = {message.to[0]: message for message in mail.outbox}
    german = by_address["anna@example.org"]
    assert german.subject == "[PM Academy] Ankündigungen"
    assert "Auf PM Academy öffnen:" in german.body
    assert "Kickoff moved to Friday." in german.body
    html = german.alternatives[0][0]
    assert '<html lang="de">' in html
    assert "Diese E-Mails abbestellen" in html
    english = by_address["ben@example.org"]
    assert "Open it on PM Academy:" in english.body
    assert '<html lang="en">' in english.alternatives[0][0]
    assert "Open it on PM Academy:" in by_address["old@example.org"].body


def test_a_plain_string_is_stored_as_given_for_everyone(django_capture_on_commit_callbacks):
    anna = UserFactory(email="anna@example.org")
    user_set_language(user=anna, language="de")

    with django_capture_on_commit_callbacks(execute=True):
        notify_many(
            recipients=[anna],
            kind=NotificationKind.ANNOUNCEMENT,
            title="Foundations: Kickoff",
            dedupe_key="announcement:2",
        )

    assert Notification.objects.get().title == "Foundations: Kickoff"
