"""Resource launches from an LMS (lti1p3platform, over real HTTP, against the live tool): the
person is matched by (issuer, sub), signed in, enrolled or made instructor, and sent to the course,
lesson or exercise; every refused launch shows a clear page and is logged."""

from __future__ import annotations

import logging

import pytest

from courses.models import Enrolment, LessonPage
from lti.models import LtiContext, LtiIdentity, LtiResourceLink
from tests.factories import UserFactory

from .platform import ISSUER, ROLE

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_learner_launch_signs_in_enrols_and_opens_the_exercise(browser, lms, lti_course):
    course, exercise = lti_course
    lms.next_launch.custom = {"pma_resource": f"exercise:{course.pk}:{exercise.pk}"}
    lms.next_launch.lineitem = "/lineitems/7"

    response = browser.launch()

    assert response.status_code == 302
    assert response.headers["Location"] == f"/courses/{course.pk}/exercises/{exercise.pk}/"
    identity = LtiIdentity.objects.get(issuer=ISSUER, sub="lms-user-1")
    assert (identity.name, identity.user.first_name, identity.user.last_name) == (
        "Grace Hopper",
        "Grace",
        "Hopper",
    )
    enrolment = Enrolment.objects.get(learner=identity.user, course=course, status="active")
    # The LMS course is a cohort of the course.
    assert enrolment.cohort.name == "LMS: PM 101 (Spring)"
    assert LtiContext.objects.get().cohort == enrolment.cohort
    link = LtiResourceLink.objects.get(resource_link_id="link-1")
    assert (link.exercise, link.page, link.lineitem_url) == (
        exercise,
        None,
        f"{lms.url}/lineitems/7",
    )
    assert LtiContext.objects.get().course_id == course.pk
    # Signed in: the exercise page opens in the same browser.
    page = browser.session.get(lms.tool_url + response.headers["Location"])
    assert page.status_code == 200
    assert "RICE scoring" in page.text
    # Framed by this LMS only (its issuer's and its login endpoint's origins).
    assert f"frame-ancestors 'self' {lms.url} {ISSUER};" in page.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in page.headers


def test_a_second_launch_finds_the_same_account_and_never_matches_by_email(
    browser, lms, lti_course
):
    course, _exercise = lti_course
    # Someone already has the address the LMS sends: the LMS user must not get that account.
    existing = UserFactory(email="grace@lms.example.edu")
    lms.next_launch.custom = {"pma_resource": f"page:{course.pk}"}

    assert browser.launch().status_code == 302
    assert browser.launch().status_code == 302

    identity = LtiIdentity.objects.get()
    assert identity.user != existing
    assert identity.user.email == ""
    assert identity.email == "grace@lms.example.edu"
    assert LtiIdentity.objects.count() == 1


def test_a_lesson_link_opens_the_lesson(browser, lms, lti_course):
    course, _exercise = lti_course
    lesson = LessonPage.objects.descendant_of(course).order_by("path").first()
    lms.next_launch.custom = {"pma_resource": f"page:{lesson.pk}"}

    response = browser.launch()

    assert response.status_code == 302
    assert response.headers["Location"] == lesson.url


def test_target_link_uri_naming_a_course_page_opens_it(browser, lms, lti_course):
    course, _exercise = lti_course
    lms.next_launch.target_link_uri = f"{lms.tool_url}{course.url}"

    response = browser.launch()

    assert response.status_code == 302
    assert response.headers["Location"] == course.url


def test_an_instructor_launch_grants_that_course_only(
    browser, lms, lti_course, catalog, registration
):
    course, _exercise = lti_course
    other = course.__class__.objects.exclude(pk=course.pk).first()
    registration.instructors_edit_course = True
    registration.save()
    lms.next_launch.roles = [ROLE + "Instructor"]
    lms.next_launch.custom = {"pma_resource": f"page:{course.pk}"}

    assert browser.launch().status_code == 302

    user = LtiIdentity.objects.get().user
    assert list(user.taught_courses.values_list("pk", flat=True)) == [course.pk]
    assert not Enrolment.objects.filter(learner=user).exists()
    assert user.groups.filter(name="Instructors").exists()
    assert other is None or not user.taught_courses.filter(pk=other.pk).exists()


def test_an_instructor_launch_without_edit_rights_neither_enrols_nor_grants(
    browser, lms, lti_course
):
    course, _exercise = lti_course
    lms.next_launch.roles = [ROLE + "Instructor"]
    lms.next_launch.custom = {"pma_resource": f"page:{course.pk}"}

    assert browser.launch().status_code == 302

    user = LtiIdentity.objects.get().user
    assert not user.taught_courses.exists()
    assert not Enrolment.objects.filter(learner=user).exists()
    # They teach their LMS course's cohort only.
    assert [c.name for c in user.taught_cohorts.all()] == ["LMS: PM 101 (Spring)"]
    assert user.taught_cohorts.get().course_id == course.pk


# Refusals ---------------------------------------------------------------------------------------


def _refused(response, caplog, status, words):
    assert response.status_code == status
    assert words in response.text
    assert "This link could not be opened" in response.text
    refusals = [r for r in caplog.records if r.name == "pma.lti" and "refused" in r.getMessage()]
    assert refusals, "the refusal is logged"
    return refusals[-1]


@pytest.mark.parametrize(
    ("change", "status", "words", "logged"),
    [
        (lambda spec: setattr(spec, "bad_signature", True), 403, "could not verify", "signature"),
        (lambda spec: setattr(spec, "expires_in", -60), 403, "has expired", "expired"),
        (
            lambda spec: setattr(spec, "tamper", lambda m: m.update(aud="another-client")),
            403,
            "is not registered with PM Academy",
            "unknown platform or audience",
        ),
        (
            lambda spec: setattr(
                spec,
                "tamper",
                lambda m: m.update(
                    {"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "other-deployment"}
                ),
            ),
            403,
            "deployment is not registered",
            "unknown deployment",
        ),
        (
            lambda spec: setattr(spec, "roles", []),
            403,
            "did not say whether you are a learner or an instructor",
            "no learner or instructor role",
        ),
    ],
    ids=["bad-signature", "expired", "wrong-audience", "unknown-deployment", "missing-role"],
)
def test_a_bad_launch_is_refused_with_a_clear_page_and_logged(
    browser, lms, lti_course, caplog, change, status, words, logged
):
    course, _exercise = lti_course
    lms.next_launch.custom = {"pma_resource": f"page:{course.pk}"}
    change(lms.next_launch)

    with caplog.at_level(logging.WARNING, logger="pma.lti"):
        response = browser.launch()

    record = _refused(response, caplog, status, words)
    assert logged in record.getMessage()
    assert not LtiIdentity.objects.exists()
    assert not Enrolment.objects.exists()


def test_a_replayed_launch_is_refused(browser, lms, lti_course, caplog):
    course, _exercise = lti_course
    lms.next_launch.custom = {"pma_resource": f"page:{course.pk}"}
    walk = browser.start()
    assert browser.post(walk).status_code == 302

    with caplog.at_level(logging.WARNING, logger="pma.lti"):
        replay = browser.post(walk)

    record = _refused(replay, caplog, 403, "already been used")
    assert "nonce" in record.getMessage()


def test_a_launch_for_a_deleted_lesson_says_so(browser, lms, lti_course, caplog):
    course, _exercise = lti_course
    lesson = LessonPage.objects.descendant_of(course).order_by("path").first()
    lms.next_launch.custom = {"pma_resource": f"page:{lesson.pk}"}
    lesson.delete()

    with caplog.at_level(logging.WARNING, logger="pma.lti"):
        response = browser.launch()

    record = _refused(response, caplog, 404, "no longer on PM Academy")
    assert "deleted resource" in record.getMessage()
    assert not Enrolment.objects.exists()


def test_a_launch_without_the_state_cookie_is_refused(browser, lms, lti_course, caplog):
    course, _exercise = lti_course
    lms.next_launch.custom = {"pma_resource": f"page:{course.pk}"}
    walk = browser.start()
    browser.session.cookies.clear()

    with caplog.at_level(logging.WARNING, logger="pma.lti"):
        response = browser.post(walk)

    _refused(response, caplog, 400, "Open in a new window")


def test_an_unregistered_issuer_at_login_is_refused(browser, lms, caplog):
    params = {
        **lms.login_initiation_params(),
        "iss": "https://rogue.example",
        "pma_cookies_checked": "1",
    }
    with caplog.at_level(logging.WARNING, logger="pma.lti"):
        response = browser.session.get(
            f"{lms.tool_url}/lti/login/", params=params, allow_redirects=False
        )

    _refused(response, caplog, 403, "is not registered with PM Academy")
