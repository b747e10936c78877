"""Who reaches the Wagtail and Django admins (LearnersStayOutOfAdminMiddleware)."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/pages/", "/django-admin/", "/django-admin/accounts/user/"]
)
@pytest.mark.django_db
def test_a_learner_asking_for_an_admin_is_sent_to_the_dashboard(learner_client, path):
    response = learner_client.get(path)

    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


@pytest.mark.django_db
def test_staff_reach_the_wagtail_admin(staff_client):
    response = staff_client.get("/admin/")

    assert response.status_code == 200
    assert "wagtailadmin/home.html" in [t.name for t in response.templates]


@pytest.mark.django_db
def test_staff_reach_the_django_admin(staff_client):
    response = staff_client.get("/django-admin/accounts/user/")

    assert response.status_code == 200
    assert "grace@example.org" in response.text


@pytest.mark.django_db
def test_anonymous_visitors_get_the_admin_login_not_the_dashboard(client):
    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_staff_see_an_admin_link_in_the_header(staff_client, learner):
    assert (
        '<a class="site-nav__link" href="/admin/">Admin</a>' in staff_client.get("/profile/").text
    )
    staff_client.force_login(learner)
    assert 'href="/admin/">Admin</a>' not in staff_client.get("/profile/").text
