"""The API's submissions carry the late policy's outcome: raw score, penalty, days late, due date."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.api.test_access import submission
from tests.grading.submissions_support import make_course_exercise

pytestmark = pytest.mark.django_db


def test_a_late_submission_reads_its_raw_score_and_penalty(api_as, course, enrolled):
    exercise = make_course_exercise(course)
    due = timezone.now() - timedelta(days=2)
    late = submission(enrolled, course, exercise, attempt=1, score="8")
    late.due_at, late.late_days, late.late_penalty_percent = due, 2, 25
    late.save(update_fields=["due_at", "late_days", "late_penalty_percent"])
    overridden = submission(enrolled, course, exercise, attempt=2, score="8", override=Decimal(9))
    overridden.late_days, overridden.late_penalty_percent = 1, 10
    overridden.save(update_fields=["late_days", "late_penalty_percent"])

    rows = api_as(enrolled).get("/api/v1/submissions").json()["results"]

    assert [
        (r["score"], r["raw_score"], r["late_penalty_percent"], r["days_late"]) for r in rows
    ] == [(6.0, 8.0, 25, 2), (9.0, 9.0, 0, 1)]
    assert rows[0]["due_at"].startswith(due.date().isoformat()[:4])
