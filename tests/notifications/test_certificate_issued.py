"""certificates.notifications: a learner whose certificate is issued is told once, in the site and
by e-mail, with a link to the certificate's page."""

import pytest
from django.core import mail

from certificates.notifications import certificate_issued_notify
from certificates.services import certificate_issue
from notifications.models import Notification
from tests.factories import completed

pytestmark = pytest.mark.django_db


def test_the_learner_is_told_once_after_commit(
    learner, course, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.PMA_CERT_KEYS_DIR = tmp_path / "keys"
    completed(learner, course, percent=92)
    certificate = certificate_issue(learner=learner, course=course, render=False)
    with django_capture_on_commit_callbacks(execute=True):
        certificate_issued_notify(certificate=certificate)
        # Not before commit: a rolled-back issuance tells nobody.
        assert not Notification.objects.filter(kind="certificate_issued").exists()
    with django_capture_on_commit_callbacks(execute=True):
        certificate_issued_notify(certificate=certificate)  # issued again: nothing new
    notification = Notification.objects.get(kind="certificate_issued")
    assert notification.recipient == learner
    assert notification.title == "Your certificate for Foundations"
    assert notification.url == f"/certificates/{certificate.code}/"
    assert [m.subject for m in mail.outbox] == ["[PM Academy] Your certificate for Foundations"]
