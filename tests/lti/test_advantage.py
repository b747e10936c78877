"""LTI Advantage with lti1p3platform as the LMS, end to end over HTTP against the live tool:
an instructor picks content (deep linking), a learner launches it, the roster comes over (NRPS),
and the learner's counted score reaches the LMS line item (AGS) through the outbox."""

from __future__ import annotations

import html
import re

import pytest
from django.utils import timezone

from courses.models import Enrolment, EnrolmentStatus, LessonPage
from grading.models import Submission
from grading.selectors import learner_exercise_score
from grading.services import submission_create
from grading.signals import submission_graded
from lti.models import LtiContext, LtiIdentity, ScorePost
from lti.scores import scores_due_send
from tests.factories import UserFactory
from tests.grading.submissions_support import CORRECT, PARTIAL, install_fake_engine

from .platform import ROLE

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

MEMBER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


def _member(sub, name, status="Active", role=MEMBER):
    return {"user_id": sub, "name": name, "status": status, "roles": [role]}


def _pick(browser, lms, references):
    """The instructor's deep linking launch, the picker, and the signed answer posted back."""
    lms.next_launch.deep_link = True
    lms.next_launch.roles = [ROLE + "Instructor"]
    lms.next_launch.sub = "lms-teacher"
    started = browser.launch()
    assert started.status_code == 302
    picker_url = lms.tool_url + started.headers["Location"]
    picker = browser.session.get(picker_url)
    assert picker.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', picker.text)[1]
    answer = browser.session.post(
        picker_url,
        data={"csrfmiddlewaretoken": token, "item": references},
        headers={"Referer": picker_url},
    )
    assert answer.status_code == 200, answer.text
    return picker, answer


def test_login_launch_deep_link_score_and_roster_end_to_end(
    browser, lms, lti_course, monkeypatch, registration
):
    course, exercise = lti_course
    lesson = LessonPage.objects.descendant_of(course).order_by("path").first()
    exercise_ref = f"exercise:{course.pk}:{exercise.pk}"

    # 1. Deep linking: the picker lists the course, its lessons and its counted exercise.
    picker, answer = _pick(browser, lms, [exercise_ref, f"page:{lesson.pk}"])
    assert "PM 101" in picker.text and lesson.title in picker.text
    assert "Exercise: RICE scoring" in picker.text
    # The answer is a form the browser posts to the LMS, allowed by CSP form-action.
    action = html.unescape(re.search(r'action="([^"]+)" id="lti-deep-link-return"', answer.text)[1])
    assert action == f"{lms.url}/deep_link_return"
    assert f"form-action 'self' {lms.url}" in answer.headers["Content-Security-Policy"]
    jwt_value = re.search(r'name="JWT" value="([^"]+)"', answer.text)[1]
    assert browser.session.post(action, data={"JWT": jwt_value}).status_code == 200
    # The LMS checked the signature against /lti/jwks/ and now has both items.
    items = {item["custom"]["pma_resource"]: item for item in lms.deep_link_items}
    assert set(items) == {exercise_ref, f"page:{lesson.pk}"}
    assert items[exercise_ref]["lineItem"] == {
        "scoreMaximum": 6.0,
        "label": "RICE scoring",
        "resourceId": exercise_ref,
    }
    assert items[exercise_ref]["url"] == f"{lms.tool_url}/lti/launch/"
    assert "lineItem" not in items[f"page:{lesson.pk}"]

    # 2. A learner launches the exercise link; the roster comes over on that launch.
    lms.members = [
        _member("lms-user-1", "Grace Hopper"),
        _member("lms-user-2", "Alan Turing"),
        _member("lms-user-3", "Left Early", status="Inactive"),
        _member("lms-teacher", "Teacher", role=ROLE + "Instructor"),
    ]
    learner_browser = type(browser)(lms)
    lms.next_launch.deep_link = False
    lms.next_launch.roles = [ROLE + "Learner"]
    lms.next_launch.sub = "lms-user-1"
    lms.next_launch.custom = items[exercise_ref]["custom"]
    lms.next_launch.lineitem = "/lineitems/7"
    launched = learner_browser.launch()
    assert launched.status_code == 302
    assert launched.headers["Location"] == f"/courses/{course.pk}/exercises/{exercise.pk}/"
    enrolled = set(
        Enrolment.objects.filter(course=course, status=EnrolmentStatus.ACTIVE).values_list(
            "learner__lti_identities__sub", flat=True
        )
    )
    assert enrolled == {"lms-user-1", "lms-user-2"}
    assert set(Enrolment.objects.filter(course=course).values_list("cohort__name", flat=True)) == {
        "LMS: PM 101 (Spring)"
    }
    teacher = LtiIdentity.objects.get(sub="lms-teacher").user
    assert [c.name for c in teacher.taught_cohorts.all()] == ["LMS: PM 101 (Spring)"]
    assert LtiContext.objects.get().roster_synced_at is not None

    # 3. The learner's graded submission goes to the LMS line item.
    install_fake_engine(monkeypatch)
    grace = LtiIdentity.objects.get(sub="lms-user-1").user
    submission_create(
        learner=grace, exercise=exercise, course_page=course, answers=CORRECT, kind="submit"
    )
    counted = learner_exercise_score(learner=grace, exercise=exercise, course_page_id=course.pk)
    assert len(lms.scores) == 1
    score = lms.scores[0]
    assert score["lineitem"] == "/lineitems/7"
    assert (score["userId"], score["scoreGiven"], score["scoreMaximum"]) == (
        "lms-user-1",
        float(counted.score),
        float(counted.max_score),
    )
    assert (score["activityProgress"], score["gradingProgress"]) == ("Completed", "FullyGraded")
    post = ScorePost.objects.get()
    assert (post.status, post.attempts) == ("sent", 1)
    # The token request was signed with the tool's key, checked against /lti/jwks/.
    assert lms.token_requests[-1]["grant_type"] == "client_credentials"

    # The same score announced again is not posted again.
    submission_graded.send(sender=Submission, submission=Submission.objects.get())
    assert (ScorePost.objects.count(), len(lms.scores)) == (1, 1)


def test_a_failed_score_post_is_kept_and_retried_until_sent(browser, lms, lti_course, monkeypatch):
    course, exercise = lti_course
    lms.next_launch.custom = {"pma_resource": f"exercise:{course.pk}:{exercise.pk}"}
    lms.next_launch.lineitem = "/lineitems/9"
    assert browser.launch().status_code == 302
    engine = install_fake_engine(monkeypatch)
    grace = LtiIdentity.objects.get().user
    lms.fail_scores = 1

    engine.rank_points = 1.5
    submission_create(
        learner=grace, exercise=exercise, course_page=course, answers=PARTIAL, kind="submit"
    )

    post = ScorePost.objects.get()
    assert (post.status, post.attempts) == ("failed", 1)
    assert "503" in post.last_error and "gradebook busy" in post.last_error
    assert post.next_attempt_at > timezone.now()
    assert lms.scores == []
    # Not due yet: nothing is sent early.
    assert scores_due_send() == 0

    ScorePost.objects.filter(pk=post.pk).update(next_attempt_at=timezone.now())
    assert scores_due_send() == 1

    post.refresh_from_db()
    assert (post.status, post.attempts, post.last_error) == ("sent", 2, "")
    assert [s["userId"] for s in lms.scores] == ["lms-user-1"]


def test_staff_send_a_failed_score_again_from_the_admin(
    browser, lms, lti_course, monkeypatch, client
):
    course, exercise = lti_course
    lms.next_launch.custom = {"pma_resource": f"exercise:{course.pk}:{exercise.pk}"}
    lms.next_launch.lineitem = "/lineitems/9"
    assert browser.launch().status_code == 302
    install_fake_engine(monkeypatch)
    lms.fail_scores = 2
    submission_create(
        learner=LtiIdentity.objects.get().user,
        exercise=exercise,
        course_page=course,
        answers=CORRECT,
        kind="submit",
    )
    post = ScorePost.objects.get()
    url = f"/admin/lti/score-retry/{post.pk}/"
    client.force_login(UserFactory())
    assert client.post(url).status_code in (302, 403)  # a learner cannot
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    listing = client.get("/admin/lti/scores/").content.decode()
    assert url in listing and "gradebook busy" in listing

    refused = client.post(url, follow=True).content.decode()
    assert "The LMS refused the score again" in refused
    client.post(url)

    post.refresh_from_db()
    assert (post.status, post.attempts) == ("sent", 3)
    assert len(lms.scores) == 1


def test_staff_sync_the_roster_on_demand(browser, lms, lti_course, client):
    course, _exercise = lti_course
    lms.next_launch.custom = {"pma_resource": f"page:{course.pk}"}
    lms.members = [_member("lms-user-1", "Grace Hopper"), _member("lms-user-2", "Alan Turing")]
    assert browser.launch().status_code == 302
    turing = LtiIdentity.objects.get(sub="lms-user-2").user
    assert Enrolment.objects.get(learner=turing, course=course).status == EnrolmentStatus.ACTIVE
    context = LtiContext.objects.get()

    lms.members = [
        _member("lms-user-1", "Grace Hopper"),
        _member("lms-user-2", "Alan Turing", "Inactive"),
    ]
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = f"/admin/lti/roster-sync/{context.pk}/"
    assert "Sync roster now" in client.get(url).content.decode()
    response = client.post(url)

    assert response.status_code == 302
    assert Enrolment.objects.get(learner=turing, course=course).status == EnrolmentStatus.UNENROLLED
    # A learner or an instructor of the course cannot start it.
    client.force_login(UserFactory())
    assert client.post(url).status_code in (302, 403)


def test_the_picker_belongs_to_the_session_that_launched_it(browser, lms, lti_course):
    lms.next_launch.deep_link = True
    lms.next_launch.roles = [ROLE + "Instructor"]
    started = browser.launch()
    other = type(browser)(lms)

    stolen = other.session.get(lms.tool_url + started.headers["Location"])

    assert stolen.status_code == 403
    assert "content picker has expired or belongs to another session" in stolen.text


def test_a_learner_cannot_deep_link(browser, lms, lti_course):
    lms.next_launch.deep_link = True
    lms.next_launch.roles = [ROLE + "Learner"]

    response = browser.launch()

    assert response.status_code == 403
    assert "Only instructors can choose PM Academy content" in response.text
