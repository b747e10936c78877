"""Staff see privacy requests in the Wagtail admin, erase an account now after confirming, or
cancel a request; each action is audited."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from privacy.models import ErasureStatus, PrivacyEvent
from privacy.services import erasure_request, export_request
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    client.admin = admin
    return client


def test_staff_see_requests_with_their_dates(admin_client, ada):
    erasure = erasure_request(user=ada)[0]
    export_request(user=ada)
    response = admin_client.get(reverse("privacy_requests:index"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Account deletions" in page and "Data exports" in page
    assert "ada@example.org" in page
    assert "Waiting for the grace period to end" in page
    assert "Waiting to start" in page
    assert reverse("privacy_requests:process", args=[erasure.pk]) in page


def test_staff_erase_an_account_now_after_confirming(admin_client, ada):
    erasure = erasure_request(user=ada)[0]
    confirm = admin_client.get(reverse("privacy_requests:process", args=[erasure.pk]))
    assert "This cannot be undone" in confirm.content.decode()
    erasure.refresh_from_db()
    assert erasure.status == ErasureStatus.PENDING  # showing the page changes nothing
    response = admin_client.post(
        reverse("privacy_requests:process", args=[erasure.pk]), follow=True
    )
    assert f"Account {ada.pk} is erased." in response.content.decode()
    erasure.refresh_from_db()
    assert (erasure.status, erasure.processed_by) == (ErasureStatus.DONE, admin_client.admin)
    event = PrivacyEvent.objects.get(kind="erasure_processed")
    assert event.actor == admin_client.admin
    # Once done, the confirmation page is gone and a second post changes nothing.
    assert (
        admin_client.get(reverse("privacy_requests:process", args=[erasure.pk])).status_code == 404
    )
    again = admin_client.post(reverse("privacy_requests:process", args=[erasure.pk]), follow=True)
    assert "no longer pending" in again.content.decode()


def test_staff_cancel_a_request(admin_client, ada):
    erasure = erasure_request(user=ada)[0]
    admin_client.post(reverse("privacy_requests:cancel", args=[erasure.pk]))
    erasure.refresh_from_db()
    assert erasure.status == ErasureStatus.CANCELLED
    assert PrivacyEvent.objects.get(kind="erasure_cancelled").actor == admin_client.admin


def test_a_guessed_request_id_is_404(admin_client, ada):
    assert admin_client.get(reverse("privacy_requests:process", args=[999])).status_code == 404
    assert admin_client.post(reverse("privacy_requests:cancel", args=[999])).status_code == 404


def test_staff_with_the_permission_see_the_menu_item(client, ada):
    staff = UserFactory(username="dpo", is_staff=True)
    staff.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="change_erasurerequest"),
    )
    client.force_login(staff)
    assert client.get(reverse("privacy_requests:index")).status_code == 200
    assert "Privacy requests" in client.get(reverse("wagtailadmin_home")).content.decode()
