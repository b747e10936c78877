"""Instructors edit only their own courses; learners never reach the admin."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import GroupPagePermission

from courses.services import course_instructors_sync
from tests.factories import course_tree, instructor_user, lessons_of


def _assign(course, *people):
    course.instructors.set(people)
    course.save_revision().publish()
    course.refresh_from_db()
    return course


@pytest.fixture
def two_courses(catalog):
    mine = course_tree(catalog, slug="mine", title="Mine", modules=1, lessons_per_module=1)
    theirs = course_tree(catalog, slug="theirs", title="Theirs", modules=1, lessons_per_module=1)
    return mine, theirs


@pytest.mark.django_db
def test_assigning_instructors_syncs_a_course_group(two_courses):
    mine, _theirs = two_courses
    ian = instructor_user()
    _assign(mine, ian)
    group = Group.objects.get(name="Course: mine")
    assert list(group.user_set.all()) == [ian]
    assert sorted(
        GroupPagePermission.objects.filter(group=group, page=mine).values_list(
            "permission__codename", flat=True
        )
    ) == ["add_page", "change_page"]
    _assign(mine)
    assert list(group.user_set.all()) == []
    # Syncing again changes nothing and keeps one group per course.
    course_instructors_sync(course=mine)
    assert Group.objects.filter(name__startswith="Course: ").count() == 2


@pytest.mark.django_db
def test_renaming_the_course_slug_renames_its_group(two_courses):
    mine, _theirs = two_courses
    mine.slug = "mine-renamed"
    mine.save_revision().publish()
    assert Group.objects.filter(name="Course: mine-renamed").exists()
    assert not Group.objects.filter(name="Course: mine").exists()


@pytest.mark.django_db
def test_instructor_edits_own_course_but_not_another(client, two_courses):
    mine, theirs = two_courses
    ian = instructor_user()
    _assign(mine, ian)
    client.force_login(ian)
    assert client.get("/admin/").status_code == 200
    assert client.get(f"/admin/pages/{mine.pk}/edit/").status_code == 200
    lesson = lessons_of(mine)[0]
    assert client.get(f"/admin/pages/{lesson.pk}/edit/").status_code == 200
    response = client.get(f"/admin/pages/{theirs.pk}/edit/")
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert f"/admin/pages/{theirs.pk}/edit/" not in response.url
    assert client.get(f"/admin/pages/{lessons_of(theirs)[0].pk}/edit/").status_code in (302, 403)


@pytest.mark.django_db
def test_instructor_can_submit_but_not_publish(two_courses):
    mine, _theirs = two_courses
    ian = instructor_user()
    _assign(mine, ian)
    permissions = mine.permissions_for_user(ian)
    assert permissions.can_edit() is True
    assert permissions.can_publish() is False
    assert mine.get_workflow() is not None


@pytest.mark.django_db
def test_learner_never_reaches_the_admin(learner_client):
    response = learner_client.get("/admin/")
    assert response.status_code == 302
    assert response.url == "/dashboard/"


@pytest.mark.django_db
def test_instructor_without_a_course_edits_nothing(client, two_courses):
    mine, _theirs = two_courses
    client.force_login(instructor_user())
    assert client.get(f"/admin/pages/{mine.pk}/edit/").status_code in (302, 403)


@pytest.mark.django_db
def test_instructors_get_the_headers_admin_link_and_learners_do_not(client, two_courses, learner):
    client.force_login(instructor_user())
    assert '<a class="site-nav__link" href="/admin/">Admin</a>' in client.get("/profile/").text
    client.force_login(learner)
    assert 'href="/admin/">Admin</a>' not in client.get("/profile/").text
