"""Writes: issuing, rendering, revoking and sharing certificates.

Issuing writes the record first (one per learner and course, enforced by a unique
constraint), then signs the credential and renders the A4 PDF; US Letter is rendered on
its first download. If rendering or storing fails (a full disk, an unreachable bucket)
the record stands, marked failed with the reason, and `certificates_render_due` tries
again later with a growing delay.
"""

from __future__ import annotations

import calendar
import contextlib
import errno
import json
import logging
import mimetypes
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from courses.models import CoursePage

from . import issuer as issuer_module
from .codes import code_generate
from .credentials import CredentialClaims, credential_build
from .dates import long_date
from .models import Certificate, Erasure, PdfStatus, ScoreBand, Status
from .notifications import certificate_issued_notify
from .proofs import proof_add
from .rendering import CertificateDocument, PageSize, certificate_pdf, image_data_uri
from .selectors import certificate_for, course_final_percent, status_list_position

logger = logging.getLogger(__name__)

# Score bands from the course's final percent (CourseProgress.percent), lower bounds inclusive.
# Documented in docs/certificates.md.
SCORE_BANDS: list[tuple[int, ScoreBand]] = [
    (90, ScoreBand.DISTINCTION),
    (80, ScoreBand.MERIT),
    (0, ScoreBand.PASS),
]
CODE_ATTEMPTS = 5
LOGO_RENDITION = "max-600x240"
# A failed render is tried again after 1, 2, 4, ... minutes, at most hourly: a full disk
# may take an operator a while to fix, and a try costs about a second of CPU.
RENDER_RETRY_FIRST = timedelta(minutes=1)
RENDER_RETRY_LONGEST = timedelta(hours=1)
# A render still unfinished after this long died with its worker (or its task was lost).
RENDER_LEASE = timedelta(minutes=10)
FULL_STORAGE_ERRNOS = {errno.ENOSPC, errno.EDQUOT}


class CertificateError(Exception):
    """A request the certificate rules refuse; the message is for the person who asked."""


def score_band_for(*, percent: int) -> ScoreBand:
    return next(band for floor, band in SCORE_BANDS if percent >= floor)


def certificate_issue(
    *, learner, course: CoursePage, issued_by=None, render: bool = True
) -> Certificate:
    """Issue the learner's certificate for the course, or return the one already issued.

    Safe under concurrent calls: the database's unique constraint decides which call
    creates the row; the others get that row back.
    """
    existing = certificate_for(learner=learner, course=course)
    created = existing is None
    if existing is None:
        existing = _certificate_create(learner=learner, course=course, issued_by=issued_by)
    if render and not existing.is_rendered:
        certificate_render(certificate=existing)
    if created:
        # After the first rendering, so the PDF is usually ready when the learner follows the
        # link; once per certificate whoever calls (notifications dedupe on its key).
        certificate_issued_notify(certificate=existing)
    return existing


def certificate_issue_enqueue(*, learner, course: CoursePage, issued_by=None) -> None:
    """Issue in the certificates worker once the current transaction commits."""
    from .tasks import certificate_issue_task

    learner_id, course_id = learner.pk, course.pk
    issued_by_id = issued_by.pk if issued_by is not None else None
    transaction.on_commit(
        lambda: certificate_issue_task.enqueue(learner_id, course_id, issued_by_id)
    )


def _certificate_create(*, learner, course: CoursePage, issued_by) -> Certificate:
    percent = course_final_percent(learner=learner, course=course)
    if percent is None:
        raise CertificateError(
            _("%(learner)s has no progress in %(course)s.")
            % {"learner": learner, "course": course.title}
        )
    issued_at = timezone.now()
    months = course.certificate_valid_months
    fields = {
        "learner": learner,
        "course": course,
        "learner_name": _printed_name(learner),
        "course_title": course.title,
        "course_url": issuer_module.page_url(course),
        "skills": list(course.skills.order_by("name").values_list("name", flat=True)),
        "instructor_name": _instructor_name(course),
        "final_percent": percent,
        "score_band": score_band_for(percent=percent),
        "issued_at": issued_at,
        "expires_at": add_months(issued_at, months) if months else None,
        "issued_by": issued_by,
        "language": certificate_language_for(learner),
    }
    for _attempt in range(CODE_ATTEMPTS):
        try:
            with transaction.atomic():
                certificate = Certificate.objects.create(code=code_generate(), **fields)
                # The primary key is unique and never reused, so it serves as the status index.
                certificate.status_index = certificate.pk
                certificate.save(update_fields=["status_index"])
                return certificate
        except IntegrityError:
            winner = certificate_for(learner=learner, course=course)
            if winner is not None:
                return winner
            # Otherwise the random code collided (about 2^-99 per pair): draw again.
    raise CertificateError(_("Could not allocate a certificate code."))


def certificate_render(*, certificate: Certificate) -> Certificate:
    """Sign the credential (once), render the A4 PDF and store it: the certificate is then complete.

    US Letter is not rendered here but on its first download (`certificate_letter_render`), so a
    rendering done again (by `render_certificates --code`, say) drops a stored Letter, which
    then follows the new A4 on its next download.

    The new file is written before the record points at it and old ones removed after, so a
    failure leaves the record and any earlier PDF as they were. A failure is not raised: the
    certificate is marked failed with the reason, a retry is scheduled, and the error is
    logged; learners see "being prepared" meanwhile.
    """
    if certificate.name_withheld:
        # The learner erased their account: nothing that prints their name is made again.
        return certificate
    attempt = certificate.render_attempts + 1
    try:
        credential = certificate.credential or json.dumps(
            credential_sign(certificate=certificate), ensure_ascii=False, indent=2
        )
        name = _pdf_store(certificate, page_size=PageSize.A4, credential=credential)
    except Exception as exc:  # whatever went wrong, the record stays and a retry is scheduled
        return _render_failed(certificate=certificate, error=exc, attempt=attempt)
    replaced = certificate.pdf_a4.name
    certificate.credential = credential
    certificate.pdf_a4 = name
    certificate.rendered_at = timezone.now()
    certificate.pdf_status = PdfStatus.READY
    certificate.render_attempts = attempt
    certificate.render_error = ""
    certificate.render_retry_at = None
    # Stored only if the learner has not erased their account meanwhile (a render racing the
    # erasure must not bring the name back); otherwise the new file goes.
    stored = (
        Certificate.objects.filter(pk=certificate.pk)
        .exclude(erasure=Erasure.NAME_WITHHELD)
        .update(
            credential=credential,
            pdf_a4=name,
            rendered_at=certificate.rendered_at,
            pdf_status=PdfStatus.READY,
            render_attempts=attempt,
            render_error="",
            render_retry_at=None,
            updated_at=timezone.now(),
        )
    )
    if not stored:
        _delete_quietly(certificate.pdf_a4.storage, name)
        certificate.refresh_from_db()
        return certificate
    if replaced:
        _delete_quietly(certificate.pdf_a4.storage, replaced)
    if replaced or certificate.pdf_letter:
        _letter_drop(certificate=certificate)
    if attempt > 1:
        logger.info(
            "certificate %s rendered on try %d",
            certificate.code,
            attempt,
            extra={"certificate": certificate.code, "attempt": attempt},
        )
    return certificate


def certificate_letter_render(*, certificate: Certificate) -> Certificate:
    """Render and store the US Letter PDF on its first download; later downloads get the file.

    Most learners want one page size, and A4 is the default, so issuing renders A4 alone and
    Letter waits to be asked for. Rendering Letter in a low-priority task after each issue was
    the alternative. It would spare the first Letter download one render (some 40 ms in a
    warm process; a couple of seconds if it is the first render of a freshly started web
    process), but it would spend as much CPU again as the issue itself on files most learners
    never open, on the same cores that serve pages and grade submissions: at low priority it
    still doubles what a cohort finishing at once costs. So, once per certificate, the first
    Letter download waits for a render instead.

    Two first downloads at once may both render; the record is the compare-and-set that
    decides: the first to store its file points the record at it, the other deletes its
    own file and serves the winner's. A failure (a full disk) is logged and leaves the
    record without a Letter, so the viewer sees "being prepared" and the next download
    tries again. Only a complete, unrevoked certificate gets one.
    """
    if (
        certificate.pdf_letter
        or not certificate.is_rendered
        or certificate.status == Status.REVOKED
        or certificate.name_withheld
    ):
        return certificate
    try:
        name = _pdf_store(certificate, page_size=PageSize.LETTER, credential=certificate.credential)
    except Exception as exc:  # the viewer is told it is being prepared; the next download retries
        _failure_logged(
            certificate=certificate,
            error=exc,
            outcome="US Letter rendered on request; the next download tries again",
        )
        return certificate
    stored = (
        Certificate.objects.filter(pk=certificate.pk, pdf_letter="")
        .exclude(erasure=Erasure.NAME_WITHHELD)
        .update(pdf_letter=name, updated_at=timezone.now())
    )
    if stored:
        certificate.pdf_letter = name
    else:
        _delete_quietly(certificate.pdf_letter.storage, name)
        certificate.refresh_from_db(fields=["pdf_letter"])
    return certificate


def _letter_drop(*, certificate: Certificate) -> None:
    # Cleared only if the record still names the file read here (compare-and-set), so the
    # file deleted is always the one unreferenced; a download can store a Letter only once
    # the field is empty.
    stale = (
        Certificate.objects.filter(pk=certificate.pk).values_list("pdf_letter", flat=True).first()
    )
    if stale and Certificate.objects.filter(pk=certificate.pk, pdf_letter=stale).update(
        pdf_letter=""
    ):
        _delete_quietly(certificate.pdf_letter.storage, stale)
    certificate.pdf_letter = ""


def _pdf_store(certificate: Certificate, *, page_size: PageSize, credential: str) -> str:
    """Render one page size and write it under a fresh random name; returns the stored name."""
    pdf = certificate_pdf(
        certificate_document(certificate=certificate),
        page_size=page_size,
        credential_json=credential,
    )
    file_field = certificate.pdf_letter if page_size == PageSize.LETTER else certificate.pdf_a4
    name = file_field.storage.get_available_name(
        file_field.field.generate_filename(certificate, f"{certificate.code}-{page_size}.pdf"),
        max_length=file_field.field.max_length,
    )
    try:
        return file_field.storage.save(
            name, ContentFile(pdf), max_length=file_field.field.max_length
        )
    except Exception:
        # A disk that fills up mid-write leaves part of the file.
        _delete_quietly(file_field.storage, name)
        raise


def _render_failed(*, certificate: Certificate, error: Exception, attempt: int) -> Certificate:
    retry_at = timezone.now() + min(RENDER_RETRY_FIRST * 2 ** (attempt - 1), RENDER_RETRY_LONGEST)
    reason = _failure_logged(
        certificate=certificate,
        error=error,
        outcome=f"try {attempt} failed, next try at {retry_at.isoformat()}",
        extra={"attempt": attempt, "retry_at": retry_at.isoformat()},
    )
    certificate.pdf_status = PdfStatus.FAILED
    certificate.render_attempts = attempt
    certificate.render_error = reason[:2000]
    certificate.render_retry_at = retry_at
    certificate.save(
        update_fields=[
            "pdf_status",
            "render_attempts",
            "render_error",
            "render_retry_at",
            "updated_at",
        ]
    )
    return certificate


def _failure_logged(
    *, certificate: Certificate, error: Exception, outcome: str, extra: dict | None = None
) -> str:
    """Log why a PDF could not be produced and what happens next; returns the reason in words."""
    extra = {"certificate": certificate.code, **(extra or {})}
    if isinstance(error, OSError):
        full = error.errno in FULL_STORAGE_ERRNOS
        reason = (
            "The PDF could not be stored"
            + (" because the storage is full" if full else "")
            + f": {error}"
        )
        # No traceback for a full disk: the operator needs the fact, not the stack.
        logger.error(
            "certificate %s: %s; %s",
            certificate.code,
            reason,
            outcome,
            exc_info=not full,
            extra={**extra, "errno": error.errno},
        )
    else:
        reason = f"The PDF could not be rendered: {type(error).__name__}: {error}"
        logger.error(
            "certificate %s: %s; %s", certificate.code, reason, outcome, exc_info=error, extra=extra
        )
    return reason


def _delete_quietly(storage, name: str) -> None:
    with contextlib.suppress(OSError):
        storage.delete(name)


def certificates_render_due(*, limit: int = 20) -> int:
    """Render certificates still without PDFs: failed ones whose retry is due, and pending ones
    whose render task was lost (older than a lease). Returns how many are ready now.

    Each is claimed first with a conditional UPDATE (its next try moves a lease ahead), so
    several workers or sweepers never render the same certificate at once.
    """
    now = timezone.now()
    due = (
        # Not ready = pending or failed, written so that the partial index serves it.
        Certificate.objects.exclude(pdf_status=PdfStatus.READY)
        .exclude(status=Status.REVOKED)
        .exclude(erasure=Erasure.NAME_WITHHELD)
        .filter(
            Q(render_retry_at__lte=now)
            | Q(render_retry_at__isnull=True, created_at__lt=now - RENDER_LEASE)
        )
        .order_by("render_retry_at", "pk")
        .values_list("pk", "render_retry_at")[:limit]
    )
    ready = 0
    for pk, retry_at in list(due):
        claimed = Certificate.objects.filter(
            pk=pk, render_retry_at=retry_at, pdf_status__in=[PdfStatus.PENDING, PdfStatus.FAILED]
        ).update(render_retry_at=now + RENDER_LEASE)
        if not claimed:
            continue
        certificate = certificate_render(certificate=Certificate.objects.get(pk=pk))
        ready += certificate.pdf_status == PdfStatus.READY
    return ready


def credential_sign(*, certificate: Certificate, course_description: str | None = None) -> dict:
    """The certificate's signed credential, by today's rules (suites, key, base URL).

    Everything it says comes from the certificate's snapshots, except the course description,
    read from the course unless `course_description` (what an earlier credential said) is given.
    """
    if certificate.status_index is None:
        raise CertificateError("The certificate has no status index yet.")
    # The credential is data, stated in English whatever language a page or the PDF is in, so
    # signing stays deterministic: the same certificate signs to the same bytes.
    with translation.override("en"):
        return _credential_sign(
            certificate,
            status_index=certificate.status_index,
            course_description=course_description,
        )


def _credential_sign(
    certificate: Certificate, *, status_index: int, course_description: str | None
) -> dict:
    list_number, position = status_list_position(status_index)
    profile = issuer_module.issuer()
    key = issuer_module.key_store().current()
    claims = CredentialClaims(
        credential_id=issuer_module.verify_url(certificate.code),
        issuer=profile,
        learner_name=certificate.learner_name,
        achievement_id=_achievement_id(certificate),
        course_title=certificate.course_title,
        course_description=(
            course_description
            if course_description is not None
            else _course_description(certificate)
        ),
        criteria=(
            f"Completed every required lesson of {certificate.course_title} and met its "
            "pass rules on knowledge checks and graded prioritization exercises."
        ),
        skills=list(certificate.skills),
        score_band=str(certificate.get_score_band_display()),
        score_bands=[str(label) for _value, label in ScoreBand.choices],
        issued_at=certificate.issued_at,
        expires_at=certificate.expires_at,
        status_list_url=issuer_module.status_list_url(list_number),
        status_index=position,
        instructor_name=certificate.instructor_name,
    )
    return proof_add(
        credential_build(claims),
        key=key,
        verification_method=issuer_module.verification_method(key),
        created=certificate.issued_at,
        cryptosuites=issuer_module.cryptosuites(),
    )


def _achievement_id(certificate: Certificate) -> str:
    """The course page's address as issued, under the one base URL every id uses.

    Certificates issued before the snapshot was taken under the base URL kept the Wagtail Site's
    host (`http://localhost/...`); their path is kept and the base replaced, so re-signing them
    gives the same id as a certificate issued today.
    """
    if certificate.course_url:
        return issuer_module.rebased(certificate.course_url)
    return issuer_module.absolute(f"/courses/{certificate.course_id}/")


class ResignOutcome(models.TextChoices):
    UNCHANGED = "unchanged", "already signed by the current rules"
    RESIGNED = "resigned", "re-signed"
    WOULD_RESIGN = "would_resign", "would be re-signed"
    NOT_SIGNED = "not_signed", "not signed yet (its first rendering will sign it)"
    FAILED = "failed", "failed; left as it was"


def certificate_resign(*, certificate: Certificate, dry_run: bool = False) -> ResignOutcome:
    """Sign a stored credential again by today's rules, and re-render its PDF if it changed.

    For credentials issued under older rules: the pre-2024 eddsa-jcs-2022 form, a single proof
    instead of a proof set, a retired key, another base URL. The certificate's code, dates,
    status, printed name and result are never touched, and the course description the credential
    stated is kept. Signing is deterministic, so a credential already in today's form comes out
    byte for byte the same and is left alone: running it again changes nothing.

    The new PDF is stored before the record points at it, and the record changes in one update,
    so stopping at any moment leaves the old credential and PDF or the new ones, never a mix.
    """
    if not certificate.credential or certificate.status_index is None or certificate.name_withheld:
        return ResignOutcome.NOT_SIGNED
    try:
        stored = json.loads(certificate.credential)
        description = stored["credentialSubject"]["achievement"]["description"]
    except (ValueError, KeyError, TypeError):
        description = None
    signed = credential_sign(
        certificate=certificate,
        course_description=description if isinstance(description, str) else None,
    )
    if signed == stored:
        return ResignOutcome.UNCHANGED
    if dry_run:
        return ResignOutcome.WOULD_RESIGN
    credential = json.dumps(signed, ensure_ascii=False, indent=2)
    had_pdf = bool(certificate.pdf_a4)
    try:
        name = (
            _pdf_store(certificate, page_size=PageSize.A4, credential=credential) if had_pdf else ""
        )
    except Exception as exc:  # rendering is the slow, fallible part: leave the record as it was
        _failure_logged(certificate=certificate, error=exc, outcome="re-signing left it as it was")
        return ResignOutcome.FAILED
    replaced = certificate.pdf_a4.name
    with transaction.atomic():
        updates = {"credential": credential, "updated_at": timezone.now()}
        if had_pdf:
            updates.update(pdf_a4=name, rendered_at=timezone.now())
        changed = (
            Certificate.objects.filter(pk=certificate.pk)
            .exclude(erasure=Erasure.NAME_WITHHELD)
            .update(**updates)
        )
    if not changed:
        # The learner erased their account meanwhile: their name is not stored again.
        if name:
            _delete_quietly(certificate.pdf_a4.storage, name)
        return ResignOutcome.NOT_SIGNED
    for field_name, value in updates.items():
        setattr(certificate, field_name, value)
    if had_pdf and replaced:
        _delete_quietly(certificate.pdf_a4.storage, replaced)
        _letter_drop(certificate=certificate)
    return ResignOutcome.RESIGNED


def certificate_language(certificate: Certificate) -> str:
    """The language the certificate prints in: the one recorded at issue, if still offered."""
    return _supported_language(certificate.language)


def certificate_language_for(learner) -> str:
    """The learner's preferred language (accounts.User.language), else the site's default."""
    return _supported_language(getattr(learner, "language", "") or "")


def _supported_language(code: str) -> str:
    offered = {language for language, _name in settings.LANGUAGES}
    if code in offered:
        return code
    base = code.split("-")[0].lower()
    return base if base in offered else settings.LANGUAGE_CODE


def certificate_document(*, certificate: Certificate) -> CertificateDocument:
    """What the PDF prints, in the certificate's language (its score band is translated)."""
    with translation.override(certificate_language(certificate)):
        return _certificate_document(certificate)


def _certificate_document(certificate: Certificate) -> CertificateDocument:
    return CertificateDocument(
        language=certificate_language(certificate),
        code=certificate.code,
        learner_name=certificate.learner_name,
        course_title=certificate.course_title,
        issued_on=timezone.localdate(certificate.issued_at),
        score_band=str(certificate.get_score_band_display()),
        verify_url=issuer_module.verify_url(certificate.code),
        verify_index_url=issuer_module.verify_index_url(),
        issuer_name=issuer_module.issuer().name,
        instructor_name=certificate.instructor_name,
        skills=list(certificate.skills),
        expires_on=timezone.localdate(certificate.expires_at) if certificate.expires_at else None,
        logo_data_uri=_logo_data_uri(certificate.course),
    )


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, by, reason: str) -> Certificate:
    """Revoke for good, recording who, when and why. The status list flips the same moment."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise CertificateError(_("Give the reason for revoking; it is kept in the audit record."))
    locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if locked.status == Status.REVOKED:
        raise CertificateError(
            _("%(code)s was already revoked on %(date)s.")
            % {"code": locked.code, "date": long_date(locked.revoked_at)}
        )
    locked.status = Status.REVOKED
    locked.revoked_at = timezone.now()
    locked.revoked_by = by
    locked.revocation_reason = reason
    locked.save(
        update_fields=["status", "revoked_at", "revoked_by", "revocation_reason", "updated_at"]
    )
    logger.info("certificate %s revoked by %s: %s", locked.code, by, reason)
    return locked


def certificates_erase_learner(learner, *, keep_public: bool) -> int:
    """What the learner's certificates become when they erase their account; returns how many changed.

    Called inside the erasure's transaction (privacy). The certificates stay valid and are never
    revoked: the achievement happened, and credentials already shared must keep verifying
    truthfully (the status lists keep saying "not revoked"). docs/certificates.md gives the reasons.

    - keep_public=False (the default choice): the printed-name snapshot is removed from the record,
      and the signed credential and PDFs that carry the name are deleted (the files once the
      transaction commits). The verification page says the certificate is valid and was issued to
      a learner who has since closed their account; its downloads answer 404 saying why.
    - keep_public=True: nothing is removed, and the certificate is shared publicly, so its page,
      PDF and credential stay open to anyone with the link, as the learner chose.

    Idempotent: a certificate already treated is left alone. Removing the name is final, so a
    later call with keep_public=True cannot bring it back; a later keep_public=False call removes
    the name from certificates an earlier call kept public.
    """
    now = timezone.now()
    touched = 0
    certificates = Certificate.objects.select_for_update().filter(learner=learner).order_by("pk")
    for certificate in certificates:
        if certificate.erasure == Erasure.NAME_WITHHELD:
            continue
        if keep_public:
            if certificate.erasure == Erasure.KEPT_PUBLIC:
                continue
            Certificate.objects.filter(pk=certificate.pk).update(
                erasure=Erasure.KEPT_PUBLIC,
                learner_erased_at=now,
                shared=True,
                updated_at=now,
            )
        else:
            files = [
                (field.storage, field.name)
                for field in (certificate.pdf_a4, certificate.pdf_letter)
                if field
            ]
            Certificate.objects.filter(pk=certificate.pk).update(
                erasure=Erasure.NAME_WITHHELD,
                learner_erased_at=certificate.learner_erased_at or now,
                learner_name="",
                credential="",
                pdf_a4="",
                pdf_letter="",
                shared=False,
                render_error="",
                render_retry_at=None,
                updated_at=now,
            )
            transaction.on_commit(partial(_files_delete, files))
        touched += 1
    if touched:
        logger.info(
            "certificates of erased learner %s: %d %s",
            learner.pk,
            touched,
            "kept public" if keep_public else "with the name removed",
            extra={"learner": learner.pk, "keep_public": keep_public},
        )
    return touched


def _files_delete(files: list) -> None:
    for storage, name in files:
        _delete_quietly(storage, name)


def certificate_share_set(*, certificate: Certificate, learner, shared: bool) -> Certificate:
    if certificate.learner_id != learner.pk:
        raise CertificateError(_("Only the certificate's holder can change how it is shared."))
    certificate.shared = shared
    certificate.save(update_fields=["shared", "updated_at"])
    return certificate


def add_months(moment: datetime, months: int) -> datetime:
    """The same day `months` later, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _printed_name(learner) -> str:
    return learner.display_name


def _instructor_name(course: CoursePage) -> str:
    instructor = course.instructors.order_by("pk").first()
    if instructor is None:
        return ""
    return instructor.public_name


def _course_description(certificate: Certificate) -> str:
    course = certificate.course
    summary = getattr(course, "summary", "") if course is not None else ""
    return summary or f"Completion of the course {certificate.course_title}."


def _logo_data_uri(course: CoursePage | None) -> str | None:
    if course is None or course.logo is None:
        return None
    try:
        rendition = course.logo.get_rendition(LOGO_RENDITION)
        with rendition.file.open("rb") as handle:
            data = handle.read()
    except (OSError, ValueError):
        # A missing or unreadable image file must not stop the certificate; print it without.
        logger.warning("course %s logo could not be read; rendering without it", course.pk)
        return None
    mime_type = mimetypes.guess_type(rendition.file.name)[0] or "image/png"
    return image_data_uri(data, mime_type=mime_type)
