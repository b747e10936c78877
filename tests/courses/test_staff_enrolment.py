"""Staff enrolment in the admin: list, enrol by e-mail, move between cohorts, unenrol, invite,
each in the instructor's scope and audited; and who may reach which URL."""

import pytest
from django.core import mail
from django.urls import reverse

from courses.enrolment_audit import enrolment_events
from courses.models import (
    Enrolment,
    EnrolmentAction,
    EnrolmentSource,
    EnrolmentStatus,
    Invitation,
    InvitationStatus,
)
from courses.services import enrolment_create
from tests.courses.cohort_support import cohort_instructor, cohorts_of, other_course
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohorts(course):
    return cohorts_of(course)


@pytest.fixture
def theirs(catalog):
    return other_course(catalog)


def _enrol_url(course):
    return reverse("enrolment:enrol", args=[course.pk])


def test_an_instructor_enrols_a_learner_by_email_into_a_cohort(
    client, instructor, course, cohorts, learner
):
    spring, _autumn = cohorts
    client.force_login(instructor)
    response = client.post(_enrol_url(course), {"email": "ADA@example.org", "cohort": spring.pk})
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(learner=learner, course=course)
    assert (enrolment.status, enrolment.cohort) == (EnrolmentStatus.ACTIVE, spring)
    event = enrolment_events(course=course, learner=learner).get()
    assert (event.action, event.source, event.actor, event.cohort) == (
        EnrolmentAction.ENROLLED,
        EnrolmentSource.STAFF,
        instructor,
        spring,
    )
    # The same again changes nothing and says so.
    response = client.post(
        _enrol_url(course), {"email": "ada@example.org", "cohort": spring.pk}, follow=True
    )
    assert "was enrolled already; nothing changed" in response.content.decode()
    assert enrolment_events(course=course, learner=learner).count() == 1


def test_the_list_filters_by_cohort_status_and_search_and_moves_and_unenrols(
    client, instructor, course, cohorts
):
    spring, autumn = cohorts
    ada = UserFactory(certificate_name="Ada Lovelace", email="ada@example.org")
    bob = UserFactory(certificate_name="Bob Builder", email="bob@example.org")
    enrolment_create(learner=ada, course=course, cohort=spring)
    enrolment_create(learner=bob, course=course, cohort=autumn)
    client.force_login(instructor)
    url = reverse("enrolment:course", args=[course.pk])

    def names(query):
        page = client.get(url, query).context["page_obj"]
        return [e.learner.certificate_name for e in page.object_list]

    assert names({}) == ["Ada Lovelace", "Bob Builder"]
    assert names({"cohort": spring.pk}) == ["Ada Lovelace"]
    assert names({"q": "bob@"}) == ["Bob Builder"]
    ada_enrolment = Enrolment.objects.get(learner=ada)
    client.post(
        reverse("enrolment:move", args=[course.pk, ada_enrolment.pk]), {"cohort": autumn.pk}
    )
    assert names({"cohort": autumn.pk}) == ["Ada Lovelace", "Bob Builder"]
    client.post(reverse("enrolment:unenrol", args=[course.pk, ada_enrolment.pk]))
    assert names({"status": "unenrolled"}) == ["Ada Lovelace"]
    assert [e.action for e in enrolment_events(course=course, learner=ada)] == [
        EnrolmentAction.UNENROLLED,
        EnrolmentAction.MOVED,
        EnrolmentAction.ENROLLED,
    ]


def test_an_unknown_address_is_invited_once_by_email(
    client, instructor, course, cohorts, django_capture_on_commit_callbacks
):
    spring, _autumn = cohorts
    client.force_login(instructor)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                _enrol_url(course),
                {"email": "new.person@example.org", "name": "New Person", "cohort": spring.pk},
            )
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.cohort, invitation.invited_by, invitation.status) == (
        "new.person@example.org",
        spring,
        instructor,
        InvitationStatus.PENDING,
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@example.org"]
    assert f"/invitations/{invitation.token}/" in message.body
    assert "Foundations" in message.subject
    assert (
        message.alternatives and f"/invitations/{invitation.token}/" in message.alternatives[0][0]
    )
    client.post(reverse("enrolment:invitation_revoke", args=[course.pk, invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED


def test_a_malformed_address_is_refused_with_a_message(client, instructor, course):
    client.force_login(instructor)
    response = client.post(_enrol_url(course), {"email": "not-an-address"})
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert not Enrolment.objects.exists() and not Invitation.objects.exists()


def test_a_cohort_instructor_sees_and_changes_only_their_cohort(client, course, cohorts):
    spring, autumn = cohorts
    teacher = cohort_instructor(spring)
    ada = UserFactory(certificate_name="Ada Lovelace")
    bob = UserFactory(certificate_name="Bob Builder")
    enrolment_create(learner=ada, course=course, cohort=spring)
    enrolment_create(learner=bob, course=course, cohort=autumn)
    client.force_login(teacher)
    page = client.get(reverse("enrolment:course", args=[course.pk])).context["page_obj"]
    assert [e.learner for e in page.object_list] == [ada]
    bob_enrolment = Enrolment.objects.get(learner=bob)
    for name in ("move", "unenrol"):
        response = client.post(
            reverse(f"enrolment:{name}", args=[course.pk, bob_enrolment.pk]), {"cohort": spring.pk}
        )
        assert response.status_code == 404
    # Nor can they move their own learner into a cohort they do not teach.
    ada_enrolment = Enrolment.objects.get(learner=ada)
    client.post(
        reverse("enrolment:move", args=[course.pk, ada_enrolment.pk]), {"cohort": autumn.pk}
    )
    ada_enrolment.refresh_from_db()
    assert ada_enrolment.cohort == spring
    # Enrolling someone into the other cohort is refused.
    response = client.post(_enrol_url(course), {"email": bob.email, "cohort": autumn.pk})
    assert "Select a valid choice" in response.content.decode()
    bob_enrolment.refresh_from_db()
    assert bob_enrolment.cohort == autumn
    # They cannot add cohorts or edit the other one.
    assert client.get(reverse("enrolment:cohort_add", args=[course.pk])).status_code == 404
    assert (
        client.get(reverse("enrolment:cohort_edit", args=[course.pk, autumn.pk])).status_code == 404
    )
    assert (
        client.get(reverse("enrolment:cohort_edit", args=[course.pk, spring.pk])).status_code == 200
    )


# Who may reach which URL -------------------------------------------------------------------


def _urls(course, enrolment, invitation, cohort, enrolment_import):
    c = course.pk
    gets = [
        reverse("enrolment:course", args=[c]),
        reverse("enrolment:enrol", args=[c]),
        reverse("enrolment:history", args=[c]),
        reverse("enrolment:import", args=[c]),
        reverse("enrolment:import_detail", args=[c, enrolment_import.pk]),
        reverse("enrolment:import_status", args=[c, enrolment_import.pk]),
        reverse("enrolment:cohorts", args=[c]),
        reverse("enrolment:cohort_add", args=[c]),
        reverse("enrolment:cohort_edit", args=[c, cohort.pk]),
    ]
    posts = [
        reverse("enrolment:enrol", args=[c]),
        reverse("enrolment:move", args=[c, enrolment.pk]),
        reverse("enrolment:unenrol", args=[c, enrolment.pk]),
        reverse("enrolment:invitation_revoke", args=[c, invitation.pk]),
        reverse("enrolment:import", args=[c]),
        reverse("enrolment:import_confirm", args=[c, enrolment_import.pk]),
        reverse("enrolment:cohort_add", args=[c]),
        reverse("enrolment:cohort_edit", args=[c, cohort.pk]),
    ]
    return gets, posts


@pytest.fixture
def setting(client, instructor, course, cohorts, learner):
    from courses.cohorts import staff_scope
    from courses.enrolment_imports import enrolment_import_preview
    from courses.invitations import invitation_create

    spring, autumn = cohorts
    enrolment = enrolment_create(learner=learner, course=course, cohort=autumn)
    invitation, _ = invitation_create(
        course=course, email="x@example.org", cohort=autumn, invited_by=instructor, send=False
    )
    scope = staff_scope(user=instructor, course_id=course.pk)
    enrolment_import = enrolment_import_preview(
        scope=scope, actor=instructor, filename="a.csv", data=b"e-mail\nnew@example.org\n"
    )
    return _urls(course, enrolment, invitation, autumn, enrolment_import)


def _assert_nothing_changed(course, learner):
    enrolment = Enrolment.objects.get(learner=learner, course=course)
    assert enrolment.status == EnrolmentStatus.ACTIVE and enrolment.cohort.name == "Autumn"
    assert Invitation.objects.get().status == InvitationStatus.PENDING
    assert course.cohorts.count() == 2


def test_another_course_instructor_gets_404_on_every_url(client, setting, theirs, course, learner):
    gets, posts = setting
    client.force_login(theirs.instructors.get())
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url in posts:
        assert (
            client.post(url, {"cohort": "", "email": "a@b.org", "name": "X"}).status_code == 404
        ), url
    _assert_nothing_changed(course, learner)
    index = client.get(reverse("enrolment:index"))
    assert [c.title for c in index.context["courses"]] == ["Theirs"]


def test_the_instructor_of_another_cohort_gets_404_on_that_cohorts_urls(
    client, setting, course, cohorts, learner
):
    gets, posts = setting
    spring, _autumn = cohorts
    client.force_login(cohort_instructor(spring))
    # The course's own pages answer (showing Spring alone); Autumn's records do not.
    for url in (gets[4], gets[5], gets[7], gets[8]):
        assert client.get(url).status_code == 404, url
    for url in posts[1:4] + posts[5:]:
        assert client.post(url, {"cohort": spring.pk, "name": "X"}).status_code == 404, url
    _assert_nothing_changed(course, learner)


def test_learners_and_visitors_never_reach_the_screens(client, setting, course, learner):
    gets, posts = setting
    for url in [reverse("enrolment:index"), *gets]:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response.url, url
    for url in posts:
        response = client.post(url)
        assert response.status_code == 302 and "/login/" in response.url, url
    client.force_login(learner)
    for url in [reverse("enrolment:index"), *gets]:
        response = client.get(url)
        assert response.status_code == 302 and response.url == reverse("dashboard"), url
    for url in posts:
        assert client.post(url, {"cohort": ""}).status_code == 302, url
    _assert_nothing_changed(course, learner)


def test_every_screen_renders_for_the_course_instructor(client, setting, instructor):
    gets, _posts = setting
    client.force_login(instructor)
    for url in [reverse("enrolment:index"), *gets]:
        assert client.get(url).status_code == 200, url
