"""Announcements: instructors post to their own courses (or one cohort) from the Wagtail admin;
the learners they are for see them on the course page and are told in the site and by e-mail."""

import pytest
from django.core import mail
from django.urls import reverse

from announcements.models import Announcement
from announcements.services import AnnouncementError, announcement_post
from courses.models import Cohort, Enrolment
from courses.services import enrolment_cancel, enrolment_create
from notifications.models import Notification, OutgoingEmail
from tests.factories import UserFactory, course_tree, instructor_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohorts(course):
    return (
        Cohort.objects.create(course=course, name="Spring 2027"),
        Cohort.objects.create(course=course, name="Autumn 2027"),
    )


@pytest.fixture
def class_of(course, enrolled, cohorts):
    """Ada in Spring; Bo in Autumn; Cy in no cohort; Di left the course."""
    spring, autumn = cohorts
    Enrolment.objects.filter(learner=enrolled).update(cohort=spring)
    bo, cy, di = (UserFactory(email=f"{name}@example.org") for name in ("bo", "cy", "di"))
    for learner in (bo, cy, di):
        enrolment_create(learner=learner, course=course)
    Enrolment.objects.filter(learner=bo).update(cohort=autumn)
    enrolment_cancel(learner=di, course=course)
    return {"ada": enrolled, "bo": bo, "cy": cy, "di": di}


@pytest.fixture
def theirs(catalog):
    course = course_tree(catalog, slug="theirs", title="Theirs", modules=1, lessons_per_module=1)
    course.instructors.add(instructor_user())
    course.save_revision().publish()
    return course


def post(instructor, course, cohort=None, capture=None):
    with capture(execute=True):
        return announcement_post(
            course=course,
            cohort=cohort,
            title="Week 2 starts Monday",
            body="Read module 2 first.\nBring your RICE scores.",
            posted_by=instructor,
        )


def told(key):
    return sorted(
        Notification.objects.filter(dedupe_key=key).values_list("recipient__email", flat=True)
    )


def test_a_course_wide_announcement_tells_every_active_learner(
    instructor, course, class_of, django_capture_on_commit_callbacks
):
    announcement = post(instructor, course, capture=django_capture_on_commit_callbacks)
    key = f"announcement:{announcement.pk}"
    assert told(key) == ["ada@example.org", "bo@example.org", "cy@example.org"]
    assert sorted(m.to[0] for m in mail.outbox) == told(key)
    notification = Notification.objects.get(dedupe_key=key, recipient=class_of["ada"])
    assert notification.title == "Foundations: Week 2 starts Monday"
    assert notification.url == f"{course.url}#announcements"
    assert notification.kind == "announcement"


def test_a_cohort_announcement_tells_that_cohort_only(
    instructor, course, class_of, cohorts, django_capture_on_commit_callbacks
):
    announcement = post(
        instructor, course, cohort=cohorts[1], capture=django_capture_on_commit_callbacks
    )
    assert told(f"announcement:{announcement.pk}") == ["bo@example.org"]


def test_telling_again_tells_nobody_twice(
    instructor, course, class_of, django_capture_on_commit_callbacks
):
    from announcements.tasks import announcement_notify_task

    announcement = post(instructor, course, capture=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        announcement_notify_task.enqueue(announcement_id=announcement.pk)
    assert Notification.objects.count() == 3
    assert OutgoingEmail.objects.count() == 3
    assert len(mail.outbox) == 3


def test_a_cohort_of_another_course_or_an_empty_message_is_refused(instructor, course, theirs):
    other_cohort = Cohort.objects.create(course=theirs, name="Theirs 1")
    with pytest.raises(AnnouncementError, match="is not a cohort of Foundations"):
        announcement_post(
            course=course, cohort=other_cohort, title="t", body="b", posted_by=instructor
        )
    with pytest.raises(AnnouncementError, match="needs a title and a message"):
        announcement_post(course=course, title="  ", body="b", posted_by=instructor)
    assert not Announcement.objects.exists()


# On the course page ------------------------------------------------------------------------------


def test_learners_see_course_wide_and_their_own_cohorts_announcements(
    client, instructor, course, class_of, cohorts, django_capture_on_commit_callbacks
):
    post(instructor, course, capture=django_capture_on_commit_callbacks)
    announcement_post(
        course=course,
        cohort=cohorts[0],
        title="Spring only",
        body="Hi Spring.",
        posted_by=instructor,
    )
    announcement_post(
        course=course,
        cohort=cohorts[1],
        title="Autumn only",
        body="Hi Autumn.",
        posted_by=instructor,
    )
    client.force_login(class_of["ada"])
    page = client.get(course.url).content.decode()
    assert 'id="announcements"' in page
    assert "Week 2 starts Monday" in page
    assert "<p>Read module 2 first.<br>Bring your RICE scores.</p>" in page
    assert "Spring only" in page
    assert "Autumn only" not in page
    client.force_login(class_of["cy"])
    page = client.get(course.url).content.decode()
    assert "Week 2 starts Monday" in page
    assert "Spring only" not in page and "Autumn only" not in page


@pytest.mark.parametrize("who", ["anonymous", "not_enrolled", "left"])
def test_others_see_no_announcements(client, instructor, course, class_of, who):
    announcement_post(course=course, title="Secret plan", body="Hi.", posted_by=instructor)
    if who == "not_enrolled":
        client.force_login(UserFactory())
    elif who == "left":
        client.force_login(class_of["di"])
    page = client.get(course.url).content.decode()
    assert "Secret plan" not in page
    assert 'id="announcements"' not in page


# In the Wagtail admin ---------------------------------------------------------------------------


def test_an_instructor_posts_to_their_own_course(
    client, instructor, course, class_of, theirs, django_capture_on_commit_callbacks
):
    client.force_login(instructor)
    form = client.get(reverse("announcements:post"))
    assert form.status_code == 200
    assert list(form.context["form"].fields["course"].queryset) == [course]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("announcements:post"),
            {"course": course.pk, "cohort": "", "title": "Office hours", "body": "Thursday 5pm."},
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("announcements:index")
    announcement = Announcement.objects.get()
    assert (announcement.course, announcement.posted_by, announcement.title) == (
        course,
        instructor,
        "Office hours",
    )
    assert len(mail.outbox) == 3
    index = client.get(reverse("announcements:index")).content.decode()
    assert "Office hours" in index
    assert "/admin/announcements/" in client.get("/admin/").content.decode()


def test_an_instructor_cannot_post_to_another_course_or_its_cohorts(
    client, instructor, course, theirs
):
    other_cohort = Cohort.objects.create(course=theirs, name="Theirs 1")
    client.force_login(instructor)
    for data in (
        {"course": theirs.pk, "title": "Hijack", "body": "x"},
        {"course": course.pk, "cohort": other_cohort.pk, "title": "Hijack", "body": "x"},
    ):
        response = client.post(reverse("announcements:post"), data)
        assert response.status_code == 200
        assert response.context["form"].errors
    assert not Announcement.objects.exists()


def test_another_courses_instructor_sees_none_of_this_courses_announcements(
    client, instructor, course, theirs
):
    announcement_post(course=course, title="Ours only", body="Hi.", posted_by=instructor)
    client.force_login(theirs.instructors.get())
    assert "Ours only" not in client.get(reverse("announcements:index")).content.decode()


def test_learners_and_anonymous_visitors_are_kept_out_of_the_admin(client, learner, course):
    for url in (reverse("announcements:index"), reverse("announcements:post")):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login/" in response["Location"]
    client.force_login(learner)
    for url in (reverse("announcements:index"), reverse("announcements:post")):
        response = client.post(url, {"course": course.pk, "title": "t", "body": "b"})
        assert response.status_code in (302, 403)
    assert not Announcement.objects.exists()


def test_an_instructor_without_courses_has_no_menu_item_and_cannot_post(client, course):
    client.force_login(instructor_user())
    index = client.get(reverse("announcements:index"))
    assert "You do not teach any course yet" in index.content.decode()
    assert "/admin/announcements/" not in client.get("/admin/").content.decode()
    response = client.post(
        reverse("announcements:post"), {"course": course.pk, "title": "t", "body": "b"}
    )
    assert response.context["form"].errors["course"]


def test_a_cohort_instructor_posts_to_their_cohorts_only(
    client, instructor, course, class_of, cohorts, django_capture_on_commit_callbacks
):
    spring, autumn = cohorts
    teacher = instructor_user()
    spring.instructors.add(teacher)
    announcement_post(course=course, title="For everyone", body="Hi.", posted_by=instructor)
    announcement_post(
        course=course, cohort=autumn, title="Autumn only", body="Hi.", posted_by=instructor
    )
    client.force_login(teacher)
    form = client.get(reverse("announcements:post")).context["form"]
    assert list(form.fields["course"].queryset) == [course]
    assert list(form.fields["cohort"].queryset) == [spring]
    for cohort, error in (
        ("", "You teach some cohorts of this course only: choose the cohort to tell."),
        (autumn.pk, "Select a valid choice. That choice is not one of the available choices."),
    ):
        response = client.post(
            reverse("announcements:post"),
            {"course": course.pk, "cohort": cohort, "title": "Mine", "body": "x"},
        )
        assert response.context["form"].errors["cohort"] == [error]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("announcements:post"),
            {"course": course.pk, "cohort": spring.pk, "title": "Spring news", "body": "x"},
        )
    assert response.status_code == 302
    assert told(f"announcement:{Announcement.objects.get(title='Spring news').pk}") == [
        "ada@example.org"
    ]
    titles = [a.title for a in client.get(reverse("announcements:index")).context["announcements"]]
    assert titles == ["Spring news", "For everyone"]
