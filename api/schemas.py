"""What the API returns and accepts (pydantic, through ninja). Scores and points are numbers;
times are ISO 8601 in UTC. Nothing here carries test source, answer keys, notebooks or feedback."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from certificates.issuer import verify_url


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


class Error(Schema):
    detail: Any = Field(description="What went wrong, in words (or a list of field errors).")
    code: str = Field(description="A stable code: invalid_token, insufficient_scope, ...")


class Person(Schema):
    id: int
    email: str
    name: str

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.display_name


class CourseOut(Schema):
    id: int
    title: str
    slug: str
    url: str | None = Field(description="The course page; null for an unpublished course.")
    summary: str
    level: str
    estimated_hours: int
    published: bool
    skills: list[str]
    you_teach: bool = Field(description="Whether the token reaches the course's learners.")

    @staticmethod
    def resolve_url(obj, context) -> str | None:
        if not obj.live:
            return None
        request = context["request"]
        url = obj.get_url(request=request)
        return request.build_absolute_uri(url) if url else None

    @staticmethod
    def resolve_published(obj) -> bool:
        return obj.live

    @staticmethod
    def resolve_skills(obj) -> list[str]:
        return [skill.name for skill in obj.skills.all()]

    @staticmethod
    def resolve_you_teach(obj, context) -> bool:
        return context["request"].auth.teaches(obj.pk)


class CohortOut(Schema):
    id: int
    name: str


class EnrolmentOut(Schema):
    id: int
    course_id: int
    learner: Person
    status: str = Field(description="active or unenrolled")
    cohort: CohortOut | None
    enrolled_at: datetime
    unenrolled_at: datetime | None
    last_activity_at: datetime | None


class EnrolIn(Schema):
    email: str = Field(description="The learner's e-mail address.", max_length=254)
    cohort_id: int | None = Field(
        None, description="A cohort of the course; cohort instructors must name one of theirs."
    )


class InvitationOut(Schema):
    email: str
    cohort_id: int | None
    expires_at: datetime


class EnrolResult(Schema):
    outcome: str = Field(
        description="enrol (new or renewed), move (to another cohort), already (nothing "
        "changed) or invite (no account yet: an invitation was e-mailed)."
    )
    enrolment: EnrolmentOut | None
    invitation: InvitationOut | None


class ProgressOut(Schema):
    enrolment_id: int
    course_id: int
    learner: Person
    status: str
    percent: int
    lessons_done: int
    lessons_total: int
    checks_correct: int
    checks_total: int
    exercise_points: float
    exercise_max_points: float
    completed_at: datetime | None

    @staticmethod
    def resolve_enrolment_id(obj) -> int:
        return obj.pk

    @staticmethod
    def _progress(obj):
        return getattr(obj, "progress", None)

    @staticmethod
    def resolve_percent(obj) -> int:
        progress = ProgressOut._progress(obj)
        return progress.percent if progress else 0

    @staticmethod
    def resolve_lessons_done(obj) -> int:
        progress = ProgressOut._progress(obj)
        return progress.lessons_done if progress else 0

    @staticmethod
    def resolve_lessons_total(obj) -> int:
        progress = ProgressOut._progress(obj)
        return progress.lessons_total if progress else 0

    @staticmethod
    def resolve_checks_correct(obj) -> int:
        progress = ProgressOut._progress(obj)
        return progress.checks_correct if progress else 0

    @staticmethod
    def resolve_checks_total(obj) -> int:
        progress = ProgressOut._progress(obj)
        return progress.checks_total if progress else 0

    @staticmethod
    def resolve_exercise_points(obj) -> float:
        progress = ProgressOut._progress(obj)
        return float(progress.exercise_points) if progress else 0.0

    @staticmethod
    def resolve_exercise_max_points(obj) -> float:
        progress = ProgressOut._progress(obj)
        return float(progress.exercise_max_points) if progress else 0.0

    @staticmethod
    def resolve_completed_at(obj) -> datetime | None:
        progress = ProgressOut._progress(obj)
        return progress.completed_at if progress else None


class ExerciseOut(Schema):
    id: int
    slug: str
    title: str


class SubmissionOut(Schema):
    id: int
    course_id: int | None
    exercise: ExerciseOut
    learner: Person
    attempt: int
    status: str = Field(description="queued, running, graded or failed")
    score: float | None = Field(
        description=(
            "The score that counts: an instructor's override wins, else the graded score less "
            "any late penalty; null until graded."
        )
    )
    raw_score: float | None = Field(
        description="The score before any late penalty (an override as given); null until graded."
    )
    late_penalty_percent: int = Field(
        description="Percent taken off the graded score for lateness (0: on time or overridden)."
    )
    days_late: int = Field(description="Started days after the learner's due date (0: on time).")
    due_at: datetime | None = Field(
        description="The learner's due date it was judged against (extension, cohort or exercise)."
    )
    max_score: float
    overridden: bool
    provisional: bool = Field(
        description="Manually graded parts wait for an instructor; the score may still go up."
    )
    submitted_at: datetime
    graded_at: datetime | None

    @staticmethod
    def resolve_course_id(obj) -> int | None:
        return obj.course_page_id

    @staticmethod
    def resolve_score(obj) -> float | None:
        return _number(obj.counted_score)

    @staticmethod
    def resolve_raw_score(obj) -> float | None:
        return _number(obj.raw_score)

    @staticmethod
    def resolve_late_penalty_percent(obj) -> int:
        return obj.late_penalty_percent if obj.late_penalty_applies else 0

    @staticmethod
    def resolve_days_late(obj) -> int:
        return obj.late_days

    @staticmethod
    def resolve_max_score(obj) -> float:
        return float(obj.max_score)

    @staticmethod
    def resolve_overridden(obj) -> bool:
        return obj.override_score is not None

    @staticmethod
    def resolve_provisional(obj) -> bool:
        return obj.awaiting_review

    @staticmethod
    def resolve_submitted_at(obj) -> datetime:
        return obj.created_at

    @staticmethod
    def resolve_graded_at(obj) -> datetime | None:
        return obj.finished_at


class CertificateOut(Schema):
    code: str
    course_id: int | None
    course_title: str
    learner: Person
    learner_name: str = Field(description="The name printed on the certificate.")
    issued_at: datetime
    expires_at: datetime | None
    status: str = Field(description="valid, expired or revoked")
    final_percent: int
    score_band: str
    verify_url: str

    @staticmethod
    def resolve_status(obj) -> str:
        return str(obj.validity().value)

    @staticmethod
    def resolve_verify_url(obj) -> str:
        return verify_url(obj.code)
