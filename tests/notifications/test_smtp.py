"""E-mail through a real SMTP server on loopback (aiosmtpd), as production sends it: the message
has a text and an HTML part and the RFC 8058 headers, and its unsubscribe link works."""

import email
import re
import socket
from email import policy
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller

from notifications.models import EmailStatus, NotificationPreference, OutgoingEmail
from notifications.services import emails_retry_due, notify

pytestmark = pytest.mark.django_db


class Inbox:
    def __init__(self):
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    yield inbox
    controller.stop()


def tell(learner):
    return notify(
        recipient=learner,
        kind="announcement",
        title="Foundations: week 2 starts on Monday",
        body="Read module 2 first.\nBring your RICE scores.",
        url="/courses/",
        dedupe_key="announcement:7",
    )


def test_the_received_message_has_text_html_and_one_click_unsubscribe(
    smtp, learner, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tell(learner)
    [(recipients, raw)] = smtp.messages
    assert recipients == ["ada@example.org"]
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["Subject"] == "[PM Academy] Foundations: week 2 starts on Monday"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    html = message.get_body(preferencelist=("html",)).get_content().replace("\r\n", "\n")
    assert "Read module 2 first.\nBring your RICE scores." in text
    assert "<p>Read module 2 first.<br>Bring your RICE scores.</p>" in html
    assert "http://testserver/courses/" in text
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Long headers are folded onto a second line; unfolded, it is one <URL>.
    header_url = re.fullmatch(r"\s*<(\S+)>", str(message["List-Unsubscribe"])).group(1)
    assert header_url in text
    assert f'href="{header_url}"' in html
    assert OutgoingEmail.objects.get().status == EmailStatus.SENT

    # The mail client's one-click POST (RFC 8058): no session, no CSRF token.
    path = urlsplit(header_url).path
    assert "Stop these e-mails?" in client.get(path).content.decode()
    assert not NotificationPreference.objects.exists()
    response = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert (
        NotificationPreference.objects.get(user=learner, kind="announcement").email_enabled is False
    )


def test_a_mail_server_that_is_down_leaves_the_email_to_retry(
    settings, learner, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nothing listens
    settings.EMAIL_TIMEOUT = 5
    with django_capture_on_commit_callbacks(execute=True):
        tell(learner)
    sent = OutgoingEmail.objects.get()
    assert sent.status == EmailStatus.FAILED
    assert sent.last_error.startswith("ConnectionRefusedError")

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=settings.EMAIL_PORT)
    controller.start()
    try:
        OutgoingEmail.objects.update(retry_at=sent.created_at)
        assert emails_retry_due() == {"sent": 1}
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
