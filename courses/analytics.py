"""Per-test outcomes of graded submissions, stored per learner for the course analytics.

The failure rate of each graded test used to be computed by reading every graded report of a
course at page time. Instead, whenever grading says a submission's result may have changed
(graded, regraded, failed, overridden: grading.signals.submission_graded), the learner's tallies
for that exercise in that course are recomputed from their own few submissions, and the
analytics sum the stored tallies in SQL (courses.gradebook.failing_tests).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db import transaction
from django.dispatch import receiver

from grading.models import Submission, SubmissionKind, SubmissionStatus
from grading.signals import submission_graded

from .models import CoursePage, ExerciseTestTally

# A test that ran and earned less than full marks; "not_run" counts too (the learner's code
# stopped before the test could pass). Manual (needs review) and skipped tests say nothing about
# what learners get wrong, so they are not measured.
FAILING_STATUSES = frozenset({"failed", "partial", "not_run"})
MEASURED_STATUSES = FAILING_STATUSES | {"passed"}


def report_test_outcomes(report: Any) -> Iterator[tuple[str, bool]]:
    """(grade_id, failed) for each measured test of a grading report, in report order."""
    tests = report.get("tests", []) if isinstance(report, dict) else []
    for test in tests:
        if not isinstance(test, dict):
            continue
        status = str(test.get("status", ""))
        if status in MEASURED_STATUSES:
            yield str(test.get("grade_id", "")), status in FAILING_STATUSES


def tallies_from_reports(reports: Iterable[Any]) -> dict[str, tuple[int, int]]:
    """grade_id → (runs, failures) over the reports of one learner's graded submissions."""
    tallies: dict[str, tuple[int, int]] = {}
    for report in reports:
        for grade_id, failed in report_test_outcomes(report):
            runs, failures = tallies.get(grade_id, (0, 0))
            tallies[grade_id] = (runs + 1, failures + int(failed))
    return tallies


def exercise_test_tallies_record(
    *, course_id: int, learner_id: int, exercise_id: int
) -> dict[str, tuple[int, int]]:
    """Recompute one learner's tallies for one exercise in one course from their graded
    submissions (checks are practice and never count); returns what was stored."""
    reports = Submission.objects.filter(
        course_page_id=course_id,
        learner_id=learner_id,
        exercise_id=exercise_id,
        kind=SubmissionKind.SUBMIT,
        status=SubmissionStatus.GRADED,
    ).values_list("report", flat=True)
    tallies = tallies_from_reports(reports)
    mine = ExerciseTestTally.objects.filter(
        course_id=course_id, learner_id=learner_id, exercise_id=exercise_id
    )
    with transaction.atomic():
        mine.exclude(grade_id__in=list(tallies)).delete()
        if tallies:
            # An upsert, not delete-and-insert: two workers recomputing the same learner at
            # once both write what they read, and neither trips the unique constraint.
            ExerciseTestTally.objects.bulk_create(
                [
                    ExerciseTestTally(
                        course_id=course_id,
                        learner_id=learner_id,
                        exercise_id=exercise_id,
                        grade_id=grade_id,
                        runs=runs,
                        failures=failures,
                    )
                    for grade_id, (runs, failures) in tallies.items()
                ],
                update_conflicts=True,
                unique_fields=["course", "learner", "exercise", "grade_id"],
                update_fields=["runs", "failures"],
            )
    return tallies


def course_test_tallies_rebuild(*, course: CoursePage) -> int:
    """Recompute every tally of a course from its graded submissions (after a bulk import, or
    to repair); returns the number of tallies stored. Reads every report: not for page time."""
    pairs = (
        Submission.objects.filter(course_page_id=course.pk, kind=SubmissionKind.SUBMIT)
        .order_by()
        .values_list("learner_id", "exercise_id")
        .distinct()
    )
    stored = 0
    for learner_id, exercise_id in pairs:
        stored += len(
            exercise_test_tallies_record(
                course_id=course.pk, learner_id=learner_id, exercise_id=exercise_id
            )
        )
    return stored


@receiver(submission_graded, sender=Submission, dispatch_uid="courses.record_test_tallies")
def record_test_tallies(sender, submission: Submission, **kwargs) -> None:
    if submission.kind != SubmissionKind.SUBMIT or submission.course_page_id is None:
        return
    if not CoursePage.objects.filter(pk=submission.course_page_id).exists():
        return
    exercise_test_tallies_record(
        course_id=submission.course_page_id,
        learner_id=submission.learner_id,
        exercise_id=submission.exercise_id,
    )
