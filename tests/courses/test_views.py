"""Learner actions over HTTP: enrol, unenrol, complete, answer checks; bad input never 500s."""

import pytest
from django.contrib.messages import get_messages

from courses.blocks import option_ids
from courses.models import Enrolment, EnrolmentStatus, KnowledgeCheckAnswer, LessonCompletion
from tests.factories import lessons_of


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _check(lesson):
    child = next(c for c in lesson.body if c.block_type == "knowledge_check")
    return child.id, option_ids(child.value)


@pytest.mark.django_db
def test_enrol_and_enrol_again(learner_client, learner, course):
    url = f"/courses/{course.pk}/enrol/"
    response = learner_client.post(url)
    assert response.status_code == 302
    assert response.url == course.url
    assert _messages(response) == ["You are enrolled in Foundations."]
    assert learner_client.post(url).status_code == 302
    assert Enrolment.objects.filter(learner=learner, status=EnrolmentStatus.ACTIVE).count() == 1


@pytest.mark.django_db
def test_enrol_requires_post_and_csrf(course, learner):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(learner)
    assert strict.get(f"/courses/{course.pk}/enrol/").status_code == 405
    assert strict.post(f"/courses/{course.pk}/enrol/").status_code == 403
    assert not Enrolment.objects.exists()


@pytest.mark.django_db
def test_anonymous_enrol_goes_to_login_and_back(client, course):
    response = client.post(f"/courses/{course.pk}/enrol/")
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=%2Fcourses%2Ffoundations%2F"


@pytest.mark.django_db
def test_enrol_in_unknown_course_is_404(learner_client, home):
    assert learner_client.post("/courses/99999/enrol/").status_code == 404


@pytest.mark.django_db
def test_unenrol(learner_client, enrolled, course):
    response = learner_client.post(f"/courses/{course.pk}/unenrol/")
    assert response.status_code == 302
    assert Enrolment.objects.get(learner=enrolled).status == EnrolmentStatus.UNENROLLED
    again = learner_client.post(f"/courses/{course.pk}/unenrol/")
    assert again.status_code == 302
    assert _messages(again)[-1] == "You are not enrolled in this course."
    html = learner_client.get(course.url).content.decode()
    assert "Enrol again" in html


@pytest.mark.django_db
def test_mark_lesson_complete(learner_client, enrolled, course):
    lesson = lessons_of(course)[0]
    response = learner_client.post(f"/lessons/{lesson.pk}/complete/")
    assert response.status_code == 302
    assert response.url == lesson.url
    assert LessonCompletion.objects.filter(learner=enrolled, lesson=lesson).count() == 1
    html = learner_client.get(lesson.url).content.decode()
    assert "You completed this lesson." in html
    assert "Course progress: 12%" in html


@pytest.mark.django_db
def test_complete_lesson_when_not_enrolled_redirects_to_course(learner_client, course):
    lesson = lessons_of(course)[0]
    response = learner_client.post(f"/lessons/{lesson.pk}/complete/")
    assert response.status_code == 302
    assert response.url == course.url
    assert not LessonCompletion.objects.exists()


@pytest.mark.django_db
def test_answer_check_shows_result_and_feedback(learner_client, enrolled, course):
    lesson = lessons_of(course)[0]
    block_id, (right, wrong) = _check(lesson)
    url = f"/lessons/{lesson.pk}/checks/{block_id}/"
    response = learner_client.post(url, {"options": [wrong]})
    assert response.status_code == 302
    assert response.url == f"{lesson.url}#kc-{block_id}"
    assert _messages(response) == ["Not quite. Read the feedback and try again."]
    html = learner_client.get(lesson.url).content.decode()
    assert "Not quite yet." in html
    assert "Because it is wrong." in html
    assert "Because it is right." not in html

    learner_client.post(url, {"options": [right]})
    html = learner_client.get(lesson.url).content.decode()
    assert "Correct." in html
    assert "(attempt 2)" in html
    assert "Because it is right." in html
    assert "The explanation." in html
    answer = KnowledgeCheckAnswer.objects.get(learner=enrolled)
    assert (answer.is_correct, answer.attempts, answer.selected_option_ids) == (True, 2, [right])


@pytest.mark.django_db
def test_answer_without_option_shows_field_error(learner_client, enrolled, course):
    lesson = lessons_of(course)[0]
    block_id, _ids = _check(lesson)
    response = learner_client.post(f"/lessons/{lesson.pk}/checks/{block_id}/", {})
    assert response.status_code == 400
    html = response.content.decode()
    assert '<ul class="errorlist"' in html
    assert "Choose at least one option before checking your answer." in html
    assert not KnowledgeCheckAnswer.objects.exists()


@pytest.mark.django_db
def test_forged_option_is_refused(learner_client, enrolled, course):
    lesson = lessons_of(course)[0]
    block_id, _ids = _check(lesson)
    response = learner_client.post(
        f"/lessons/{lesson.pk}/checks/{block_id}/", {"options": ["not-an-option"]}
    )
    assert response.status_code == 400
    assert "That option is not part of this question." in response.content.decode()
    assert not KnowledgeCheckAnswer.objects.exists()


@pytest.mark.django_db
def test_unknown_block_or_lesson_is_404(learner_client, enrolled, course):
    lesson = lessons_of(course)[0]
    assert (
        learner_client.post(f"/lessons/{lesson.pk}/checks/nope/", {"options": ["x"]}).status_code
        == 404
    )
    assert learner_client.post("/lessons/99999/checks/nope/", {"options": ["x"]}).status_code == 404
    # A block that exists but is not a knowledge check.
    paragraph_id = lesson.body[0].id
    assert (
        learner_client.post(
            f"/lessons/{lesson.pk}/checks/{paragraph_id}/", {"options": ["x"]}
        ).status_code
        == 404
    )


@pytest.mark.django_db
def test_answer_when_not_enrolled_redirects(learner_client, course):
    lesson = lessons_of(course)[0]
    block_id, (right, _wrong) = _check(lesson)
    response = learner_client.post(f"/lessons/{lesson.pk}/checks/{block_id}/", {"options": [right]})
    assert response.status_code == 302
    assert response.url == course.url
    assert not KnowledgeCheckAnswer.objects.exists()


@pytest.mark.django_db
def test_anonymous_answer_goes_to_login(client, course):
    lesson = lessons_of(course)[0]
    block_id, (right, _wrong) = _check(lesson)
    response = client.post(f"/lessons/{lesson.pk}/checks/{block_id}/", {"options": [right]})
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
