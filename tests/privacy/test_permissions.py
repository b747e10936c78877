"""Every privacy URL refuses anonymous visitors, other learners, guessed ids, forged or expired
links and the wrong method, with a redirect, 403, 404 or 405, never a 500."""

from __future__ import annotations

import pytest
from django.core import signing
from django.urls import reverse

from privacy.models import ErasureRequest, ErasureStatus
from privacy.services import DOWNLOAD_SALT, erasure_request, export_download_url, export_request
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready_export(ada, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        export, _ = export_request(user=ada)
    export.refresh_from_db()
    return export


def _learner_urls(export):
    return [
        ("get", reverse("privacy:page")),
        ("post", reverse("privacy:export_request")),
        ("get", reverse("privacy:export_status", args=[export.pk])),
        ("get", export_download_url(export=export)),
        ("post", reverse("privacy:erasure_request")),
        ("post", reverse("privacy:erasure_cancel")),
    ]


def test_anonymous_visitors_are_sent_to_sign_in(client, ready_export):
    for method, url in _learner_urls(ready_export):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url


def test_another_learner_reads_nothing_of_ada(client, ready_export):
    other = UserFactory(username="mallory")
    client.force_login(other)
    assert client.get(reverse("privacy:export_status", args=[ready_export.pk])).status_code == 404
    assert client.get(export_download_url(export=ready_export)).status_code == 404
    page = client.get(reverse("privacy:page")).content.decode()
    assert export_download_url(export=ready_export) not in page
    # Mallory's cancel cancels nothing of Ada's.
    erasure_request(user=ready_export.user)
    client.post(reverse("privacy:erasure_cancel"))
    assert ErasureRequest.objects.get().status == ErasureStatus.PENDING


def test_guessed_ids_and_forged_links_are_404(client, ada, ready_export):
    client.force_login(ada)
    assert (
        client.get(reverse("privacy:export_status", args=[ready_export.pk + 99])).status_code == 404
    )
    forged = signing.dumps({"e": ready_export.pk, "u": ada.pk}, salt="another-salt")
    for signature in (forged, "nonsense", "a" * 500, signing.dumps("x", salt=DOWNLOAD_SALT)):
        url = reverse("privacy:export_download", kwargs={"signature": signature})
        assert client.get(url).status_code == 404, signature
    someone_elses = signing.dumps({"e": ready_export.pk, "u": ada.pk + 1}, salt=DOWNLOAD_SALT)
    url = reverse("privacy:export_download", kwargs={"signature": someone_elses})
    assert client.get(url).status_code == 404


def test_the_wrong_method_is_405(client, ada, ready_export):
    client.force_login(ada)
    assert client.get(reverse("privacy:export_request")).status_code == 405
    assert client.get(reverse("privacy:erasure_request")).status_code == 405
    assert client.get(reverse("privacy:erasure_cancel")).status_code == 405
    assert client.post(reverse("privacy:page")).status_code == 405


def test_the_admin_is_for_privacy_staff_only(client, ada, instructor):
    erasure = erasure_request(user=ada)[0]
    urls = [
        ("get", reverse("privacy_requests:index")),
        ("get", reverse("privacy_requests:process", args=[erasure.pk])),
        ("post", reverse("privacy_requests:process", args=[erasure.pk])),
        ("post", reverse("privacy_requests:cancel", args=[erasure.pk])),
    ]
    for method, url in urls:
        assert getattr(client, method)(url).status_code == 302, url  # to the admin sign-in
    client.force_login(instructor)  # reaches the Wagtail admin, but not privacy requests
    for method, url in urls:
        assert getattr(client, method)(url).status_code in (302, 403), url
    erasure.refresh_from_db()
    assert erasure.status == ErasureStatus.PENDING
