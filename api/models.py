"""API tokens: personal ones a person makes for themself in their account settings, and service
ones staff make in the Wagtail admin for another system (acting as a service user, or for a set
of courses).

A token is shown once, when it is made; only its public prefix and the SHA-256 of the whole
token are stored. Written through api.tokens only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models import CoursePage


class Scope(models.TextChoices):
    """What a token may do. A scope never widens what its holder may see: a learner's token with
    enrolments:read still reads no enrolments but their own."""

    COURSES_READ = "courses:read", _("Read courses")
    ENROLMENTS_READ = "enrolments:read", _("Read enrolments")
    ENROLMENTS_WRITE = "enrolments:write", _("Enrol and unenrol learners")
    PROGRESS_READ = "progress:read", _("Read progress")
    SUBMISSIONS_READ = "submissions:read", _("Read submission scores")
    CERTIFICATES_READ = "certificates:read", _("Read certificates")


class TokenKind(models.TextChoices):
    PERSONAL = "personal", _("Personal")
    SERVICE = "service", _("Service")


class ApiToken(models.Model):
    kind = models.CharField(max_length=10, choices=TokenKind.choices)
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What the token is for, so you can tell it apart.")
    )
    # Personal: its owner. Service: the service user it acts as, or empty when it acts for its
    # courses alone.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="pma_api_tokens",
    )
    # A service token's courses: with a user, it reaches only these of theirs; without one, it
    # reaches these as their instructors do.
    courses = models.ManyToManyField(CoursePage, blank=True, related_name="+")
    # The public part of the token, shown in lists and used to find the row; unique.
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    # SHA-256 of the whole token, hex. The secret has 256 bits of entropy, so a fast hash is enough.
    secret_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "kind", "-created_at"], name="api_token_owner")]
        permissions = [("manage_service_tokens", "Can create and revoke service API tokens")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="personal") | models.Q(user__isnull=False),
                name="api_personal_token_has_owner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return not self.is_revoked and not self.is_expired

    def state_label(self) -> str:
        if self.is_revoked:
            return str(_("Revoked"))
        if self.is_expired:
            return str(_("Expired"))
        return str(_("Active"))
