"""What the LTI 1.3 tool stores: the platforms (LMSs) registered with it and their deployments,
the tool's own signing keys, the LMS users, contexts and resource links it has seen, the
short-lived OIDC state and nonces, and the outbox of scores to post to LMS gradebooks.

Imports run one way (DESIGN.md): lti sits above every other app and nothing imports it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from exercises.points import PointsField

FRAME_ORIGINS_CACHE_KEY = "pma:lti:frame-origins"


def origin_of(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


class PlatformRegistration(ClusterableModel):
    """One LMS (issuer + client id) registered with the tool, as the LMS administrator set it up."""

    name = models.CharField(_("name"), max_length=200, help_text=_("For example: Canvas (ACME)."))
    issuer = models.CharField(
        _("issuer"),
        max_length=255,
        help_text=_("The platform's issuer (iss), e.g. https://canvas.instructure.com."),
    )
    client_id = models.CharField(
        _("client ID"), max_length=255, help_text=_("The client ID the LMS gave this tool.")
    )
    auth_login_url = models.URLField(
        _("authentication request URL"),
        max_length=500,
        help_text=_("The LMS's OIDC authorization endpoint (where the tool sends the browser)."),
    )
    auth_token_url = models.URLField(
        _("access token URL"),
        max_length=500,
        help_text=_("The LMS's OAuth 2 token endpoint, for grade passback and the roster."),
    )
    auth_audience = models.CharField(
        _("token audience"),
        max_length=500,
        blank=True,
        help_text=_("Only if the LMS asks for one (Moodle and Canvas do not)."),
    )
    key_set_url = models.URLField(
        _("platform JWKS URL"),
        max_length=500,
        blank=True,
        help_text=_("The LMS's public keyset URL. Leave empty if you paste a public key below."),
    )
    public_key = models.TextField(
        _("platform public key (PEM)"),
        blank=True,
        help_text=_("Paste the LMS's RSA public key if it gives a key instead of a keyset URL."),
    )
    frame_origins = models.TextField(
        _("LMS web addresses"),
        blank=True,
        help_text=_(
            "Origins allowed to show PM Academy in an iframe, one per line "
            "(e.g. https://school.instructure.com). Empty: the issuer's and the "
            "authentication URL's origins."
        ),
    )
    instructors_edit_course = models.BooleanField(
        _("LMS instructors may edit the course"),
        default=False,
        help_text=_(
            "When on, a launch with an instructor role makes that person an instructor of the "
            "launched course in PM Academy (Wagtail admin, that course only)."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("LMS registration")
        verbose_name_plural = _("LMS registrations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "client_id"], name="lti_registration_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.issuer})"

    def clean(self) -> None:
        if not self.key_set_url and not self.public_key.strip():
            raise ValidationError(
                _(
                    "Give the platform's JWKS URL or paste its public key: launches are checked "
                    "against it."
                )
            )
        for line in self.frame_origins.split():
            if not origin_of(line):
                raise ValidationError(
                    {"frame_origins": _("“%(line)s” is not a web address.") % {"line": line}}
                )

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().save(*args, **kwargs)
        # lti.framing caches every registration's origins for a minute; start afresh.
        cache.delete(FRAME_ORIGINS_CACHE_KEY)

    def allowed_frame_origins(self) -> list[str]:
        origins = [origin_of(line) for line in self.frame_origins.split()]
        if not any(origins):
            origins = [origin_of(self.issuer), origin_of(self.auth_login_url)]
        return sorted({o for o in origins if o})


class Deployment(models.Model):
    registration = ParentalKey(
        PlatformRegistration, on_delete=models.CASCADE, related_name="deployments"
    )
    deployment_id = models.CharField(_("deployment ID"), max_length=255)

    class Meta:
        verbose_name = _("deployment")
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "deployment_id"], name="lti_deployment_unique"
            )
        ]

    def __str__(self) -> str:
        return self.deployment_id


class ToolKeyStatus(models.TextChoices):
    CURRENT = "current", _("Current: signs messages")
    PREVIOUS = "previous", _("Previous: still published")
    RETIRED = "retired", _("Retired")


class ToolKey(models.Model):
    """An RSA key pair of the tool. The private key is stored encrypted (lti.keys)."""

    kid = models.CharField(max_length=64, unique=True)
    public_pem = models.TextField()
    private_pem_encrypted = models.TextField()
    status = models.CharField(max_length=10, choices=ToolKeyStatus.choices)
    created_at = models.DateTimeField()
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tool key")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=models.Q(status="current"),
                name="lti_one_current_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kid} ({self.get_status_display()})"


class LtiRole(models.TextChoices):
    LEARNER = "learner", _("Learner")
    INSTRUCTOR = "instructor", _("Instructor")


class LtiIdentity(models.Model):
    """An LMS user, known by (issuer, sub): the only way an LMS user is matched to an account."""

    registration = models.ForeignKey(
        PlatformRegistration, on_delete=models.CASCADE, related_name="identities"
    )
    issuer = models.CharField(max_length=255)
    sub = models.CharField(max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_identities"
    )
    name = models.CharField(max_length=300, blank=True)
    email = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_launch_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("LMS user")
        verbose_name_plural = _("LMS users")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "sub"], name="lti_identity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name or self.sub} @ {self.issuer}"


class LtiContext(models.Model):
    """An LMS course (context) and the PM Academy course its links open."""

    registration = models.ForeignKey(
        PlatformRegistration, on_delete=models.CASCADE, related_name="contexts"
    )
    deployment_id = models.CharField(max_length=255)
    context_id = models.CharField(max_length=255)
    title = models.CharField(max_length=300, blank=True)
    course = models.ForeignKey(
        "courses.CoursePage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The LMS course's learners form a cohort of the PM Academy course; its LMS instructors are
    # that cohort's instructors (courses.cohorts: they see and manage their cohort only).
    cohort = models.ForeignKey(
        "courses.Cohort", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    memberships_url = models.URLField(max_length=500, blank=True)
    roster_synced_at = models.DateTimeField(null=True, blank=True)
    roster_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("LMS course")
        verbose_name_plural = _("LMS courses")
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "deployment_id", "context_id"], name="lti_context_unique"
            )
        ]

    def __str__(self) -> str:
        return self.title or self.context_id


class LtiResourceLink(models.Model):
    """A link placed in an LMS course, and what it opens: a course, a lesson or an exercise."""

    context = models.ForeignKey(LtiContext, on_delete=models.CASCADE, related_name="links")
    resource_link_id = models.CharField(max_length=255)
    title = models.CharField(max_length=300, blank=True)
    page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    exercise = models.ForeignKey(
        "exercises.Exercise", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lineitem_url = models.URLField(max_length=500, blank=True)
    lineitems_url = models.URLField(max_length=500, blank=True)
    ags_scopes = models.JSONField(default=list, blank=True)
    last_launch_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("LMS link")
        constraints = [
            models.UniqueConstraint(
                fields=["context", "resource_link_id"], name="lti_resource_link_unique"
            )
        ]

    def __str__(self) -> str:
        return self.title or self.resource_link_id


class LaunchDatum(models.Model):
    """pylti1p3's launch storage (OIDC state, nonces, launch data) in the database, so every web
    worker sees it: LocMem caches are per process (lti.launch_storage)."""

    key = models.CharField(max_length=255, unique=True)
    value = models.JSONField(null=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.key


class ScorePostStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will retry")
    GAVE_UP = "gave_up", _("Failed, gave up")
    SUPERSEDED = "superseded", _("Superseded by a newer score")


class ScorePost(models.Model):
    """A learner's counted score for an LMS line item, stored before it is sent (the outbox).

    One row per (line item, user, score timestamp): the same change is never posted twice."""

    link = models.ForeignKey(LtiResourceLink, on_delete=models.CASCADE, related_name="score_posts")
    identity = models.ForeignKey(LtiIdentity, on_delete=models.CASCADE, related_name="+")
    lineitem_url = models.URLField(max_length=500)
    # Stored as grading stores points (exercises.points), so a repeated score compares equal.
    score_given = PointsField()
    score_maximum = PointsField()
    scored_at = models.DateTimeField()
    status = models.CharField(
        max_length=12, choices=ScorePostStatus.choices, default=ScorePostStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("score sent to an LMS")
        verbose_name_plural = _("scores sent to LMSs")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["lineitem_url", "identity", "scored_at"], name="lti_score_post_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.identity} {self.score_given}/{self.score_maximum}"
