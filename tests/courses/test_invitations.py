"""Invitations accepted through allauth's real sign-up and confirmation, over HTTP."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from courses.cohorts import staff_scope
from courses.enrolment_staff import staff_enrol
from courses.models import (
    Enrolment,
    EnrolmentAction,
    EnrolmentEvent,
    EnrolmentSource,
    Invitation,
    InvitationStatus,
)
from tests.courses.cohort_support import cohorts_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

INVITATION_LINK = re.compile(r"https?://[^/\s]+(/invitations/[^/\s]+/)")
CONFIRM_LINK = re.compile(r"http://testserver(/accounts/confirm-email/[^/\s]+/)")


@pytest.fixture
def invited(instructor, course, django_capture_on_commit_callbacks):
    spring, _autumn = cohorts_of(course)
    with django_capture_on_commit_callbacks(execute=True):
        staff_enrol(
            scope=staff_scope(user=instructor, course_id=course.pk),
            actor=instructor,
            email="Grace@Example.org",
            cohort=spring,
            name="Grace Hopper",
        )
    return Invitation.objects.get(), spring


def _sign_up(client, url, password, email="grace@example.org"):
    return client.post(
        url,
        {
            "email": email,
            "password1": password,
            "password2": password,
            "certificate_name": "Grace Hopper",
        },
    )


def test_the_emailed_link_signs_up_with_the_address_prefilled_and_enrols(
    client, invited, course, password, instructor
):
    invitation, spring = invited
    link = INVITATION_LINK.search(mail.outbox[0].body).group(1)
    opened = client.get(link)
    assert opened.status_code == 302
    assert opened.url.startswith(reverse("account_signup") + "?email=grace%40example.org")
    form = client.get(opened.url)
    assert 'value="grace@example.org"' in form.text

    response = _sign_up(client, opened.url, password)
    # The link proved the address: no confirmation mail, logged in, on to the course.
    assert response.status_code == 302 and response.url == course.url
    assert len(mail.outbox) == 1
    user = EmailAddress.objects.get(email="grace@example.org", verified=True).user
    enrolment = Enrolment.objects.get(learner=user, course=course)
    assert (enrolment.is_active, enrolment.cohort) == (True, spring)
    invitation.refresh_from_db()
    assert (invitation.status, invitation.accepted_by) == (InvitationStatus.ACCEPTED, user)
    event = EnrolmentEvent.objects.get(learner=user)
    assert (event.action, event.source, event.actor, event.invitation) == (
        EnrolmentAction.ENROLLED,
        EnrolmentSource.INVITATION,
        instructor,
        invitation,
    )
    # The link is spent.
    client.logout()
    assert client.get(link).status_code == 404


def test_signing_up_without_the_link_enrols_once_the_address_is_confirmed(
    client, invited, course, password
):
    invitation, spring = invited
    response = _sign_up(client, reverse("account_signup"), password)
    assert response.url == reverse("account_email_verification_sent")
    user = EmailAddress.objects.get(email="grace@example.org").user
    assert not Enrolment.objects.filter(learner=user).exists()
    confirm = CONFIRM_LINK.search(mail.outbox[-1].body).group(1)
    client.post(confirm)
    enrolment = Enrolment.objects.get(learner=user, course=course)
    assert enrolment.cohort == spring
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED


def test_an_expired_or_withdrawn_link_says_so(client, invited):
    invitation, _spring = invited
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    page = client.get(reverse("invitation_open", args=[invitation.token]))
    assert page.status_code == 404
    assert "This invitation link no longer works" in page.text
    assert client.get(reverse("invitation_open", args=["x" * 200])).status_code == 404


def test_someone_logged_in_as_another_person_is_not_enrolled(client, invited, course):
    invitation, _spring = invited
    client.force_login(UserFactory(email="someone.else@example.org"))
    page = client.get(reverse("invitation_open", args=[invitation.token]))
    assert page.status_code == 403
    assert "This invitation is for another address" in page.text
    assert not Enrolment.objects.exists()


def test_an_existing_account_logs_in_then_is_enrolled(client, invited, course, password):
    invitation, spring = invited
    grace = UserFactory(email="grace@example.org")
    link = reverse("invitation_open", args=[invitation.token])
    response = client.get(link)
    assert response.url == f"{reverse('account_login')}?next=%2Finvitations%2F{invitation.token}%2F"
    client.force_login(grace)
    assert client.get(link).url == course.url
    assert Enrolment.objects.get(learner=grace).cohort == spring
