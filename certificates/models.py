"""The Certificate record: what was certified, to whom, and whether it still holds.

Everything printed is snapshotted at issue time, so renaming a course or a learner
later never changes a certificate already issued. Certificates are revoked, never
deleted: both the instance and the queryset refuse to delete.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .codes import CODE_LENGTH


class CertificateDeletionError(Exception):
    """Certificates are evidence; revoke them instead."""


class Status(models.TextChoices):
    ACTIVE = "active", _("Active")
    REVOKED = "revoked", _("Revoked")


class Validity(models.TextChoices):
    """What a verifier is told; `expired` is computed from the expiry date, never stored."""

    VALID = "valid", _("Valid")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


class PdfStatus(models.TextChoices):
    """Where the certificate's files stand; the record itself exists from the moment of issue.

    Ready means complete: the credential and the A4 PDF are stored (US Letter follows on its
    first download and has no status of its own)."""

    PENDING = "pending", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed, will retry")


class Erasure(models.TextChoices):
    """What became of the certificate when its learner erased their account (docs/certificates.md)."""

    #: Still valid; the name is removed from our records and the files that printed it deleted.
    NAME_WITHHELD = "name_withheld", _("Name removed at the learner's request")
    #: Still valid and public with the name: the learner chose so when closing their account.
    KEPT_PUBLIC = "kept_public", _("Kept public at the learner's request")


class ScoreBand(models.TextChoices):
    PASS = "pass", _("Pass")
    MERIT = "merit", _("Merit")
    DISTINCTION = "distinction", _("Distinction")


def _pdf_path(instance: Certificate, page_size: str) -> str:
    # A random directory keeps stored PDFs unguessable from the public code, should the
    # storage ever be reachable directly; downloads go through the permission check.
    return f"certificates/{secrets.token_urlsafe(18)}/{instance.code}-{page_size}.pdf"


def pdf_path_a4(instance: Certificate, filename: str) -> str:
    return _pdf_path(instance, "a4")


def pdf_path_letter(instance: Certificate, filename: str) -> str:
    return _pdf_path(instance, "letter")


class CertificateQuerySet(models.QuerySet):
    def delete(self):
        raise CertificateDeletionError("Certificates are never deleted; revoke them instead.")

    def valid_at(self, moment: datetime):
        return self.filter(status=Status.ACTIVE).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=moment)
        )

    def with_validity(self, validity: str, *, at: datetime):
        if validity == Validity.REVOKED:
            return self.filter(status=Status.REVOKED)
        if validity == Validity.EXPIRED:
            return self.filter(status=Status.ACTIVE, expires_at__lte=at)
        return self.valid_at(at)


class Certificate(models.Model):
    code = models.CharField(_("code"), max_length=CODE_LENGTH, unique=True, editable=False)
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("learner"),
    )
    # SET_NULL: a deleted course leaves its certificates standing on their snapshots.
    course = models.ForeignKey(
        "courses.CoursePage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="certificates",
        verbose_name=_("course"),
    )

    learner_name = models.CharField(_("name printed"), max_length=200)
    course_title = models.CharField(_("course title"), max_length=255)
    course_url = models.URLField(_("course URL"), max_length=500, blank=True)
    skills = models.JSONField(_("skills"), default=list, blank=True)
    instructor_name = models.CharField(_("instructor"), max_length=200, blank=True)
    final_percent = models.PositiveSmallIntegerField(_("final percent"))
    score_band = models.CharField(_("score band"), max_length=20, choices=ScoreBand.choices)

    issued_at = models.DateTimeField(_("issued"), db_index=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("issued by"),
        help_text=_("Empty when issued automatically on course completion."),
    )

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revocation_reason = models.TextField(_("reason for revoking"), blank=True)

    shared = models.BooleanField(
        _("shared publicly"),
        default=False,
        help_text=_("The learner lets anyone with the link download the PDF and credential."),
    )
    # Position in the revocation status list; the credential's statusListIndex.
    status_index = models.PositiveIntegerField(
        _("status list index"), null=True, blank=True, unique=True, editable=False
    )
    credential = models.TextField(_("signed credential"), blank=True, editable=False)
    pdf_a4 = models.FileField(
        _("PDF, A4"), upload_to=pdf_path_a4, blank=True, editable=False, max_length=300
    )
    pdf_letter = models.FileField(
        _("PDF, US Letter"), upload_to=pdf_path_letter, blank=True, editable=False, max_length=300
    )
    rendered_at = models.DateTimeField(_("rendered"), null=True, blank=True, editable=False)
    pdf_status = models.CharField(
        _("PDF status"), max_length=10, choices=PdfStatus.choices, default=PdfStatus.PENDING
    )
    render_attempts = models.PositiveSmallIntegerField(_("render attempts"), default=0)
    render_error = models.TextField(
        _("last render error"),
        blank=True,
        help_text=_("Why the last try to produce the PDFs failed."),
    )
    render_retry_at = models.DateTimeField(
        _("next render try"),
        null=True,
        blank=True,
        help_text=_("When a failed render is tried again."),
    )

    # The language the certificate was issued (and is printed) in: the learner's preference at
    # issue time. Blank for certificates issued before it was recorded: the site's default.
    language = models.CharField(_("language"), max_length=10, blank=True, editable=False)
    learner_erased_at = models.DateTimeField(
        _("learner's account erased"), null=True, blank=True, editable=False
    )
    erasure = models.CharField(
        _("after the learner's erasure"),
        max_length=20,
        choices=Erasure.choices,
        blank=True,
        editable=False,
    )

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "course"], name="one_certificate_per_learner_and_course"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="revoked") | models.Q(revoked_at__isnull=False),
                name="revoked_certificates_record_when",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "expires_at"]),
            # Every certificates task first looks for due renders (services.certificates_render_due);
            # without this that is a scan of the whole table, signed credentials included, per issue.
            # "Not ready" rather than "pending or failed": SQLite matches a query's `NOT (x = ?)` to
            # this condition, but not a bound IN list.
            models.Index(
                fields=["render_retry_at", "id"],
                condition=~models.Q(pdf_status=PdfStatus.READY),
                name="certificate_render_due",
            ),
        ]
        permissions = [
            ("issue_certificate", _("Can issue certificates by hand")),
            ("revoke_certificate", _("Can revoke certificates")),
        ]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return f"{self.code} — {self.holder_name}, {self.course_title}"

    @property
    def name_withheld(self) -> bool:
        """The learner erased their account and their name is no longer in our records."""
        return self.erasure == Erasure.NAME_WITHHELD

    @property
    def holder_name(self) -> str:
        """The printed name, or words saying it was removed (for pages and the admin)."""
        if self.name_withheld:
            return str(_("A learner who has since closed their account"))
        return self.learner_name

    def delete(self, *args, **kwargs):
        raise CertificateDeletionError("Certificates are never deleted; revoke them instead.")

    def validity(self, *, at: datetime | None = None) -> Validity:
        if self.status == Status.REVOKED:
            return Validity.REVOKED
        moment = at or timezone.now()
        if self.expires_at is not None and self.expires_at <= moment:
            return Validity.EXPIRED
        return Validity.VALID

    @property
    def is_rendered(self) -> bool:
        """Complete: the signed credential and the A4 PDF are stored. US Letter is rendered on its
        first download (services.certificate_letter_render), so it is not required."""
        return bool(self.pdf_a4) and bool(self.credential)

    def pdf_for(self, page_size: str):
        return self.pdf_letter if page_size == "letter" else self.pdf_a4
