"""Every learner-owned URL answers 404 to another learner: not 403 (which would confirm the object
exists), not 200.

The URL patterns are read from the resolver; a new pattern fails
`test_every_public_url_pattern_is_classified` until it is added below with the test that covers it.
"""

import pytest
from django.urls import reverse

from certificates.models import Certificate
from certificates.services import certificate_issue, certificate_revoke
from grading.models import NotebookRun, Submission, SubmissionKind
from grading.services import submission_create
from grading.services.runs import notebook_run_create
from tests.factories import UserFactory, completed
from tests.grading.submissions_support import CORRECT

from .conftest import site_url_names

pytestmark = pytest.mark.django_db

# Learner-owned: the URL names one learner's object. Another learner must get 404.
OWNED = {
    "submission_detail": ("GET", lambda sub, cert: reverse("submission_detail", args=[sub.pk])),
    "submission_status": ("GET", lambda sub, cert: reverse("submission_status", args=[sub.pk])),
    "submission_notebook": ("GET", lambda sub, cert: reverse("submission_notebook", args=[sub.pk])),
    "certificates:share": (
        "GET",
        lambda sub, cert: reverse("certificates:share", args=[cert.code]),
    ),
    "certificates:sharing": (
        "POST",
        lambda sub, cert: reverse("certificates:sharing", args=[cert.code]),
    ),
    "certificates:download": (
        "GET",
        lambda sub, cert: reverse("certificates:download", args=[cert.code, "a4"]),
    ),
    "certificates:credential": (
        "GET",
        lambda sub, cert: reverse("certificates:credential", args=[cert.code]),
    ),
    "exercise_run_status": (
        "GET",
        lambda sub, cert: reverse(
            "exercise_run_status", args=[NotebookRun.objects.get(learner=sub.learner).pk]
        ),
    ),
}
# Personal without an id in the URL: each learner sees only their own (test below).
PERSONAL = {
    "dashboard",
    "profile",
    "certificates:mine",
    "exercise_page",
    # The requester's own draft of the exercise (tests/courses/test_drafts.py).
    "exercise_draft",
    "exercise_draft_form",
    # The requester's own grades in a course they are or were enrolled in; anyone else gets 404
    # (tests/courses/test_learner_grades.py).
    "course_grades",
    # Saves the requester's own language (POST only; tests/i18n/test_language_http.py).
    "profile_language",
}
# Not owned by a learner: public by design, or an action on the requester's own enrolment.
NOT_OWNED = {
    "certificates:verify_index": "public verification form; shows only what a code proves",
    "certificates:verify": "public verification page, by design of the certificate",
    "certificates:status_list": "public revocation list (bit string, no names)",
    "certificates:issuer": "the issuer's public profile",
    "certificates:issuer_keys": "the issuer's public keys",
    "course_enrol": "enrols the requester",
    "course_unenrol": "unenrols the requester",
    "lesson_complete": "records the requester's progress",
    "knowledge_check_answer": "records the requester's answer",
    "exercise_release": "the blank release notebook, the same for every enrolled learner",
    "exercise_submit": "creates the requester's submission",
    "exercise_run": "runs the requester's own answers; the run is theirs (exercise_run_status)",
    "search": "public search; shows only pages the visitor may read (tests/courses/test_search.py)",
    "set_language": "sets the requester's own language (cookie, and their saved choice)",
    "wagtail_serve": (
        "Wagtail's page serving through the original tree (courses.localization.serve): public "
        "pages, Wagtail's own view restrictions apply"
    ),
    "invitation_open": (
        "an invitation link: its unguessable token is the capability; it enrols only the account "
        "with the invited address (tests/courses/test_invitations.py)"
    ),
}


def test_every_public_url_pattern_is_classified():
    assert set(site_url_names()) == set(OWNED) | PERSONAL | set(NOT_OWNED)


@pytest.fixture
def owned(learner, course, exercise, fake_engine, certificate):
    with fake_engine.commit(execute=True):
        submission = submission_create(
            learner=learner,
            exercise=exercise,
            course_page=course,
            answers=CORRECT,
            kind=SubmissionKind.SUBMIT,
        )
    notebook_run_create(
        learner=learner, exercise=exercise, course_page=course, answers=CORRECT, up_to=0
    )
    return submission, certificate


@pytest.mark.parametrize("name", sorted(OWNED))
def test_another_learner_gets_404_from_every_owned_url(client, owned, other_learner, learner, name):
    submission, certificate = owned
    method, build = OWNED[name]
    url = build(submission, certificate)

    client.force_login(learner)
    own = client.post(url, {"shared": "on"}) if method == "POST" else client.get(url)
    assert own.status_code in {200, 302}
    Certificate.objects.filter(pk=certificate.pk).update(shared=False)

    client.force_login(other_learner)
    response = client.post(url, {"shared": "on"}) if method == "POST" else client.get(url)

    assert response.status_code == 404
    assert "Ada Lovelace" not in response.content.decode()
    certificate.refresh_from_db()
    assert certificate.shared is False


@pytest.mark.parametrize("state", ["revoked", "not rendered yet"])
@pytest.mark.parametrize(
    "name", ["certificates:share", "certificates:download", "certificates:credential"]
)
def test_unshared_certificates_in_other_states_are_404_to_another_learner(
    client, learner, other_learner, course, certificate, instructor, name, state
):
    if state == "revoked":
        certificate_revoke(certificate=certificate, by=instructor, reason="Plagiarised capstone.")
    else:
        Certificate.objects.filter(pk=certificate.pk).update(
            pdf_a4="", pdf_letter="", rendered_at=None
        )
    client.force_login(other_learner)

    response = client.get(OWNED[name][1](None, certificate))

    assert response.status_code == 404


def test_a_certificate_its_holder_shared_is_the_one_exception(
    client, learner, other_learner, certificate
):
    url = reverse("certificates:share", args=[certificate.code])
    client.force_login(learner)
    client.post(reverse("certificates:sharing", args=[certificate.code]), {"shared": "on"})

    client.force_login(other_learner)

    assert client.get(url).status_code == 200


def test_submission_ids_of_another_learner_in_another_course_are_404_too(client, owned, course):
    stranger = UserFactory()
    client.force_login(stranger)
    submission, _ = owned

    assert client.get(reverse("submission_detail", args=[submission.pk])).status_code == 404
    assert Submission.objects.filter(learner=stranger).count() == 0


def test_personal_pages_show_only_the_requesters_own_work(
    client, owned, other_learner, course, exercise
):
    submission, certificate = owned
    completed(other_learner, course, percent=71)
    their_certificate = certificate_issue(learner=other_learner, course=course)
    client.force_login(other_learner)

    for name in sorted(PERSONAL):
        if name.startswith("exercise_"):
            url = reverse(name, args=[course.pk, exercise.pk])
        elif name == "course_grades":
            url = reverse(name, args=[course.pk])
        else:
            url = reverse(name)
        page = client.get(url).content.decode()
        assert certificate.code not in page, name
        assert reverse("submission_detail", args=[submission.pk]) not in page, name
        assert "Ada Lovelace" not in page, name
    mine = client.get(reverse("certificates:mine")).content.decode()
    assert their_certificate.code in mine


def test_anonymous_visitors_are_asked_to_log_in_not_shown_anything(client, owned):
    submission, certificate = owned
    for name, (method, build) in sorted(OWNED.items()):
        response = (
            client.post(build(submission, certificate))
            if method == "POST"
            else client.get(build(submission, certificate))
        )
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("account_login")), name
