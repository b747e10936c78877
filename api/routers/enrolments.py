"""Enrolments of a course: read by its instructors (cohort instructors: their cohorts) and
staff; learners enrolled and unenrolled by e-mail through courses.enrolment_staff, audited as
staff enrolments by the token's user (or whoever made a course token)."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.pagination import paginate
from ninja.responses import Status

from courses.enrolment_staff import learner_by_email, staff_enrol, staff_unenrol
from courses.models import Cohort, Enrolment

from ..auth import caller_of, token_with
from ..errors import ApiError, forbidden, not_found
from ..models import Scope
from ..pagination import KeysetPagination
from ..schemas import EnrolIn, EnrolmentOut, EnrolResult, Error
from .courses import visible_course

router = Router(tags=["enrolments"])
ERRORS = {401: Error, 403: Error, 404: Error, 429: Error}


def _scope(request: HttpRequest, course_id: int):
    course = visible_course(request, course_id)
    scope = caller_of(request).scope_in(course)
    if scope is None:
        raise forbidden(_("Only the course's instructors and staff see its enrolments."))
    return scope


def _invalid(error: ValidationError) -> ApiError:
    return ApiError(400, " ".join(error.messages), code="invalid")


@router.get(
    "/{course_id}/enrolments",
    response={200: list[EnrolmentOut], **ERRORS},
    auth=token_with(Scope.ENROLMENTS_READ),
    summary="List a course's enrolments",
)
@paginate(KeysetPagination, key="enrolled_at")
def list_enrolments(
    request: HttpRequest, course_id: int, status: str | None = None, email: str | None = None
):
    """Oldest first; unenrolled learners included unless `status=active`.
    Scope `enrolments:read`."""
    scope = _scope(request, course_id)
    enrolments = scope.enrolments().select_related("learner", "cohort")
    if status:
        enrolments = enrolments.filter(status=status)
    if email:
        enrolments = enrolments.filter(learner__email__iexact=email.strip())
    return enrolments


@router.post(
    "/{course_id}/enrolments",
    response={200: EnrolResult, 201: EnrolResult, 400: Error, **ERRORS},
    auth=token_with(Scope.ENROLMENTS_WRITE),
    summary="Enrol a learner by e-mail",
)
def enrol(request: HttpRequest, course_id: int, payload: EnrolIn):
    """Enrols the address's learner (re-enrolling keeps their progress), moves them to the named
    cohort, or e-mails an invitation when the address has no account yet. 201 when something
    changed, 200 when they were enrolled already. Scope `enrolments:write`."""
    scope = _scope(request, course_id)
    cohort = None
    if payload.cohort_id is not None:
        cohort = Cohort.objects.filter(pk=payload.cohort_id, course_id=course_id).first()
        if cohort is None:
            raise ApiError(400, _("The course has no cohort with this id."), code="invalid")
    try:
        result = staff_enrol(
            scope=scope, actor=caller_of(request).actor, email=payload.email, cohort=cohort
        )
    except ValidationError as error:
        raise _invalid(error) from None
    enrolment = result.enrolment
    if enrolment is not None:
        enrolment = Enrolment.objects.select_related("learner", "cohort").get(pk=enrolment.pk)
    body = {"outcome": result.outcome, "enrolment": enrolment, "invitation": result.invitation}
    return Status(200 if result.outcome == "already" else 201, body)


@router.delete(
    "/{course_id}/enrolments",
    response={200: EnrolmentOut, **ERRORS},
    auth=token_with(Scope.ENROLMENTS_WRITE),
    summary="Unenrol a learner by e-mail",
)
def unenrol(request: HttpRequest, course_id: int, email: str):
    """Unenrols the learner; their progress and submissions stay, and enrolling them again picks
    up where they were. Unenrolling twice changes nothing. Scope `enrolments:write`."""
    scope = _scope(request, course_id)
    learner = learner_by_email(email)
    enrolment = scope.enrolments().filter(learner=learner).first() if learner is not None else None
    if enrolment is None:
        raise not_found(_("No learner with this address is enrolled in the course."))
    try:
        staff_unenrol(scope=scope, actor=caller_of(request).actor, enrolment=enrolment)
    except ValidationError as error:
        raise _invalid(error) from None
    return Enrolment.objects.select_related("learner", "cohort").get(pk=enrolment.pk)
