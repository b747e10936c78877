"""Enrolment by CSV: upload, checks, a preview of every row, then the import as a queued job.

1. The upload is checked before it is parsed: its size (ENROLMENT_IMPORT_MAX_BYTES), its
   encoding (UTF-8, with or without a byte-order mark; anything else is refused with a message
   saying so), then read by django-import-export's CSV format (tablib): the header must name
   the columns e-mail, name and cohort (name and cohort may be left out), and at most
   ENROLMENT_IMPORT_MAX_ROWS rows. A file that fails any of these is refused whole, each
   problem in one sentence, and nothing is stored.
2. Every row is decided as staff enrolment decides one address (courses.enrolment_staff.decide):
   new enrolment, invitation, already enrolled, moved cohort, or an error with its reason
   (malformed e-mail, unknown cohort, a duplicate of an earlier row, a cell a spreadsheet would
   run as a formula). The rows and the preview are stored (EnrolmentImport) and nothing else is
   written. A file with any error row is refused whole: the instructor fixes the file and
   uploads it again, so nothing is ever half-imported.
3. Confirming queues the import (enrolment_import_task); the job applies the rows in chunks,
   deciding each again against the data as it is then, and stores rows done / total as it goes
   for the progress bar. Applying a file twice changes nothing the second time: every row is
   "already enrolled" (or "invited already").
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from import_export.formats.base_formats import CSV
from tablib import InvalidDimensions

from accounts.languages import user_language

from .cohorts import StaffScope, staff_scope
from .enrolment_staff import EMAIL_MAX_LENGTH, Outcome, decide, email_problem
from .invitations import invitation_lifetime, invitations_send, new_token
from .learner_names import learner_sort_name
from .models import (
    Cohort,
    CourseProgress,
    Enrolment,
    EnrolmentAction,
    EnrolmentEvent,
    EnrolmentImport,
    EnrolmentSource,
    ImportStatus,
    Invitation,
    InvitationStatus,
)

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
DEFAULT_MAX_ROWS = 10_000
CHUNK_ROWS = 250
NAME_MAX_LENGTH = 255
# Spreadsheets run a cell starting with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = {"e-mail": "email", "email": "email", "name": "name", "cohort": "cohort"}


def max_bytes() -> int:
    return int(getattr(settings, "ENROLMENT_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_rows() -> int:
    return int(getattr(settings, "ENROLMENT_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


class ImportRefused(Exception):
    """The file is refused whole; `problems` says why, one sentence each."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


def upload_refusal(size: int) -> str | None:
    """Why an upload of `size` bytes is refused before a byte of it is read, or None."""
    if size > max_bytes():
        return _(
            "The file is %(size)s KB; enrolment files may be at most %(limit)s KB. Split it into "
            "smaller files."
        ) % {"size": -(-size // 1024), "limit": max_bytes() // 1024}
    if size == 0:
        return _("The file is empty.")
    return None


def _decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRefused(
            [
                _(
                    "The file is not UTF-8 text (the byte at position %(position)s cannot be "
                    "read). Save it as “CSV UTF-8” and upload it again."
                )
                % {"position": error.start + 1}
            ]
        ) from None
    if "\x00" in text:
        raise ImportRefused([_("The file is not a CSV text file. Upload a .csv file.")])
    return text


def _header(headers: list[str]) -> list[str]:
    keys = []
    problems = []
    for header in headers:
        key = COLUMNS.get(header.strip().lower())
        if key is None:
            problems.append(
                _("The column “%(column)s” is not one of e-mail, name, cohort.")
                % {"column": header.strip()[:60]}
            )
        elif key in keys:
            problems.append(_("The column “%(column)s” appears twice.") % {"column": header})
        keys.append(key or "")
    if "email" not in keys and not problems:
        problems.append(_("The first row must name the columns: e-mail, name, cohort."))
    if problems:
        raise ImportRefused(problems)
    return keys


def import_file_read(data: bytes) -> list[dict[str, Any]]:
    """The rows of an enrolment CSV: [{"line", "email", "name", "cohort"}] (line: the row's
    number in the file, the header being 1). Raises ImportRefused."""
    refusal = upload_refusal(len(data))
    if refusal:
        raise ImportRefused([refusal])
    text = _decode(data)
    try:
        dataset = CSV().create_dataset(text)
    except InvalidDimensions:
        raise ImportRefused(
            [_("A row has more cells than the header has columns; check for stray commas.")]
        ) from None
    except Exception:  # noqa: BLE001 - the csv module's and tablib's errors alike
        raise ImportRefused([_("The file could not be read as CSV.")]) from None
    if not dataset.headers:
        raise ImportRefused([_("The first row must name the columns: e-mail, name, cohort.")])
    keys = _header([str(h or "") for h in dataset.headers])
    if dataset.height > max_rows():
        raise ImportRefused(
            [
                _("The file has %(rows)s rows; an import may have at most %(limit)s.")
                % {"rows": dataset.height, "limit": max_rows()}
            ]
        )
    if dataset.height == 0:
        raise ImportRefused([_("The file has a header but no rows.")])
    rows = []
    for index, values in enumerate(dataset, start=2):
        row: dict[str, Any] = {"line": index, "email": "", "name": "", "cohort": ""}
        for key, value in zip(keys, values, strict=False):
            row[key] = "" if value is None else str(value)
        rows.append(row)
    return rows


# Deciding rows ---------------------------------------------------------------------------------


def _row_problem(row: dict[str, Any]) -> str | None:
    for column, label in (("email", "e-mail"), ("name", "name"), ("cohort", "cohort")):
        value = row[column]
        if value.startswith(FORMULA_PREFIXES):
            return _(
                "The %(column)s cell starts with “%(char)s”, which spreadsheets run as a "
                "formula; remove it."
            ) % {"column": label, "char": value[0].replace("\t", "tab").replace("\r", "CR")}
        if "\n" in value or "\r" in value:
            return _("The %(column)s cell runs over several lines (an unclosed quote?).") % {
                "column": label
            }
    email = row["email"].strip()
    if len(email) > EMAIL_MAX_LENGTH:
        return email_problem(email)
    problem = email_problem(email)
    if problem:
        return problem
    if len(row["name"]) > NAME_MAX_LENGTH:
        return _("The name is longer than %(n)s characters.") % {"n": NAME_MAX_LENGTH}
    return None


@dataclass
class _Known:
    """What the course holds now for a set of addresses, read in a few queries."""

    cohorts: dict[str, Cohort]
    users: dict[str, Any]
    enrolments: dict[int, Enrolment]
    invitations: dict[str, Invitation]


def _known(scope: StaffScope, emails: Iterable[str]) -> _Known:
    from django.contrib.auth import get_user_model

    course = scope.course
    emails = sorted(set(emails))
    cohorts = {c.name.strip().lower(): c for c in Cohort.objects.filter(course=course)}
    users: dict[str, Any] = {}
    enrolments: dict[int, Enrolment] = {}
    invitations: dict[str, Invitation] = {}
    for start in range(0, len(emails), 500):
        chunk = emails[start : start + 500]
        for user in (
            get_user_model()
            .objects.annotate(email_key=Lower("email"))
            .filter(email_key__in=chunk)
            .order_by("pk")
        ):
            users.setdefault(user.email_key, user)
        for invitation in Invitation.objects.filter(
            course=course, email__in=chunk, status=InvitationStatus.PENDING
        ):
            invitations[invitation.email] = invitation
    user_ids = [user.pk for user in users.values()]
    for start in range(0, len(user_ids), 500):
        for enrolment in Enrolment.objects.filter(
            course=course, learner_id__in=user_ids[start : start + 500]
        ).select_related("cohort"):
            enrolments[enrolment.learner_id] = enrolment
    return _Known(cohorts=cohorts, users=users, enrolments=enrolments, invitations=invitations)


@dataclass(frozen=True)
class RowDecision:
    line: int
    email: str
    name: str
    outcome: str
    reason: str
    cohort: Cohort | None
    learner: Any | None
    enrolment: Enrolment | None
    invitation: Invitation | None

    def as_json(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "email": self.email,
            "cohort": self.cohort.name if self.cohort else "",
            "outcome": self.outcome,
            "reason": self.reason,
        }


def rows_decide(*, scope: StaffScope, rows: list[dict[str, Any]]) -> list[RowDecision]:
    """Decide every row against the course as it is now, in a fixed number of queries per
    500 addresses."""
    known = _known(scope, (row["email"].strip().lower() for row in rows))
    seen: dict[str, int] = {}
    decisions = []
    for row in rows:
        email = row["email"].strip()
        key = email.lower()
        cohort = None
        problem = _row_problem(row)
        if problem is None and key in seen:
            problem = _("A duplicate of row %(line)s (the same e-mail address).") % {
                "line": seen[key]
            }
        if problem is None and row["cohort"].strip():
            cohort = known.cohorts.get(row["cohort"].strip().lower())
            if cohort is None:
                problem = _("This course has no cohort named “%(cohort)s”.") % {
                    "cohort": row["cohort"].strip()
                }
        seen.setdefault(key, row["line"])
        learner = known.users.get(key)
        enrolment = known.enrolments.get(learner.pk) if learner is not None else None
        invitation = known.invitations.get(key) if learner is None else None
        if problem is not None:
            outcome, reason = Outcome.ERROR, problem
        else:
            outcome, reason = decide(
                scope=scope,
                cohort=cohort,
                enrolment=enrolment,
                invitation=invitation,
                has_account=learner is not None,
            )
        decisions.append(
            RowDecision(
                line=row["line"],
                email=email,
                name=row["name"],
                outcome=outcome,
                reason=reason,
                cohort=cohort,
                learner=learner,
                enrolment=enrolment,
                invitation=invitation,
            )
        )
    return decisions


def _counts(decisions: Iterable[RowDecision | dict[str, Any]]) -> dict[str, int]:
    counts = dict.fromkeys(Outcome.labels, 0)
    for decision in decisions:
        outcome = decision["outcome"] if isinstance(decision, dict) else decision.outcome
        counts[outcome] += 1
    return counts


# Upload and preview ----------------------------------------------------------------------------


def enrolment_import_preview(
    *, scope: StaffScope, actor: Any, filename: str, data: bytes
) -> EnrolmentImport:
    """Read and decide the file; store its rows and the preview (nothing else is written).
    Raises ImportRefused for a file that cannot be read at all."""
    if not scope.course.live:
        raise ImportRefused([_("This course is not open for enrolment: publish it first.")])
    rows = import_file_read(data)
    decisions = rows_decide(scope=scope, rows=rows)
    counts = _counts(decisions)
    return EnrolmentImport.objects.create(
        course=scope.course,
        uploaded_by=actor,
        filename=filename[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        rows=rows,
        preview=[decision.as_json() for decision in decisions],
        counts=counts,
        status=ImportStatus.REFUSED if counts[Outcome.ERROR] else ImportStatus.PREVIEWED,
        rows_total=len(rows),
        created_at=timezone.now(),
    )


def import_refused_message(enrolment_import: EnrolmentImport) -> str:
    errors = enrolment_import.counts.get(Outcome.ERROR, 0)
    return ngettext(
        "%(n)s row has an error, so nothing will be imported. Fix the file and upload it again.",
        "%(n)s rows have errors, so nothing will be imported. Fix the file and upload it again.",
        errors,
    ) % {"n": errors}


def enrolment_import_confirm(*, enrolment_import: EnrolmentImport) -> bool:
    """Queue a previewed import; False when it is not waiting for confirmation (refused, or
    confirmed already: a second click queues nothing)."""
    claimed = EnrolmentImport.objects.filter(
        pk=enrolment_import.pk, status=ImportStatus.PREVIEWED
    ).update(status=ImportStatus.QUEUED, confirmed_at=timezone.now())
    if not claimed:
        return False
    from .tasks import enrolment_import_task

    import_id = enrolment_import.pk
    transaction.on_commit(lambda: enrolment_import_task.enqueue(import_id=import_id))
    return True


def enrolment_import_retry(*, enrolment_import: EnrolmentImport) -> bool:
    """Queue a failed import again; rows it applied before are "already enrolled" now."""
    claimed = EnrolmentImport.objects.filter(
        pk=enrolment_import.pk, status=ImportStatus.FAILED
    ).update(status=ImportStatus.QUEUED, error="")
    if not claimed:
        return False
    from .tasks import enrolment_import_task

    import_id = enrolment_import.pk
    transaction.on_commit(lambda: enrolment_import_task.enqueue(import_id=import_id))
    return True


# Applying ---------------------------------------------------------------------------------------


def _apply_chunk(
    *, scope: StaffScope, enrolment_import: EnrolmentImport, decisions: list[RowDecision]
) -> tuple[dict[str, int], list[int]]:
    """Apply one chunk's decisions in one transaction; (counts, invitation ids to e-mail)."""
    from .services import enrolment_create, progress_recompute

    course = scope.course
    actor = enrolment_import.uploaded_by
    now = timezone.now()
    counts = _counts(decisions)
    fresh = [d for d in decisions if d.outcome == Outcome.ENROL and d.enrolment is None]
    invite = [d for d in decisions if d.outcome == Outcome.INVITE and d.invitation is None]
    audit = {
        "course": course,
        "actor": actor,
        "source": EnrolmentSource.CSV_IMPORT,
        "enrolment_import": enrolment_import,
        "at": now,
    }
    with transaction.atomic():
        # New enrolments in bulk: a learner never enrolled here has done nothing in the course,
        # so all their progress rows are alike; the first is counted, the rest copy it.
        if fresh:
            created = Enrolment.objects.bulk_create(
                [
                    Enrolment(
                        learner=d.learner,
                        course=course,
                        cohort=d.cohort,
                        enrolled_at=now,
                        sort_name=learner_sort_name(d.learner),
                    )
                    for d in fresh
                ]
            )
            template = progress_recompute(enrolment=created[0])
            fields = [
                "lessons_done",
                "lessons_total",
                "checks_correct",
                "checks_total",
                "exercise_points",
                "exercise_max_points",
                "percent",
            ]
            CourseProgress.objects.bulk_create(
                [
                    CourseProgress(enrolment=enrolment, **{f: getattr(template, f) for f in fields})
                    for enrolment in created[1:]
                ]
            )
            EnrolmentEvent.objects.bulk_create(
                [
                    EnrolmentEvent(
                        learner=d.learner,
                        email=getattr(d.learner, "email", ""),
                        action=EnrolmentAction.ENROLLED,
                        cohort=d.cohort,
                        **audit,
                    )
                    for d in fresh
                ]
            )
        invited: list[Invitation] = []
        if invite:
            expires = now + invitation_lifetime()
            invited = Invitation.objects.bulk_create(
                [
                    Invitation(
                        course=course,
                        cohort=d.cohort,
                        email=d.email.lower(),
                        name=d.name.strip(),
                        invited_by=actor,
                        token=new_token(),
                        created_at=now,
                        expires_at=expires,
                        enrolment_import=enrolment_import,
                    )
                    for d in invite
                ]
            )
            EnrolmentEvent.objects.bulk_create(
                [
                    EnrolmentEvent(
                        email=invitation.email,
                        action=EnrolmentAction.INVITED,
                        cohort=invitation.cohort,
                        invitation=invitation,
                        **audit,
                    )
                    for invitation in invited
                ]
            )
        # The few that change an existing enrolment or invitation go one by one.
        for d in decisions:
            if d.outcome in (Outcome.ENROL, Outcome.MOVE) and d.enrolment is not None:
                enrolment_create(
                    learner=d.learner,
                    course=course,
                    cohort=d.cohort,
                    actor=actor,
                    source=EnrolmentSource.CSV_IMPORT,
                    enrolment_import=enrolment_import,
                )
            elif d.outcome in (Outcome.MOVE, Outcome.INVITE) and d.invitation is not None:
                from .invitations import invitation_create

                invitation, _changed = invitation_create(
                    course=course,
                    email=d.email,
                    cohort=d.cohort,
                    invited_by=actor,
                    enrolment_import=enrolment_import,
                    send=False,
                )
                if d.outcome == Outcome.INVITE:
                    invited.append(invitation)
        done = enrolment_import.rows_done + len(decisions)
        EnrolmentImport.objects.filter(pk=enrolment_import.pk).update(rows_done=done)
        enrolment_import.rows_done = done
    return counts, [invitation.pk for invitation in invited]


def enrolment_import_apply(*, import_id: int) -> EnrolmentImport:
    """The queued job: claim the import (queued → running, once), apply its rows in chunks,
    storing the rows done after each, then e-mail the invitations. Rows are decided again as
    they are applied, so a learner who enrolled meanwhile is simply "already enrolled"."""
    claimed = EnrolmentImport.objects.filter(pk=import_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, rows_done=0
    )
    enrolment_import = EnrolmentImport.objects.select_related("course", "uploaded_by").get(
        pk=import_id
    )
    if not claimed:
        return enrolment_import
    actor = enrolment_import.uploaded_by
    scope = (
        staff_scope(user=actor, course_id=enrolment_import.course_id) if actor is not None else None
    )
    if scope is None:
        # Read by the uploader later, but written in a job with no request: in their language.
        with translation.override(user_language(actor)):
            message = _("The person who uploaded the file no longer teaches it.")
        return _fail(enrolment_import, message)
    totals = dict.fromkeys(Outcome.labels, 0)
    rows = enrolment_import.rows
    try:
        for start in range(0, len(rows), CHUNK_ROWS):
            decisions = rows_decide(scope=scope, rows=rows[start : start + CHUNK_ROWS])
            # Duplicates across chunks were refused at preview; errors now (a cohort deleted
            # meanwhile) skip the row and are counted.
            counts, invitation_ids = _apply_chunk(
                scope=scope,
                enrolment_import=enrolment_import,
                decisions=[d for d in decisions if d.outcome != Outcome.ERROR],
            )
            counts[Outcome.ERROR] = sum(d.outcome == Outcome.ERROR for d in decisions)
            for key, value in counts.items():
                totals[key] += value
            if invitation_ids:
                invitations_send(
                    invitations=Invitation.objects.select_related(
                        "course", "cohort", "invited_by"
                    ).filter(pk__in=invitation_ids)
                )
    except Exception as error:  # noqa: BLE001 - recorded for the instructor; retry is safe
        return _fail(enrolment_import, str(error)[:500] or error.__class__.__name__)
    EnrolmentImport.objects.filter(pk=import_id).update(
        status=ImportStatus.DONE, counts=totals, finished_at=timezone.now()
    )
    enrolment_import.refresh_from_db()
    return enrolment_import


def _fail(enrolment_import: EnrolmentImport, message: str) -> EnrolmentImport:
    EnrolmentImport.objects.filter(pk=enrolment_import.pk).update(
        status=ImportStatus.FAILED, error=message, finished_at=timezone.now()
    )
    enrolment_import.refresh_from_db()
    return enrolment_import
