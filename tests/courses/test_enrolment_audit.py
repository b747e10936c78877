"""The audit of enrolment changes: every change is one event saying who, to whom, when and how."""

import pytest

from courses.enrolment_audit import enrolment_events
from courses.models import Cohort, EnrolmentAction, EnrolmentSource
from courses.services import enrolment_cancel, enrolment_create

pytestmark = pytest.mark.django_db


def _events(course, learner):
    return [
        (e.action, e.source, e.actor_id, e.cohort_id, e.from_cohort_id)
        for e in reversed(enrolment_events(course=course, learner=learner))
    ]


def test_self_enrolment_through_the_site_is_recorded(client, learner, course):
    client.force_login(learner)
    client.post(f"/courses/{course.pk}/enrol/")
    client.post(f"/courses/{course.pk}/unenrol/")
    assert _events(course, learner) == [
        (EnrolmentAction.ENROLLED, EnrolmentSource.SELF, learner.pk, None, None),
        (EnrolmentAction.UNENROLLED, EnrolmentSource.SELF, learner.pk, None, None),
    ]


def test_enrolling_again_records_nothing_and_a_cohort_move_is_one_event(
    learner, course, instructor
):
    spring = Cohort.objects.create(course=course, name="Spring")
    autumn = Cohort.objects.create(course=course, name="Autumn")
    enrolment_create(
        learner=learner,
        course=course,
        cohort=spring,
        actor=instructor,
        source=EnrolmentSource.STAFF,
    )
    enrolment_create(
        learner=learner,
        course=course,
        cohort=spring,
        actor=instructor,
        source=EnrolmentSource.STAFF,
    )
    enrolment = enrolment_create(
        learner=learner,
        course=course,
        cohort=autumn,
        actor=instructor,
        source=EnrolmentSource.STAFF,
    )
    assert enrolment.cohort == autumn
    assert _events(course, learner) == [
        (EnrolmentAction.ENROLLED, EnrolmentSource.STAFF, instructor.pk, spring.pk, None),
        (EnrolmentAction.MOVED, EnrolmentSource.STAFF, instructor.pk, autumn.pk, spring.pk),
    ]
    enrolment_cancel(learner=learner, course=course, actor=instructor, source=EnrolmentSource.STAFF)
    assert _events(course, learner)[-1] == (
        EnrolmentAction.UNENROLLED,
        EnrolmentSource.STAFF,
        instructor.pk,
        autumn.pk,
        None,
    )
