"""Builders the cohort and staff-enrolment tests share: a course with two cohorts, an instructor
of one cohort only, and another course with its own instructor."""

from courses.cohorts import cohort_save
from tests.factories import UserFactory, course_tree, instructor_user


def teach(course, *people):
    course.instructors.set(people)
    course.save_revision().publish()
    course.refresh_from_db()
    return course


def cohorts_of(course):
    spring = cohort_save(course=course, name="Spring", starts_at=None, ends_at=None)
    autumn = cohort_save(course=course, name="Autumn", starts_at=None, ends_at=None)
    return spring, autumn


def cohort_instructor(cohort, **fields):
    """Someone who teaches this cohort only (not its course)."""
    person = UserFactory(**fields)
    cohort_save(
        course=cohort.course,
        cohort=cohort,
        name=cohort.name,
        starts_at=cohort.starts_at,
        ends_at=cohort.ends_at,
        instructors=[person],
    )
    return person


def other_course(catalog):
    course = course_tree(catalog, slug="theirs", title="Theirs", modules=1, lessons_per_module=1)
    return teach(course, instructor_user(certificate_name="Other Instructor"))
