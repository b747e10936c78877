"""Who is calling the API and what they reach: the token's user (if any), the courses it is held
to (if any), and the courses they teach, wholly or through cohorts.

The rules are the site's own (courses.gradebook.instructor_courses, courses.cohorts): a course's
instructors and superusers reach all its learners, a cohort's instructors that cohort's learners,
a learner their own records. A scope on the token never widens this. Worked out once per request
in a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from courses.cohorts import StaffScope, staff_scope
from courses.gradebook import instructor_courses
from courses.models import Cohort, CoursePage, Enrolment, originals
from courses.selectors import view_restricted

from .models import ApiToken


@dataclass(frozen=True)
class Teaching:
    """Course id -> the cohort ids taught there (None: the whole course)."""

    courses: dict[int, frozenset[int] | None]

    @property
    def whole(self) -> list[int]:
        return [course for course, cohorts in self.courses.items() if cohorts is None]

    @property
    def cohort_ids(self) -> list[int]:
        return sorted(c for cohorts in self.courses.values() if cohorts for c in cohorts)


class Caller:
    def __init__(self, token: ApiToken):
        self.token = token
        self.user = token.user
        ids = [c.pk for c in token.courses.all()] if token.kind == "service" else []
        self.course_ids: frozenset[int] | None = frozenset(ids) if ids else None

    def _held(self, course_id: int) -> bool:
        return self.course_ids is None or course_id in self.course_ids

    @cached_property
    def teaching(self) -> Teaching:
        if self.user is None:
            return Teaching(dict.fromkeys(self.course_ids or ()))
        taught: dict[int, frozenset[int] | None] = dict.fromkeys(
            instructor_courses(user=self.user).values_list("pk", flat=True)
        )
        by_course: dict[int, set[int]] = {}
        for course_id, cohort_id in Cohort.objects.filter(instructors=self.user).values_list(
            "course_id", "pk"
        ):
            by_course.setdefault(course_id, set()).add(cohort_id)
        for course_id, cohorts in by_course.items():
            if course_id not in taught:
                taught[course_id] = frozenset(cohorts)
        return Teaching({c: v for c, v in taught.items() if self._held(c)})

    def teaches(self, course_id: int) -> bool:
        return course_id in self.teaching.courses

    def scope_in(self, course: CoursePage) -> StaffScope | None:
        """The caller's staff scope in the course (courses.cohorts.StaffScope), or None."""
        if not self.teaches(course.pk):
            return None
        if self.user is None:
            return StaffScope(course=course, cohort_ids=None)
        return staff_scope(user=self.user, course_id=course.pk)

    @property
    def actor(self) -> Any:
        """Who an audit names for the caller's writes: the service user, or whoever made a token
        that acts for courses alone."""
        return self.user if self.user is not None else self.token.created_by

    # What the caller sees ------------------------------------------------------------------

    def courses(self) -> QuerySet[CoursePage]:
        """Published public courses and those they teach (published or not), held to the
        token's courses."""
        taught = list(self.teaching.courses)
        visible = Q(pk__in=taught)
        if self.user is not None:
            visible |= Q(live=True) & ~Q(view_restricted())
        courses = originals(CoursePage.objects.all()).filter(visible)
        if self.course_ids is not None:
            courses = courses.filter(pk__in=self.course_ids)
        return courses

    def _own(self, field: str) -> Q:
        return Q(**{field: self.user}) if self.user is not None else Q(pk__in=[])

    def _held_to(self, rows: QuerySet, course_field: str) -> QuerySet:
        if self.course_ids is not None:
            rows = rows.filter(**{f"{course_field}__in": self.course_ids})
        return rows

    def enrolments(self, rows: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
        """Enrolments: their own, and those of learners they teach."""
        teaching = self.teaching
        visible = (
            self._own("learner")
            | Q(course_id__in=teaching.whole)
            | Q(cohort_id__in=teaching.cohort_ids)
        )
        return self._held_to(rows.filter(visible), "course_id")

    def learner_rows(self, rows: QuerySet, *, course_field: str) -> QuerySet:
        """Rows with a learner and a course (submissions, certificates): their own, and those of
        learners they teach in that course."""
        teaching = self.teaching
        visible = self._own("learner") | Q(**{f"{course_field}__in": teaching.whole})
        if teaching.cohort_ids:
            visible = visible | Q(
                Exists(
                    Enrolment.objects.filter(
                        learner_id=OuterRef("learner_id"),
                        course_id=OuterRef(course_field),
                        cohort_id__in=teaching.cohort_ids,
                    )
                )
            )
        return self._held_to(rows.filter(visible), course_field)
