"""Telling a learner their certificate is issued: an in-site notification and an e-mail
(notifications.services.notify). Idempotent: one notification per certificate, however often
it is called.

Called by certificates.services once a certificate is created (the integrator's hook:
`certificate_issued_notify(certificate=certificate)` after `_certificate_create` makes the row).
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from notifications.models import NotificationKind
from notifications.services import notify

from .models import Certificate


def certificate_issued_notify(*, certificate: Certificate) -> None:
    """Notify after commit, so a rolled-back issuance tells nobody."""
    certificate_id = certificate.pk
    transaction.on_commit(lambda: _notify(certificate_id=certificate_id))


def _notify(*, certificate_id: int) -> None:
    certificate = Certificate.objects.select_related("learner").get(pk=certificate_id)
    # In the language the certificate was issued in: the learner's own.
    with translation.override(certificate.language or None):
        _notify_in_language(certificate)


def _notify_in_language(certificate: Certificate) -> None:
    notify(
        recipient=certificate.learner,
        kind=NotificationKind.CERTIFICATE_ISSUED,
        title=_("Your certificate for %(course)s") % {"course": certificate.course_title},
        body=_(
            "Congratulations: you completed %(course)s and earned a certificate. Download it, "
            "share it, or send its verification link to anyone who asks."
        )
        % {"course": certificate.course_title},
        url=reverse("certificates:share", args=[certificate.code]),
        dedupe_key=f"certificate_issued:{certificate.pk}",
        context={"course_title": certificate.course_title, "code": certificate.code},
    )
