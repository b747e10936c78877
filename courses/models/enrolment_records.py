"""What staff do to enrolments, kept: the audit of every enrolment change, the invitations sent to
e-mails without an account, and the CSV imports (rows stored before any is applied).

Imports pages, cohorts and learning; nothing here is imported by them. Written through
courses.enrolment_staff, courses.invitations and courses.enrolment_imports only.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .cohorts import Cohort
from .pages import CoursePage


class EnrolmentAction(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    UNENROLLED = "unenrolled", _("Unenrolled")
    MOVED = "moved", _("Moved to another cohort")
    INVITED = "invited", _("Invited")
    INVITATION_REVOKED = "invitation_revoked", _("Invitation withdrawn")


class EnrolmentSource(models.TextChoices):
    SELF = "self", _("By the learner")
    STAFF = "staff", _("By staff")
    CSV_IMPORT = "csv_import", _("CSV import")
    INVITATION = "invitation", _("Invitation accepted")


class EnrolmentEvent(models.Model):
    """One change to an enrolment (or an invitation), never edited or deleted: who did it to whom,
    when, how, and from which import or invitation."""

    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="+")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="enrolment_events",
    )
    # The address an invitation went to (no learner yet); the learner's address otherwise.
    email = models.EmailField(blank=True)
    action = models.CharField(max_length=24, choices=EnrolmentAction.choices)
    source = models.CharField(max_length=16, choices=EnrolmentSource.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cohort = models.ForeignKey(
        Cohort, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_cohort = models.ForeignKey(
        Cohort, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    enrolment_import = models.ForeignKey(
        "EnrolmentImport", null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    invitation = models.ForeignKey(
        "Invitation", null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["course", "-at"], name="enrolment_event_course_at")]

    def __str__(self) -> str:
        return f"{self.action} {self.email} in {self.course_id} at {self.at:%Y-%m-%d %H:%M}"


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REVOKED = "revoked", _("Withdrawn")


class Invitation(models.Model):
    """An invitation to a course (and cohort) for an e-mail address with no account yet.

    The token in the e-mailed link proves the address: following it signs up with the address
    already verified. Once an account with a verified address matching the invitation exists,
    the learner is enrolled (courses.invitations.invitations_accept_for)."""

    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="invitations")
    cohort = models.ForeignKey(
        Cohort, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitations"
    )
    # Stored lower-case, so one address has one pending invitation per course.
    email = models.EmailField()
    name = models.CharField(max_length=255, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(
        max_length=16, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    enrolment_import = models.ForeignKey(
        "EnrolmentImport",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["course", "email"],
                condition=models.Q(status="pending"),
                name="unique_pending_invitation",
            )
        ]
        indexes = [models.Index(fields=["email", "status"], name="invitation_email_status")]

    def __str__(self) -> str:
        return f"{self.email} to {self.course_id} ({self.status})"

    @property
    def is_live(self) -> bool:
        """Pending and not expired: its link still works."""
        from django.utils import timezone

        return self.status == InvitationStatus.PENDING and self.expires_at > timezone.now()


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", _("Waiting for confirmation")
    REFUSED = "refused", _("Refused: the file has errors")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class EnrolmentImport(models.Model):
    """One uploaded enrolment CSV: its rows as read, stored before anything is applied; the
    outcome the preview predicted per row; and, once confirmed, the progress of the import job."""

    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64)
    # [{"line": n, "email": ..., "name": ..., "cohort": ...}, ...] as read from the file.
    rows = models.JSONField(default=list)
    # Per row, in file order: {"line": n, "outcome": ..., "reason": ...} (courses.enrolment_imports).
    preview = models.JSONField(default=list)
    counts = models.JSONField(default=dict)
    status = models.CharField(
        max_length=16, choices=ImportStatus.choices, default=ImportStatus.PREVIEWED
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["course", "-created_at"], name="enrolment_import_recent")]

    def __str__(self) -> str:
        return f"{self.filename} into {self.course_id} ({self.status})"

    @property
    def percent_done(self) -> int:
        return 100 if not self.rows_total else min(100, self.rows_done * 100 // self.rows_total)
