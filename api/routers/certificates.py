"""Certificates: a learner's own, and those of the learners the caller teaches, with their
status and the public verification URL."""

from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from certificates.models import Certificate

from ..auth import caller_of, token_with
from ..models import Scope
from ..pagination import KeysetPagination
from ..schemas import CertificateOut, Error

router = Router(tags=["certificates"], auth=token_with(Scope.CERTIFICATES_READ))


@router.get(
    "",
    response={200: list[CertificateOut], 401: Error, 403: Error, 429: Error},
    summary="Certificates",
)
@paginate(KeysetPagination, key="issued_at")
def list_certificates(
    request: HttpRequest, course_id: int | None = None, learner_email: str | None = None
):
    """Oldest first, revoked and expired ones included (see `status`).
    Scope `certificates:read`."""
    certificates = Certificate.objects.select_related("learner").defer("credential", "skills")
    rows = caller_of(request).learner_rows(certificates, course_field="course_id")
    if course_id is not None:
        rows = rows.filter(course_id=course_id)
    if learner_email:
        rows = rows.filter(learner__email__iexact=learner_email.strip())
    return rows
