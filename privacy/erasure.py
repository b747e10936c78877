"""Anonymising a learner's account after the grace period: one transaction, all or nothing.

What happens to each model that refers to the person is decided in docs/privacy.md ("What an
erasure keeps and deletes"); the functions below follow that table in its order. In short:
personal data goes (names, e-mail, sign-in, sessions, tokens, LMS links, notifications, drafts,
free-text answers and submitted notebooks); what others rely on stays as anonymous records
(submissions and their scores, enrolments and progress, so gradebooks and statistics stay true)
and every audit row stays, pointing at the anonymised user `erased-<id>`.

Files are deleted only after the transaction commits: a failure rolls the rows back and leaves
every file where it was.
"""

from __future__ import annotations

import logging
from collections import Counter
from importlib import import_module
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.files.storage import Storage
from django.db import transaction
from django.utils import timezone
from wagtail.users.models import UserProfile

from api.models import ApiToken
from certificates import services as certificate_services
from courses.models import EnrolmentEvent, EnrolmentImport, ExerciseDraft, Invitation
from grading.models import NotebookRun, Submission
from lti.models import LtiIdentity
from notifications.models import Notification, NotificationPreference

from .models import DataExport, ErasureRequest, ErasureStatus, PrivacyEventKind
from .services import event_record, export_cancel

logger = logging.getLogger("privacy")


class ErasureNotDue(Exception):
    """The request is no longer pending (cancelled or already processed)."""


def pseudonym(user: Any) -> str:
    """The stable name an erased account goes by: the same every time, and unique."""
    return f"erased-{user.pk}"


def _sessions_delete(user: Any) -> int:
    """Sign the person out everywhere. The password change already invalidates every session
    (Django checks the session's password hash); deleting the rows removes what they hold."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    removed = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        # get_decoded() answers {} for a session it cannot read (another secret key wrote it).
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            # Through the engine, so a cached_db session leaves the cache too.
            store(session_key=session.session_key).delete()
            removed += 1
    return removed


def _scrub(value: Any, *, email: str) -> tuple[Any, bool]:
    """`value` (JSON) with each object that names `email` stripped of its e-mail and name."""
    if isinstance(value, list):
        changed = False
        items = []
        for item in value:
            new, did = _scrub(item, email=email)
            items.append(new)
            changed = changed or did
        return items, changed
    if isinstance(value, dict):
        if any(isinstance(v, str) and v.strip().lower() == email for v in value.values()):
            cleaned = {
                k: (
                    ""
                    if k in ("email", "name") or (isinstance(v, str) and v.strip().lower() == email)
                    else v
                )
                for k, v in value.items()
            }
            return cleaned, True
        changed = False
        result = {}
        for key, item in value.items():
            new, did = _scrub(item, email=email)
            result[key] = new
            changed = changed or did
        return result, changed
    return value, False


def _anonymise(
    user: Any, *, keep_certificates_public: bool
) -> tuple[Counter, list[tuple[Storage, str]]]:
    """Every row change of an erasure; returns the counts and the files to delete after commit."""
    counts: Counter = Counter()
    files: list[tuple[Storage, str]] = []
    emails = {user.email.strip().lower()} if user.email else set()
    emails |= {
        address.strip().lower()
        for address in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    }

    # Certificates first, while the name is still on the account (certificates decides).
    counts["certificates.Certificate"] = certificate_services.certificates_erase_learner(
        user, keep_public=keep_certificates_public
    )

    # Submissions stay (scores, attempts, grades, the audit of overrides); what the learner
    # wrote goes: the stored notebook, the answer cells and their outputs. The notebook's stored
    # name stays (random, naming nobody), so a reader of it finds a missing file (an OSError,
    # which the staff pages handle) rather than no file at all; its hash is emptied, which marks
    # the submission as erased (docs/privacy.md).
    for submission in Submission.objects.filter(learner=user).only("pk", "notebook"):
        if submission.notebook:
            files.append((submission.notebook.storage, str(submission.notebook.name)))
    counts["grading.Submission"] = Submission.objects.filter(learner=user).update(
        notebook_sha256="", answers={}, outputs={}
    )
    counts["grading.NotebookRun"] = NotebookRun.objects.filter(learner=user).delete()[0]
    counts["courses.ExerciseDraft"] = ExerciseDraft.objects.filter(learner=user).delete()[0]

    # The enrolment audit stays; the address it recorded goes.
    events = EnrolmentEvent.objects.filter(learner=user)
    if emails:
        from django.db.models import Q

        address_q = Q()
        for address in emails:
            address_q |= Q(email__iexact=address)
        events = EnrolmentEvent.objects.filter(Q(learner=user) | address_q)
        invitations = Invitation.objects.filter(address_q | Q(accepted_by=user))
    else:
        invitations = Invitation.objects.filter(accepted_by=user)
    counts["courses.EnrolmentEvent"] = events.exclude(email="").update(email="")
    counts["courses.Invitation"] = invitations.delete()[0]
    for address in emails:
        for upload in EnrolmentImport.objects.filter(rows__icontains=address):
            rows, rows_changed = _scrub(upload.rows, email=address)
            preview, preview_changed = _scrub(upload.preview, email=address)
            if rows_changed or preview_changed:
                upload.rows, upload.preview = rows, preview
                upload.save(update_fields=["rows", "preview"])
                counts["courses.EnrolmentImport"] += 1

    counts["notifications.Notification"] = Notification.objects.filter(recipient=user).delete()[0]
    counts["notifications.NotificationPreference"] = NotificationPreference.objects.filter(
        user=user
    ).delete()[0]
    counts["api.ApiToken"] = ApiToken.objects.filter(user=user).delete()[0]
    counts["lti.LtiIdentity"] = LtiIdentity.objects.filter(user=user).delete()[0]
    counts["account.EmailAddress"] = EmailAddress.objects.filter(user=user).delete()[0]
    counts["mfa.Authenticator"] = Authenticator.objects.filter(user=user).delete()[0]
    counts["wagtailusers.UserProfile"] = UserProfile.objects.filter(user=user).delete()[0]

    for export in DataExport.objects.filter(user=user).exclude(status="cancelled", file=""):
        if export.file:
            files.append((export.file.storage, str(export.file.name)))
            DataExport.objects.filter(pk=export.pk).update(file="")
            export.refresh_from_db()
        export_cancel(export=export, reason="erasure")
        counts["privacy.DataExport"] += 1

    # The account itself stays (submissions and audits point at it), with nothing personal.
    user_model = get_user_model()
    name = pseudonym(user)
    user.username = name
    user.email = ""
    user.first_name = ""
    user.last_name = ""
    user.certificate_name = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.last_login = None
    user.set_unusable_password()
    user.save()  # a full save: courses' receivers rename the learner's enrolments (sort_name)
    user.groups.clear()
    user.user_permissions.clear()
    counts[user_model._meta.label] = 1
    counts["sessions.Session"] = _sessions_delete(user)
    return counts, files


def _files_delete(files: list[tuple[Storage, str]]) -> None:
    for storage, name in files:
        try:
            storage.delete(name)
        except OSError:
            logger.exception("Erasure: could not delete the file %s", name)


def erasure_process(*, erasure: ErasureRequest, by: Any = None) -> ErasureRequest:
    """Anonymise the account of a pending request, now (the grace period is the caller's rule).

    One transaction: the request is locked and must still be pending; any failure rolls every
    change back, the request stays pending, and the failure is logged and audited."""
    try:
        with transaction.atomic():
            locked = (
                ErasureRequest.objects.select_for_update()
                .select_related("user")
                .filter(pk=erasure.pk, status=ErasureStatus.PENDING)
                .first()
            )
            if locked is None:
                raise ErasureNotDue(f"Erasure request {erasure.pk} is no longer pending.")
            counts, files = _anonymise(
                locked.user, keep_certificates_public=locked.keep_certificates_public
            )
            summary = {label: n for label, n in sorted(counts.items()) if n}
            ErasureRequest.objects.filter(pk=locked.pk).update(
                status=ErasureStatus.DONE,
                processed_at=timezone.now(),
                processed_by=by if by is not None and getattr(by, "pk", None) else None,
                summary=summary,
            )
            locked.refresh_from_db()
            event_record(
                user=locked.user,
                kind=PrivacyEventKind.ERASURE_PROCESSED,
                actor=by,
                erasure=locked,
                changed=summary,
            )
            transaction.on_commit(lambda: _files_delete(files))
    except ErasureNotDue:
        raise
    except Exception as error:
        logger.exception("Erasure request %s failed; nothing was changed", erasure.pk)
        event_record(
            user=erasure.user,
            kind=PrivacyEventKind.ERASURE_FAILED,
            actor=by,
            erasure=erasure,
            error=type(error).__name__,
        )
        raise
    return locked


def erasures_process_due(*, now: Any = None) -> dict[str, int]:
    """Process every pending request whose grace period has ended; one failure stops none of the
    others. Returns {"processed": n, "failed": m}."""
    from .services import erasures_due

    result = {"processed": 0, "failed": 0}
    for erasure_id in erasures_due(now=now):
        erasure = ErasureRequest.objects.select_related("user").get(pk=erasure_id)
        try:
            erasure_process(erasure=erasure)
        except ErasureNotDue:
            continue
        except Exception:  # logged and audited by erasure_process; the next one still runs
            result["failed"] += 1
            continue
        result["processed"] += 1
    return result
