"""Who reaches what through the API: every endpoint for a caller with no token, an expired, a
revoked or an unknown token, a token without the scope, a learner, another course's instructor
and the course's own instructor, with the domain values each one gets."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from api.models import ApiToken, Scope, TokenKind
from api.tokens import token_revoke
from certificates.models import Certificate
from courses.models import (
    Cohort,
    Enrolment,
    EnrolmentEvent,
    EnrolmentSource,
    EnrolmentStatus,
    Invitation,
)
from courses.services import enrolment_create
from grading.models import Submission
from tests.api.conftest import make_token
from tests.factories import UserFactory, completed
from tests.grading.submissions_support import make_course_exercise

pytestmark = pytest.mark.django_db


def endpoints(course_id: int):
    """(method, path, body, scope) of every endpoint."""
    enrolments = f"/api/v1/courses/{course_id}/enrolments"
    return [
        ("get", "/api/v1/courses", None, Scope.COURSES_READ),
        ("get", f"/api/v1/courses/{course_id}", None, Scope.COURSES_READ),
        ("get", enrolments, None, Scope.ENROLMENTS_READ),
        ("post", enrolments, {"email": "new@example.org"}, Scope.ENROLMENTS_WRITE),
        ("delete", f"{enrolments}?email=ada@example.org", None, Scope.ENROLMENTS_WRITE),
        ("get", "/api/v1/progress", None, Scope.PROGRESS_READ),
        ("get", "/api/v1/submissions", None, Scope.SUBMISSIONS_READ),
        ("get", "/api/v1/certificates", None, Scope.CERTIFICATES_READ),
    ]


def call(api, method, path, body):
    if method == "post":
        return api.post(path, body)
    return getattr(api, method)(path)


# Refusals every endpoint gives -------------------------------------------------------------


def test_every_endpoint_refuses_a_caller_without_a_token(api_as, course, instructor):
    for method, path, body, _scope in endpoints(course.pk):
        response = call(api_as(None), method, path, body)
        assert response.status_code == 401, path
        assert response.json()["code"] == "invalid_token"
        assert response.json()["detail"] == "Send a token: Authorization: Bearer <token>."
        assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    ("spoil", "detail"),
    [
        ("expire", "The token expired."),
        ("revoke", "The token was revoked."),
        ("garble", "The token is not valid."),
        ("deactivate", "The token's account is deactivated."),
    ],
)
def test_every_endpoint_refuses_a_spoiled_token(api_as, course, instructor, spoil, detail):
    token = make_token(instructor)
    row = ApiToken.objects.get(user=instructor)
    if spoil == "expire":
        ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    elif spoil == "revoke":
        token_revoke(token=row, by=instructor)
    elif spoil == "garble":
        token = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    else:
        instructor.is_active = False
        instructor.save(update_fields=["is_active"])
    for method, path, body, _scope in endpoints(course.pk):
        response = call(api_as(token), method, path, body)
        assert response.status_code == 401, path
        assert response.json() == {"detail": detail, "code": "invalid_token"}
    assert not Enrolment.objects.filter(learner__email="new@example.org").exists()
    assert not Invitation.objects.exists()


def test_every_endpoint_refuses_a_token_without_its_scope(api_as, course, instructor, enrolled):
    for method, path, body, scope in endpoints(course.pk):
        others = [s for s in Scope.values if s != scope]
        response = call(api_as(instructor, scopes=others), method, path, body)
        assert response.status_code == 403, path
        assert response.json() == {
            "detail": f"This token lacks the scope {scope}.",
            "code": "insufficient_scope",
        }
    # Nothing was written by the refused writes.
    assert Enrolment.objects.get(learner=enrolled).status == EnrolmentStatus.ACTIVE
    assert not Invitation.objects.exists()


def test_a_malformed_authorization_header_is_refused(api_as, client):
    response = client.get("/api/v1/courses", HTTP_AUTHORIZATION="Token abc")
    assert response.status_code == 401
    assert response.json()["detail"] == "The Authorization header must read: Bearer <token>."


# Courses ------------------------------------------------------------------------------------


@pytest.fixture
def draft_course(catalog, instructor, course):
    """A course the instructor is writing: unpublished."""
    from tests.factories import course_page

    draft = course_page(catalog, slug="draft", title="Roadmaps (draft)", instructor=instructor)
    draft.unpublish()
    return draft


def titles(response):
    return [row["title"] for row in response.json()["results"]]


def test_a_learner_lists_the_published_catalog(
    api_as, enrolled, course, other_course, draft_course
):
    response = api_as(enrolled).get("/api/v1/courses")
    assert response.status_code == 200
    assert titles(response) == ["Discovery", "Foundations"]
    foundations = response.json()["results"][1]
    assert foundations["url"] == "http://testserver/courses/foundations/"
    assert foundations["published"] is True
    assert foundations["you_teach"] is False


def test_an_instructor_also_lists_their_unpublished_course(
    api_as, instructor, course, other_course, draft_course
):
    results = api_as(instructor).get("/api/v1/courses").json()["results"]
    assert [(r["title"], r["published"], r["you_teach"]) for r in results] == [
        ("Discovery", True, False),
        ("Foundations", True, True),
        ("Roadmaps (draft)", False, True),
    ]
    assert results[2]["url"] is None
    assert api_as(instructor).get(f"/api/v1/courses/{draft_course.pk}").json()["title"] == (
        "Roadmaps (draft)"
    )


def test_another_instructor_and_a_learner_never_see_an_unpublished_course(
    api_as, enrolled, other_instructor, draft_course
):
    for caller in (enrolled, other_instructor):
        api = api_as(caller)
        assert "Roadmaps (draft)" not in titles(api.get("/api/v1/courses"))
        response = api.get(f"/api/v1/courses/{draft_course.pk}")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_one_course_reads_as_the_catalog_shows_it(api_as, enrolled, other_course):
    body = api_as(enrolled).get(f"/api/v1/courses/{other_course.pk}").json()
    assert body == {
        "id": other_course.pk,
        "title": "Discovery",
        "slug": "discovery",
        "url": "http://testserver/courses/discovery/",
        "summary": "Discovery summary.",
        "level": "beginner",
        "estimated_hours": 1,
        "published": True,
        "skills": ["Cost of delay", "RICE"],
        "you_teach": False,
    }


# Enrolments ---------------------------------------------------------------------------------


def test_the_instructor_reads_the_enrolments_of_their_course(
    api_as, instructor, course, enrolled, grace
):
    response = api_as(instructor).get(f"/api/v1/courses/{course.pk}/enrolments")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["learner"]["email"], r["learner"]["name"], r["status"]) for r in rows] == [
        ("ada@example.org", "Ada Lovelace", "active"),
        ("grace@example.org", "Grace Hopper", "active"),
    ]


@pytest.mark.parametrize("who", ["learner", "other_instructor"])
def test_learners_and_other_instructors_read_no_enrolments(
    api_as, request, course, enrolled, grace, who
):
    caller = enrolled if who == "learner" else request.getfixturevalue("other_instructor")
    response = api_as(caller).get(f"/api/v1/courses/{course.pk}/enrolments")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only the course's instructors and staff see its enrolments.",
        "code": "forbidden",
    }


def test_a_cohort_instructor_reads_only_their_cohort(api_as, course, enrolled, grace):
    teacher = UserFactory(email="cohort.lead@example.org")
    spring = Cohort.objects.create(course=course, name="Spring")
    spring.instructors.add(teacher)
    Enrolment.objects.filter(learner=grace).update(cohort=spring)
    rows = api_as(teacher).get(f"/api/v1/courses/{course.pk}/enrolments").json()["results"]
    assert [(r["learner"]["email"], r["cohort"]) for r in rows] == [
        ("grace@example.org", {"id": spring.pk, "name": "Spring"})
    ]


def test_the_instructor_enrols_a_learner_by_email(api_as, instructor, course):
    bob = UserFactory(email="bob@example.org", certificate_name="Bob Moore")
    api = api_as(instructor)
    response = api.post(f"/api/v1/courses/{course.pk}/enrolments", {"email": "Bob@Example.org"})
    assert response.status_code == 201
    body = response.json()
    assert body["outcome"] == "enrol"
    assert body["enrolment"]["learner"] == {
        "id": bob.pk,
        "email": "bob@example.org",
        "name": "Bob Moore",
    }
    assert body["enrolment"]["status"] == "active"
    assert Enrolment.objects.get(learner=bob, course=course).is_active
    event = EnrolmentEvent.objects.get(learner=bob, course=course)
    assert (event.action, event.source, event.actor) == (
        "enrolled",
        EnrolmentSource.STAFF,
        instructor,
    )
    again = api.post(f"/api/v1/courses/{course.pk}/enrolments", {"email": "bob@example.org"})
    assert again.status_code == 200
    assert again.json()["outcome"] == "already"
    assert EnrolmentEvent.objects.filter(learner=bob, course=course).count() == 1


def test_an_address_without_an_account_is_invited(api_as, instructor, course):
    response = api_as(instructor).post(
        f"/api/v1/courses/{course.pk}/enrolments", {"email": "newcomer@example.org"}
    )
    assert response.status_code == 201
    assert response.json()["outcome"] == "invite"
    assert response.json()["invitation"]["email"] == "newcomer@example.org"
    invitation = Invitation.objects.get(course=course)
    assert (invitation.email, invitation.status, invitation.invited_by) == (
        "newcomer@example.org",
        "pending",
        instructor,
    )


def test_a_bad_address_or_cohort_is_refused_and_nothing_changes(
    api_as, instructor, course, other_course
):
    api = api_as(instructor)
    bad = api.post(f"/api/v1/courses/{course.pk}/enrolments", {"email": "not an address"})
    assert bad.status_code == 400
    assert bad.json() == {
        "detail": "“not an address” is not a valid e-mail address.",
        "code": "invalid",
    }
    elsewhere = Cohort.objects.create(course=other_course, name="Elsewhere")
    UserFactory(email="bob@example.org")
    wrong = api.post(
        f"/api/v1/courses/{course.pk}/enrolments",
        {"email": "bob@example.org", "cohort_id": elsewhere.pk},
    )
    assert wrong.status_code == 400
    assert wrong.json()["detail"] == "The course has no cohort with this id."
    assert not Enrolment.objects.filter(learner__email="bob@example.org").exists()
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("who", ["learner", "other_instructor"])
def test_learners_and_other_instructors_cannot_enrol_or_unenrol(
    api_as, request, course, enrolled, who
):
    caller = enrolled if who == "learner" else request.getfixturevalue("other_instructor")
    UserFactory(email="bob@example.org")
    api = api_as(caller)
    enrol = api.post(f"/api/v1/courses/{course.pk}/enrolments", {"email": "bob@example.org"})
    unenrol = api.delete(f"/api/v1/courses/{course.pk}/enrolments?email=ada@example.org")
    assert (enrol.status_code, unenrol.status_code) == (403, 403)
    assert not Enrolment.objects.filter(learner__email="bob@example.org").exists()
    assert Enrolment.objects.get(learner=enrolled).is_active


def test_the_instructor_unenrols_a_learner_and_progress_stays(api_as, instructor, course, enrolled):
    completed(enrolled, course, percent=40)
    Enrolment.objects.filter(learner=enrolled).update(status="active")
    api = api_as(instructor)
    response = api.delete(f"/api/v1/courses/{course.pk}/enrolments?email=ada@example.org")
    assert response.status_code == 200
    assert response.json()["status"] == "unenrolled"
    enrolment = Enrolment.objects.get(learner=enrolled, course=course)
    assert enrolment.status == EnrolmentStatus.UNENROLLED
    assert enrolment.progress.percent == 40
    event = EnrolmentEvent.objects.filter(learner=enrolled, action="unenrolled").get()
    assert (event.source, event.actor) == (EnrolmentSource.STAFF, instructor)
    missing = api.delete(f"/api/v1/courses/{course.pk}/enrolments?email=nobody@example.org")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "No learner with this address is enrolled in the course."


def test_a_course_token_without_a_user_enrols_in_its_courses_only(api_as, course, other_course):
    admin = UserFactory(email="admin@example.org", is_superuser=True, is_staff=True)
    token = make_token(
        None, kind=TokenKind.SERVICE, courses=[course], by=admin, scopes=[Scope.ENROLMENTS_WRITE]
    )
    UserFactory(email="bob@example.org")
    api = api_as(token)
    assert (
        api.post(
            f"/api/v1/courses/{course.pk}/enrolments", {"email": "bob@example.org"}
        ).status_code
        == 201
    )
    # The audit names whoever made the token.
    assert EnrolmentEvent.objects.get(learner__email="bob@example.org").actor == admin
    other = api.post(f"/api/v1/courses/{other_course.pk}/enrolments", {"email": "bob@example.org"})
    assert other.status_code == 404


# Progress -----------------------------------------------------------------------------------


def test_a_learner_reads_only_their_own_progress(api_as, course, enrolled, grace):
    completed(enrolled, course, percent=85)
    rows = api_as(enrolled).get("/api/v1/progress").json()["results"]
    assert len(rows) == 1
    assert rows[0]["learner"]["email"] == "ada@example.org"
    assert (rows[0]["percent"], rows[0]["lessons_done"], rows[0]["status"]) == (85, 1, "active")
    assert rows[0]["completed_at"] is not None


def test_the_instructor_reads_their_learners_progress(api_as, instructor, course, enrolled, grace):
    completed(enrolled, course, percent=85)
    rows = api_as(instructor).get("/api/v1/progress", course_id=course.pk).json()["results"]
    assert [(r["learner"]["email"], r["percent"]) for r in rows] == [
        ("ada@example.org", 85),
        ("grace@example.org", 0),
    ]


def test_another_instructor_reads_no_progress_of_the_course(
    api_as, other_instructor, course, enrolled
):
    response = api_as(other_instructor).get("/api/v1/progress", course_id=course.pk)
    assert response.status_code == 200
    assert response.json()["results"] == []


# Submissions --------------------------------------------------------------------------------


def submission(learner, course, exercise, *, attempt, score, override=None, manual="none"):
    now = timezone.now()
    return Submission.objects.create(
        learner=learner,
        exercise=exercise,
        revision=exercise.current_revision,
        course_page=course,
        kind="submit",
        origin="editor",
        status="graded",
        notebook="submissions/x.ipynb",
        notebook_sha256="0" * 64,
        seed=1,
        attempt=attempt,
        created_at=now,
        queued_at=now,
        finished_at=now,
        score=Decimal(score),
        max_score=Decimal(10),
        override_score=override,
        manual_status=manual,
        report={"tests": [{"grade_id": "hidden", "message": "expected 42, hidden source"}]},
        answers={"answer": "my secret answer"},
    )


@pytest.fixture
def exercise(course):
    return make_course_exercise(course)


def test_a_learner_reads_their_own_scores_and_nothing_else(
    api_as, course, enrolled, grace, exercise
):
    submission(enrolled, course, exercise, attempt=1, score="6")
    submission(enrolled, course, exercise, attempt=2, score="7", override=Decimal("9.5"))
    submission(grace, course, exercise, attempt=1, score="3", manual="pending")
    response = api_as(enrolled).get("/api/v1/submissions")
    rows = response.json()["results"]
    assert [(r["attempt"], r["score"], r["max_score"], r["overridden"]) for r in rows] == [
        (1, 6.0, 10.0, False),
        (2, 9.5, 10.0, True),
    ]
    assert rows[0]["exercise"] == {
        "id": exercise.pk,
        "slug": exercise.slug,
        "title": exercise.title,
    }
    # Scores only: no report, test messages, answers or notebook.
    text = response.content.decode()
    for secret in ("hidden source", "my secret answer", "submissions/x.ipynb", "report"):
        assert secret not in text


def test_the_instructor_reads_every_learners_scores(
    api_as, instructor, course, enrolled, grace, exercise
):
    submission(enrolled, course, exercise, attempt=1, score="6")
    submission(grace, course, exercise, attempt=1, score="3", manual="pending")
    rows = api_as(instructor).get("/api/v1/submissions", course_id=course.pk).json()["results"]
    assert [(r["learner"]["email"], r["score"], r["provisional"]) for r in rows] == [
        ("ada@example.org", 6.0, False),
        ("grace@example.org", 3.0, True),
    ]


def test_another_instructor_reads_no_scores(api_as, other_instructor, course, enrolled, exercise):
    submission(enrolled, course, exercise, attempt=1, score="6")
    assert api_as(other_instructor).get("/api/v1/submissions").json()["results"] == []


# Certificates -------------------------------------------------------------------------------


def certificate(learner, course, code, *, revoked=False):
    return Certificate.objects.create(
        code=code,
        learner=learner,
        course=course,
        learner_name=learner.display_name,
        course_title=course.title,
        final_percent=92,
        score_band="distinction",
        issued_at=timezone.now(),
        status="revoked" if revoked else "active",
        revoked_at=timezone.now() if revoked else None,
    )


def test_a_learner_reads_their_certificates_with_status_and_verify_url(
    api_as, course, enrolled, grace
):
    certificate(enrolled, course, "PMA-AAAA-BBBB-CCCC")
    certificate(grace, course, "PMA-DDDD-EEEE-FFFF", revoked=True)
    rows = api_as(enrolled).get("/api/v1/certificates").json()["results"]
    assert len(rows) == 1
    row = rows[0]
    assert (row["code"], row["status"], row["learner_name"], row["score_band"]) == (
        "PMA-AAAA-BBBB-CCCC",
        "valid",
        "Ada Lovelace",
        "distinction",
    )
    assert row["verify_url"] == "http://testserver/verify/PMA-AAAA-BBBB-CCCC/"


def test_the_instructor_reads_their_courses_certificates(
    api_as, instructor, course, enrolled, grace
):
    certificate(enrolled, course, "PMA-AAAA-BBBB-CCCC")
    certificate(grace, course, "PMA-DDDD-EEEE-FFFF", revoked=True)
    rows = api_as(instructor).get("/api/v1/certificates").json()["results"]
    assert [(r["code"], r["status"]) for r in rows] == [
        ("PMA-AAAA-BBBB-CCCC", "valid"),
        ("PMA-DDDD-EEEE-FFFF", "revoked"),
    ]


def test_another_instructor_reads_no_certificates(api_as, other_instructor, course, enrolled):
    certificate(enrolled, course, "PMA-AAAA-BBBB-CCCC")
    assert api_as(other_instructor).get("/api/v1/certificates").json()["results"] == []


def test_a_service_token_held_to_courses_reads_only_those(api_as, course, other_course, enrolled):
    certificate(enrolled, course, "PMA-AAAA-BBBB-CCCC")
    enrolment_create(learner=enrolled, course=other_course)
    certificate(enrolled, other_course, "PMA-GGGG-HHHH-JJJJ")
    admin = UserFactory(email="admin@example.org", is_superuser=True, is_staff=True)
    held = make_token(admin, kind=TokenKind.SERVICE, courses=[other_course])
    rows = api_as(held).get("/api/v1/certificates").json()["results"]
    assert [r["code"] for r in rows] == ["PMA-GGGG-HHHH-JJJJ"]
    assert titles(api_as(held).get("/api/v1/courses")) == ["Discovery"]


def test_a_body_that_is_not_json_gets_a_json_error_and_changes_nothing(api_as, instructor, course):
    api = api_as(instructor)
    response = api.client.post(
        f"/api/v1/courses/{course.pk}/enrolments",
        "{not json",
        content_type="application/json",
        **api._headers(),
    )
    assert response.status_code in (400, 422)
    assert response.json()["code"] in ("invalid_request", "invalid")
    missing = api.post(f"/api/v1/courses/{course.pk}/enrolments", {})
    assert missing.status_code == 422
    assert missing.json()["code"] == "invalid_request"
    assert not Invitation.objects.exists()


def test_an_unknown_api_path_is_a_json_404(api_as, enrolled):
    for path in ("/api/v1/nothing", "/api/v2/courses", "/api/v1/courses/5/enrolments/x"):
        response = api_as(enrolled).get(path)
        assert response.status_code == 404, path
        assert response.json() == {
            "detail": "No such endpoint; see /api/docs.",
            "code": "not_found",
        }
