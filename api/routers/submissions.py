"""Submission scores: a learner's own, and those of the learners the caller teaches. Scores
only: never the report, test source, answer keys, notebooks or feedback text."""

from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from grading.models import Submission, SubmissionKind

from ..auth import caller_of, token_with
from ..models import Scope
from ..pagination import KeysetPagination
from ..schemas import Error, SubmissionOut

router = Router(tags=["submissions"], auth=token_with(Scope.SUBMISSIONS_READ))


@router.get(
    "",
    response={200: list[SubmissionOut], 401: Error, 403: Error, 429: Error},
    summary="Submission scores",
)
@paginate(KeysetPagination, key="created_at")
def list_submissions(
    request: HttpRequest,
    course_id: int | None = None,
    exercise_id: int | None = None,
    learner_email: str | None = None,
):
    """Submitted attempts (checks are not attempts), oldest first. Scope `submissions:read`."""
    rows = Submission.objects.filter(kind=SubmissionKind.SUBMIT).select_related(
        "learner", "exercise"
    )
    rows = caller_of(request).learner_rows(rows, course_field="course_page_id")
    if course_id is not None:
        rows = rows.filter(course_page_id=course_id)
    if exercise_id is not None:
        rows = rows.filter(exercise_id=exercise_id)
    if learner_email:
        rows = rows.filter(learner__email__iexact=learner_email.strip())
    return rows.defer("answers", "report", "outputs")
