"""Stored-PDF downloads: a fixed query count, revalidation with ETag, and revocation winning."""

import pytest

from certificates.services import certificate_render, certificate_revoke

pytestmark = pytest.mark.django_db


def _download(client, certificate, page_size="a4", **headers):
    return client.get(f"/certificates/{certificate.code}/pdf/{page_size}/", headers=headers)


def test_a_download_is_private_and_revalidated(client, certificate, learner):
    client.force_login(learner)
    response = _download(client, certificate)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-cache"
    etag = response["ETag"]
    assert etag.startswith('"') and len(etag) == 34
    assert certificate.pdf_a4.name.split("/")[1] not in etag
    b"".join(response.streaming_content)

    again = _download(client, certificate, **{"If-None-Match": etag})
    assert again.status_code == 304
    assert again["ETag"] == etag
    assert again["Cache-Control"] == "private, no-cache"
    assert _download(client, certificate, "letter")["ETag"] != etag


def test_a_new_rendering_changes_the_etag(client, certificate, learner):
    client.force_login(learner)
    before = _download(client, certificate)["ETag"]
    certificate_render(certificate=certificate)
    after = _download(client, certificate, **{"If-None-Match": before})
    assert after.status_code == 200
    assert after["ETag"] != before


def test_revocation_wins_over_a_cached_copy(client, certificate, learner, instructor):
    client.force_login(learner)
    etag = _download(client, certificate)["ETag"]
    certificate_revoke(certificate=certificate, by=instructor, reason="Plagiarised capstone.")
    assert _download(client, certificate, **{"If-None-Match": etag}).status_code == 410


def test_a_download_costs_the_same_queries_as_a_revalidation(
    client, certificate, learner, django_assert_num_queries
):
    client.force_login(learner)
    etag = _download(client, certificate)["ETag"]
    # User, certificate (the session comes from the cache): nothing else is read to stream the file.
    with django_assert_num_queries(2):
        response = _download(client, certificate)
        b"".join(response.streaming_content)
    with django_assert_num_queries(2):
        assert _download(client, certificate, **{"If-None-Match": etag}).status_code == 304
