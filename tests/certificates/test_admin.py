"""The Wagtail admin for certificates: list, filter, inspect, issue, revoke; no edit, no delete."""

import pytest
from django.contrib.auth.models import Group, Permission

from certificates.models import Certificate, Status
from tests.factories import UserFactory, completed

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


def test_list_filters_by_status(admin_client, certificate, other_learner, course, instructor):
    from certificates.services import certificate_issue, certificate_revoke

    completed(other_learner, course, percent=75)
    revoked = certificate_issue(learner=other_learner, course=course, render=False)
    certificate_revoke(certificate=revoked, by=instructor, reason="Issued in error")
    listing = admin_client.get("/admin/certificates/")
    assert listing.status_code == 200
    body = listing.content.decode()
    assert certificate.code in body and revoked.code in body
    only_revoked = admin_client.get(
        "/admin/certificates/", {"validity": "revoked"}
    ).content.decode()
    assert revoked.code in only_revoked and certificate.code not in only_revoked
    only_valid = admin_client.get("/admin/certificates/", {"validity": "valid"}).content.decode()
    assert certificate.code in only_valid and revoked.code not in only_valid
    by_course = admin_client.get("/admin/certificates/", {"course": course.pk}).content.decode()
    assert certificate.code in by_course


def test_inspect_shows_the_record(admin_client, certificate):
    response = admin_client.get(f"/admin/certificates/inspect/{certificate.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert certificate.code in body
    assert "Ada Lovelace" in body
    assert f"/admin/certificates/revoke/{certificate.pk}/" in body


def test_no_edit_and_no_delete(admin_client, certificate):
    assert admin_client.get(f"/admin/certificates/edit/{certificate.pk}/").status_code in {302, 403}
    assert admin_client.post(f"/admin/certificates/delete/{certificate.pk}/").status_code in {
        302,
        403,
    }
    assert Certificate.objects.filter(pk=certificate.pk).exists()
    listing = admin_client.get("/admin/certificates/").content.decode()
    assert f"/admin/certificates/delete/{certificate.pk}/" not in listing


def test_revoke_with_reason_is_audited(admin_client, certificate):
    url = f"/admin/certificates/revoke/{certificate.pk}/"
    assert admin_client.get(url).status_code == 200
    missing = admin_client.post(url, {"reason": ""})
    assert missing.status_code == 200
    certificate.refresh_from_db()
    assert certificate.status == Status.ACTIVE
    response = admin_client.post(url, {"reason": "Shared exercise answers"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == Status.REVOKED
    assert certificate.revocation_reason == "Shared exercise answers"
    assert certificate.revoked_by.is_superuser


def test_issue_by_hand(admin_client, learner, course):
    completed(learner, course, percent=81)
    response = admin_client.post(
        "/admin/certificates/new/", {"learner": learner.pk, "course": course.pk}
    )
    certificate = Certificate.objects.get(learner=learner, course=course)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/certificates/inspect/{certificate.pk}/"
    assert certificate.issued_by.is_superuser
    assert certificate.score_band == "merit"
    assert certificate.is_rendered  # the immediate backend ran the render task


def test_issue_by_hand_refuses_a_learner_without_progress(admin_client, other_learner, course):
    response = admin_client.post(
        "/admin/certificates/new/", {"learner": other_learner.pk, "course": course.pk}
    )
    assert response.status_code == 200
    assert "has no progress in Prioritization in Practice" in response.content.decode()
    assert not Certificate.objects.exists()


def test_revoking_needs_the_permission(client, certificate):
    editor = UserFactory(is_staff=True)
    group = Group.objects.create(name="Certificate viewers")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_certificate"),
    )
    editor.groups.add(group)
    client.force_login(editor)
    assert client.get("/admin/certificates/").status_code == 200
    # Wagtail answers PermissionDenied in the admin by redirecting to the dashboard.
    assert client.post(
        f"/admin/certificates/revoke/{certificate.pk}/", {"reason": "x"}
    ).status_code in {302, 403}
    assert client.get("/admin/certificates/new/").status_code in {302, 403}
    certificate.refresh_from_db()
    assert certificate.status == Status.ACTIVE
