"""Wagtail's userbar shows for people who can use the admin, and costs learners no query."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import INSTRUCTORS_GROUP

pytestmark = pytest.mark.django_db

USERBAR = 'id="wagtail-userbar-template"'


@pytest.fixture
def instructors():
    return Group.objects.get(name=INSTRUCTORS_GROUP)


def profile_page(client):
    client.get(reverse("profile"))  # the first request may remember the answer
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("profile")).text
    return page, [q["sql"] for q in queries if "auth_permission" in q["sql"]]


def test_learners_get_no_userbar_and_no_permission_queries(learner_client):
    page, permission_queries = profile_page(learner_client)

    assert USERBAR not in page
    assert permission_queries == []


def test_instructors_and_staff_get_the_userbar(client, instructor, staff_user):
    client.force_login(instructor)
    assert USERBAR in profile_page(client)[0]
    client.force_login(staff_user)
    assert USERBAR in profile_page(client)[0]


def test_joining_and_leaving_the_instructors_shows_and_hides_it(
    learner_client, learner, instructors
):
    assert USERBAR not in profile_page(learner_client)[0]

    learner.groups.add(instructors)
    assert USERBAR in profile_page(learner_client)[0]

    instructors.user_set.remove(learner)
    assert USERBAR not in profile_page(learner_client)[0]

    instructors.user_set.add(learner)
    assert USERBAR in profile_page(learner_client)[0]


def test_a_group_that_loses_admin_access_takes_the_userbar_with_it(client, instructor, instructors):
    client.force_login(instructor)
    access_admin = Permission.objects.get(
        codename="access_admin", content_type__app_label="wagtailadmin"
    )

    instructors.permissions.remove(access_admin)
    assert USERBAR not in profile_page(client)[0]

    access_admin.group_set.add(instructors)
    assert USERBAR in profile_page(client)[0]


def test_a_direct_permission_or_superuser_flag_counts_too(learner_client, learner):
    assert USERBAR not in profile_page(learner_client)[0]
    learner.user_permissions.add(
        Permission.objects.get(codename="access_admin", content_type__app_label="wagtailadmin")
    )
    assert USERBAR in profile_page(learner_client)[0]

    learner.user_permissions.clear()
    assert USERBAR not in profile_page(learner_client)[0]

    learner.is_superuser = True
    learner.save(update_fields=["is_superuser"])
    assert USERBAR in profile_page(learner_client)[0]


def test_an_evicted_generation_never_brings_back_an_answer_from_before(
    client, instructor, instructors
):
    from django.core.cache import cache

    from accounts.admin_access import GENERATION_KEY

    admin_link = 'href="/admin/">Admin</a>'
    cache.clear()
    client.force_login(instructor)
    assert admin_link in profile_page(client)[0]
    access_admin = Permission.objects.get(
        codename="access_admin", content_type__app_label="wagtailadmin"
    )
    instructors.permissions.remove(access_admin)
    # The cache evicts the generation (LRU) while the instructor's remembered answer stays.
    cache.delete(GENERATION_KEY)

    # The header's link reads the remembered answer alone (the userbar asks Wagtail again).
    assert admin_link not in profile_page(client)[0]
