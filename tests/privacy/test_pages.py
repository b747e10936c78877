"""The privacy page in both languages, and the way to it from the profile."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_profile_links_to_the_privacy_page(learner_client):
    page = learner_client.get(reverse("profile")).content.decode()
    assert f'href="{reverse("privacy:page")}"' in page
    assert "Go to your data" in page


def test_the_page_reads_in_german(learner_client):
    response = learner_client.get(reverse("privacy:page"), HTTP_ACCEPT_LANGUAGE="de")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Ihre Daten herunterladen" in page
    assert "Mein Konto löschen" in page
    assert "Wir löschen Ihr Konto 14 Tage nach Ihrem Antrag." in page
    assert "Der Download-Link funktioniert 7 Tage lang." in page


def test_the_page_reads_in_english_and_holds_no_inline_script(learner_client):
    response = learner_client.get(reverse("privacy:page"))
    page = response.content.decode()
    assert "Download your data" in page
    assert "We delete your account 14 days after you ask." in page
    assert response["Cache-Control"] == "no-store"
    assert "privacy/export_status.js" in page
