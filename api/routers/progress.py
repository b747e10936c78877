"""Progress: a learner's own, and that of the learners the caller teaches."""

from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from courses.models import Enrolment

from ..auth import caller_of, token_with
from ..models import Scope
from ..pagination import KeysetPagination
from ..schemas import Error, ProgressOut

router = Router(tags=["progress"], auth=token_with(Scope.PROGRESS_READ))


@router.get(
    "", response={200: list[ProgressOut], 401: Error, 403: Error, 429: Error}, summary="Progress"
)
@paginate(KeysetPagination, key="enrolled_at")
def list_progress(
    request: HttpRequest, course_id: int | None = None, learner_email: str | None = None
):
    """One row per enrolment you may see: your own, and your learners' in the courses (or
    cohorts) you teach; oldest enrolment first. Scope `progress:read`."""
    rows = caller_of(request).enrolments(Enrolment.objects.select_related("learner", "progress"))
    if course_id is not None:
        rows = rows.filter(course_id=course_id)
    if learner_email:
        rows = rows.filter(learner__email__iexact=learner_email.strip())
    return rows
