"""The learner dashboard (courses) shows certificates through the dashboard-panel hook."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_dashboard_lists_the_learners_certificate_with_its_share_link(client, learner, certificate):
    client.force_login(learner)

    page = client.get(reverse("dashboard")).content.decode()

    assert "Certificates" in page
    assert certificate.code in page
    assert reverse("certificates:share", args=[certificate.code]) in page
    assert "Prioritization in Practice" in page


def test_dashboard_of_a_learner_without_certificates_says_how_to_earn_one(
    client, other_learner, certificate
):
    client.force_login(other_learner)

    page = client.get(reverse("dashboard")).content.decode()

    assert "Complete a course to earn your first certificate." in page
    assert certificate.code not in page
