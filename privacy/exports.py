"""Building a learner's data export: one zip, streamed to a temporary file, then to private storage.

The zip is a list of small sections, each one file (or a folder of files) described in
README.txt. What a learner reads of their grades comes from the same selector their submission
page uses (grading.selectors.submission_result), so hidden test source and answer keys never
reach the export.

Bounded: every entry counts against `export_max_bytes()` (default 500 MB, docs/privacy.md) as it
is written; an export over the budget fails with a message instead of filling the disk. Stored
files (notebooks, PDFs) are copied in chunks, never read whole into memory, and the zip is built
in a temporary file that the storage then reads in chunks.
"""

from __future__ import annotations

import contextlib
import json
import logging
import secrets
import tempfile
import zipfile
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from api.models import ApiToken
from certificates.models import Certificate
from courses.models import (
    CourseExerciseScore,
    CourseProgress,
    Enrolment,
    EnrolmentEvent,
    ExerciseDraft,
    KnowledgeCheckAnswer,
    LessonCompletion,
    QuizAttempt,
)
from grading.models import Submission
from grading.selectors import submission_result
from lti.models import LtiIdentity
from notifications.models import Notification, NotificationPreference

from .models import DataExport, ErasureRequest, ExportStatus, PrivacyEventKind
from .services import event_record, export_days, export_max_bytes

logger = logging.getLogger("privacy")

CHUNK = 64 * 1024


class ExportTooLarge(Exception):
    pass


def _plain(value: Any) -> Any:
    """JSON for what the models hold: dates as ISO 8601, points as exact decimal strings."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Fraction):
        return str(Decimal(value.numerator) / Decimal(value.denominator))
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


class ExportWriter:
    """A zip being written, with the size budget kept as each entry goes in."""

    def __init__(self, target: Any, *, budget: int) -> None:
        self.zip = zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED)
        self.budget = budget
        self.written = 0
        self.names: list[str] = []

    def _count(self, size: int) -> None:
        self.written += size
        if self.written > self.budget:
            raise ExportTooLarge

    def json(self, name: str, data: Any) -> None:
        payload = json.dumps(_plain(data), ensure_ascii=False, indent=2).encode()
        self.bytes(name, payload)

    def bytes(self, name: str, payload: bytes) -> None:
        self._count(len(payload))
        self.zip.writestr(name, payload)
        self.names.append(name)

    def file(self, name: str, field_file: Any) -> bool:
        """Copy a stored file into the zip in chunks; False when it is missing from storage."""
        try:
            source = field_file.storage.open(field_file.name, "rb")
        except (OSError, ValueError):
            logger.warning("Export: stored file %s is missing", field_file.name)
            return False
        with source, self.zip.open(name, "w", force_zip64=True) as target:
            while chunk := source.read(CHUNK):
                self._count(len(chunk))
                target.write(chunk)
        self.names.append(name)
        return True

    def close(self) -> None:
        self.zip.close()


# Sections -----------------------------------------------------------------------------------


def _profile(user: Any, out: ExportWriter) -> None:
    out.json(
        "profile.json",
        {
            "username": user.username,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "name_on_certificates": user.certificate_name,
            "language": getattr(user, "language", ""),
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "email_addresses": [
                {"email": a.email, "verified": a.verified, "primary": a.primary}
                for a in EmailAddress.objects.filter(user=user).order_by("pk")
            ],
            "two_factor_methods": [
                {"type": a.type, "created_at": a.created_at, "last_used_at": a.last_used_at}
                for a in Authenticator.objects.filter(user=user).order_by("pk")
            ],
        },
    )


def _enrolments(user: Any, out: ExportWriter) -> None:
    enrolments = Enrolment.objects.filter(learner=user).select_related("course", "cohort")
    events = EnrolmentEvent.objects.filter(learner=user).select_related(
        "course", "cohort", "from_cohort"
    )
    out.json(
        "enrolments.json",
        {
            "enrolments": [
                {
                    "course": e.course.title,
                    "course_url": e.course.full_url or "",
                    "status": e.status,
                    "enrolled_at": e.enrolled_at,
                    "unenrolled_at": e.unenrolled_at,
                    "cohort": e.cohort.name if e.cohort else None,
                    "last_activity_at": e.last_activity_at,
                }
                for e in enrolments.order_by("enrolled_at", "pk")
            ],
            "events": [
                {
                    "course": ev.course.title,
                    "action": ev.action,
                    "source": ev.source,
                    "cohort": ev.cohort.name if ev.cohort else None,
                    "from_cohort": ev.from_cohort.name if ev.from_cohort else None,
                    "at": ev.at,
                }
                for ev in events.order_by("at", "pk")
            ],
        },
    )


def _progress(user: Any, out: ExportWriter) -> None:
    progress = CourseProgress.objects.filter(enrolment__learner=user).select_related(
        "enrolment__course"
    )
    scores = CourseExerciseScore.objects.filter(enrolment__learner=user).select_related(
        "enrolment__course", "exercise"
    )
    lessons = LessonCompletion.objects.filter(learner=user).select_related("lesson")
    out.json(
        "progress.json",
        {
            "courses": [
                {
                    "course": p.enrolment.course.title,
                    "percent": p.percent,
                    "lessons_done": p.lessons_done,
                    "lessons_total": p.lessons_total,
                    "checks_correct": p.checks_correct,
                    "checks_total": p.checks_total,
                    "completed_at": p.completed_at,
                }
                for p in progress.order_by("pk")
            ],
            "lessons_completed": [
                {"lesson": c.lesson.title, "completed_at": c.completed_at}
                for c in lessons.order_by("completed_at", "pk")
            ],
            "best_exercise_scores": [
                {
                    "course": s.enrolment.course.title,
                    "exercise": s.exercise.title,
                    "points": s.points,
                    "max_points": s.max_points,
                    "recorded_at": s.recorded_at,
                }
                for s in scores.order_by("pk")
            ],
        },
    )


def _answers(user: Any, out: ExportWriter) -> None:
    checks = KnowledgeCheckAnswer.objects.filter(learner=user).select_related("lesson")
    quizzes = QuizAttempt.objects.filter(learner=user).select_related("lesson")
    out.json(
        "knowledge_checks.json",
        {
            "knowledge_checks": [
                {
                    "lesson": a.lesson.title,
                    "check": a.block_id,
                    "selected_options": a.selected_option_ids,
                    "correct": a.is_correct,
                    "attempts": a.attempts,
                    "answered_at": a.answered_at,
                }
                for a in checks.order_by("answered_at", "pk")
            ],
            "quiz_attempts": [
                {
                    "lesson": q.lesson.title,
                    "quiz": q.block_id,
                    "attempt": q.number,
                    "answers": q.answers,
                    "correct": q.correct,
                    "total": q.total,
                    "submitted_at": q.submitted_at,
                }
                for q in quizzes.order_by("submitted_at", "pk")
            ],
        },
    )


def _drafts(user: Any, out: ExportWriter) -> None:
    drafts = ExerciseDraft.objects.filter(learner=user).select_related("course", "exercise")
    out.json(
        "drafts.json",
        [
            {
                "course": d.course.title,
                "exercise": d.exercise.title,
                "answers": d.answers,
                "saved_at": d.updated_at,
            }
            for d in drafts.order_by("updated_at", "pk")
        ],
    )


def _submission_entry(submission: Submission, notebook_name: str | None) -> dict[str, Any]:
    # What the learner's submission page shows, and nothing more (no hidden test source).
    result = submission_result(submission=submission)
    return {
        "id": submission.pk,
        "exercise": submission.exercise.title,
        "course": submission.course_page.title if submission.course_page else None,
        "kind": submission.kind,
        "origin": submission.origin,
        "attempt": submission.attempt,
        "status": submission.status,
        "submitted_at": submission.created_at,
        "graded_at": submission.finished_at,
        "score": None if result.score is None else result.score,
        "max_score": submission.max_score,
        "score_overridden_by_instructor": result.overridden,
        "score_provisional": result.provisional,
        "message": result.message,
        "notes": result.notes,
        "tests": [
            {
                "cell": t.grade_id,
                "kind": t.kind,
                "result": t.status_label,
                "points": None if t.waiting else t.points,
                "max_points": t.max_points,
                "message": t.message,
                "feedback": t.feedback,
                "rubric_levels": list(t.levels),
                "waiting_for_instructor": t.waiting,
            }
            for t in result.tests
        ],
        "answers": submission.answers,
        "answer_outputs": submission.outputs,
        "notebook_file": notebook_name,
    }


def _submissions(user: Any, out: ExportWriter, progress: Callable[[int], None]) -> None:
    submissions = list(
        Submission.objects.filter(learner=user)
        .select_related("exercise", "course_page")
        .prefetch_related("manual_grades")
        .order_by("created_at", "pk")
    )
    entries = []
    for index, submission in enumerate(submissions, start=1):
        name: str | None = None
        if submission.notebook:
            name = f"submissions/{submission.pk}-{submission.exercise.slug}.ipynb"
            if not out.file(name, submission.notebook):
                name = None
        entries.append(_submission_entry(submission, name))
        progress(index * 100 // max(len(submissions), 1))
    out.json("submissions.json", entries)


def _certificates(user: Any, out: ExportWriter) -> None:
    entries = []
    for c in Certificate.objects.filter(learner=user).order_by("issued_at", "pk"):
        pdf = credential = None
        if c.pdf_a4 and out.file(f"certificates/{c.code}.pdf", c.pdf_a4):
            pdf = f"certificates/{c.code}.pdf"
        if c.credential:
            credential = f"certificates/{c.code}.credential.json"
            out.bytes(credential, c.credential.encode())
        entries.append(
            {
                "code": c.code,
                "course": c.course_title,
                "name_printed": c.learner_name,
                "issued_at": c.issued_at,
                "expires_at": c.expires_at,
                "status": c.status,
                "revoked_at": c.revoked_at,
                "final_percent": c.final_percent,
                "score_band": c.score_band,
                "shared_publicly": c.shared,
                "pdf_file": pdf,
                "credential_file": credential,
            }
        )
    out.json("certificates.json", entries)


def _notifications(user: Any, out: ExportWriter) -> None:
    out.json(
        "notifications.json",
        {
            "notifications": [
                {
                    "kind": n.kind,
                    "title": n.title,
                    "body": n.body,
                    "url": n.url,
                    "created_at": n.created_at,
                    "read_at": n.read_at,
                }
                for n in Notification.objects.filter(recipient=user).order_by("created_at", "pk")
            ],
            "email_preferences": [
                {"kind": p.kind, "email_enabled": p.email_enabled}
                for p in NotificationPreference.objects.filter(user=user).order_by("kind")
            ],
        },
    )


def _api_tokens(user: Any, out: ExportWriter) -> None:
    # Names and scopes only: the secret was never stored, and its hash is not the learner's data.
    out.json(
        "api_tokens.json",
        [
            {
                "name": t.name,
                "kind": t.kind,
                "starts_with": f"pma_{t.prefix}_",
                "scopes": t.scopes,
                "created_at": t.created_at,
                "expires_at": t.expires_at,
                "revoked_at": t.revoked_at,
                "last_used_at": t.last_used_at,
            }
            for t in ApiToken.objects.filter(user=user).order_by("created_at", "pk")
        ],
    )


def _lti(user: Any, out: ExportWriter) -> None:
    out.json(
        "lms_links.json",
        [
            {
                "platform": i.registration.name,
                "issuer": i.issuer,
                "user_id_in_lms": i.sub,
                "name_from_lms": i.name,
                "email_from_lms": i.email,
                "linked_at": i.created_at,
                "last_launch_at": i.last_launch_at,
            }
            for i in LtiIdentity.objects.filter(user=user)
            .select_related("registration")
            .order_by("pk")
        ],
    )


def _privacy(user: Any, out: ExportWriter) -> None:
    out.json(
        "privacy_requests.json",
        {
            "exports": [
                {"requested_at": e.requested_at, "status": e.status, "finished_at": e.finished_at}
                for e in DataExport.objects.filter(user=user).order_by("requested_at", "pk")
            ],
            "erasure_requests": [
                {
                    "requested_at": r.requested_at,
                    "status": r.status,
                    "scheduled_for": r.scheduled_for,
                    "cancelled_at": r.cancelled_at,
                }
                for r in ErasureRequest.objects.filter(user=user).order_by("requested_at", "pk")
            ],
        },
    )


README = """\
Your data from PM Academy
=========================

Made on {made} for the account {username}. Every file is UTF-8; times are in UTC
(ISO 8601); points are exact decimals, as stored.

profile.json             Your account: names, e-mail addresses, language, when you joined and
                         last signed in, which two-factor methods you use (never their secrets).
enrolments.json          The courses you are or were enrolled in, your cohort, and every change
                         to your enrolments (enrolled, moved, unenrolled) with its date.
progress.json            Your progress per course, the lessons you completed and your best score
                         on each exercise.
knowledge_checks.json    Your answers to knowledge checks and graded quizzes (the option ids you
                         chose and whether they were right).
drafts.json              Answers you typed into exercises and have not necessarily submitted.
submissions.json         Every submission and check: when, which attempt, the score, whether an
                         instructor changed it, each test's result and message, your instructor's
                         feedback and rubric levels, your answer cells and their output. It shows
                         what your submission page shows: never hidden test code or answer keys.
submissions/             The notebook you submitted, one file per submission
                         (<submission id>-<exercise>.ipynb; named in submissions.json).
certificates.json        Your certificates: code, course, printed name, dates, status, score band.
certificates/            Each certificate's PDF (<code>.pdf) and its signed credential
                         (<code>.credential.json, Open Badges 3.0), which anyone can verify.
notifications.json       The notifications we sent you and your e-mail preferences.
api_tokens.json          Your API tokens: names, scopes and dates. The tokens themselves were
                         never stored, so they are not here.
lms_links.json           Learning management systems (LTI) your account is linked to, with what
                         they told us about you.
privacy_requests.json    Your data exports and account deletion requests.
"""


def export_build(*, export_id: int) -> DataExport:
    """Build the export's zip and store it; one worker only (a conditional claim).

    Progress is written as sections finish, so the learner's page can show it. If the account
    is erased meanwhile (privacy.erasure cancels the export), the finished file is deleted
    instead of being kept.
    """
    claimed = DataExport.objects.filter(pk=export_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, started_at=timezone.now(), progress=1
    )
    export = DataExport.objects.select_related("user").get(pk=export_id)
    if not claimed:
        return export
    user = export.user

    def progress(percent: int) -> None:
        DataExport.objects.filter(pk=export_id, status=ExportStatus.RUNNING).update(
            progress=max(1, min(percent, 99))
        )

    sections: list[tuple[int, Callable[[], None]]] = []
    try:
        with tempfile.TemporaryFile() as target:
            out = ExportWriter(target, budget=export_max_bytes())
            sections = [
                (5, lambda: _profile(user, out)),
                (10, lambda: _enrolments(user, out)),
                (20, lambda: _progress(user, out)),
                (25, lambda: _answers(user, out)),
                (30, lambda: _drafts(user, out)),
                (80, lambda: _submissions(user, out, lambda p: progress(30 + p // 2))),
                (90, lambda: _certificates(user, out)),
                (93, lambda: _notifications(user, out)),
                (95, lambda: _api_tokens(user, out)),
                (96, lambda: _lti(user, out)),
                (97, lambda: _privacy(user, out)),
            ]
            try:
                for percent, section in sections:
                    section()
                    progress(percent)
            except BaseException:
                # Close the zip before its temporary file goes, so nothing writes to a closed file.
                with contextlib.suppress(Exception):
                    out.close()
                raise
            out.bytes(
                "README.txt",
                README.format(made=timezone.now().isoformat(), username=user.username).encode(),
            )
            out.close()
            size = target.tell()
            target.seek(0)
            name = export.file.storage.save(
                f"exports/{secrets.token_urlsafe(18)}/pm-academy-data.zip", File(target)
            )
    except ExportTooLarge:
        return _failed(
            export,
            gettext_noop("Your data is larger than one export may be; please ask us for it."),
        )
    except Exception:
        logger.exception("Data export %s failed", export_id)
        return _failed(
            export, gettext_noop("The export could not be built. Please try again later.")
        )
    now = timezone.now()
    with transaction.atomic():
        ready = DataExport.objects.filter(pk=export_id, status=ExportStatus.RUNNING).update(
            status=ExportStatus.READY,
            progress=100,
            file=name,
            size_bytes=size,
            finished_at=now,
            expires_at=now + timedelta(days=export_days()),
        )
    export.refresh_from_db()
    if not ready:
        # Cancelled while it was built (the account was erased): nothing of it may stay.
        export.file.storage.delete(name)
        logger.info("Data export %s was cancelled while built; its file is deleted", export_id)
        return export
    event_record(user=user, kind=PrivacyEventKind.EXPORT_READY, export=export, bytes=size)
    return export


def _failed(export: DataExport, message: str) -> DataExport:
    failed = DataExport.objects.filter(pk=export.pk, status=ExportStatus.RUNNING).update(
        status=ExportStatus.FAILED, error=message, finished_at=timezone.now()
    )
    export.refresh_from_db()
    if failed:
        event_record(
            user=export.user, kind=PrivacyEventKind.EXPORT_FAILED, export=export, error=message
        )
    return export
