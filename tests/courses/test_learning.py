"""Enrolment, lesson completion, knowledge checks, progress numbers and course completion."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from courses.blocks import option_ids
from courses.models import CourseExercise, CourseProgress, Enrolment, EnrolmentStatus
from courses.selectors import course_next_lesson, learner_course_progress, learner_dashboard
from courses.services import (
    NotEnrolledError,
    UnknownKnowledgeCheckError,
    enrolment_cancel,
    enrolment_create,
    exercise_score_record,
    knowledge_check_answer,
    lesson_complete,
)
from courses.signals import course_completed
from tests.factories import (
    ExerciseFactory,
    UserFactory,
    check_block,
    course_tree,
    lessons_of,
    publish_child,
)


def _check(lesson):
    child = next(c for c in lesson.body if c.block_type == "knowledge_check")
    return child.id, option_ids(child.value)


@pytest.fixture
def completions():
    received = []

    def receiver(sender, learner, course, **kwargs):
        received.append((learner.pk, course.pk))

    course_completed.connect(receiver)
    yield received
    course_completed.disconnect(receiver)


@pytest.mark.django_db
def test_enrolling_twice_keeps_one_active_enrolment(learner, course):
    first = enrolment_create(learner=learner, course=course)
    second = enrolment_create(learner=learner, course=course)
    assert first.pk == second.pk
    assert Enrolment.objects.filter(learner=learner).count() == 1
    assert second.status == EnrolmentStatus.ACTIVE
    assert second.progress.lessons_total == 4


@pytest.mark.django_db
def test_unenrolling_keeps_row_and_progress_and_reenrolling_resumes(enrolled, course):
    lesson = lessons_of(course)[0]
    lesson_complete(learner=enrolled, lesson=lesson)
    enrolment = enrolment_cancel(learner=enrolled, course=course)
    assert enrolment.status == EnrolmentStatus.UNENROLLED
    assert enrolment.unenrolled_at is not None
    assert CourseProgress.objects.get(enrolment=enrolment).lessons_done == 1
    with pytest.raises(NotEnrolledError):
        lesson_complete(learner=enrolled, lesson=lessons_of(course)[1])
    again = enrolment_create(learner=enrolled, course=course)
    assert again.pk == enrolment.pk
    assert again.status == EnrolmentStatus.ACTIVE
    assert again.unenrolled_at is None
    assert again.progress.lessons_done == 1


@pytest.mark.django_db
def test_cannot_enrol_in_unpublished_course(learner, course):
    course.unpublish()
    course.refresh_from_db()
    with pytest.raises(ValidationError):
        enrolment_create(learner=learner, course=course)


@pytest.mark.django_db
def test_progress_numbers_are_exact(enrolled, course):
    l1, l2, l3, _l4 = lessons_of(course)
    lesson_complete(learner=enrolled, lesson=l1)
    lesson_complete(learner=enrolled, lesson=l2)
    block_id, (right, wrong) = _check(l1)
    knowledge_check_answer(
        learner=enrolled, lesson=l1, block_id=block_id, selected_option_ids=[right]
    )
    block_id, (right, wrong) = _check(l3)
    knowledge_check_answer(
        learner=enrolled, lesson=l3, block_id=block_id, selected_option_ids=[wrong]
    )

    progress = learner_course_progress(learner=enrolled, course=course)
    assert (progress.lessons_done, progress.lessons_total) == (2, 4)
    assert (progress.checks_correct, progress.checks_total) == (1, 4)
    # mean of 2/4 lessons and 1/4 checks = 37.5%, floored
    assert progress.percent == 37
    assert progress.is_complete is False
    assert [(m.title, m.lessons_done, m.lessons_total, m.percent) for m in progress.modules] == [
        ("Module 1", 2, 2, 100),
        ("Module 2", 0, 2, 0),
    ]


@pytest.mark.django_db
def test_completing_a_lesson_twice_counts_once(enrolled, course):
    lesson = lessons_of(course)[0]
    lesson_complete(learner=enrolled, lesson=lesson)
    progress = lesson_complete(learner=enrolled, lesson=lesson)
    assert progress.lessons_done == 1
    assert progress.percent == 12  # (1/4 + 0/4) / 2


@pytest.mark.django_db
def test_single_answer_check_right_and_wrong(enrolled, course):
    lesson = lessons_of(course)[0]
    block_id, (right, wrong) = _check(lesson)
    wrong_result = knowledge_check_answer(
        learner=enrolled, lesson=lesson, block_id=block_id, selected_option_ids=[wrong]
    )
    assert wrong_result.is_correct is False
    both = knowledge_check_answer(
        learner=enrolled, lesson=lesson, block_id=block_id, selected_option_ids=[right, wrong]
    )
    assert both.is_correct is False
    result = knowledge_check_answer(
        learner=enrolled, lesson=lesson, block_id=block_id, selected_option_ids=[right]
    )
    assert result.is_correct is True
    assert result.answer.attempts == 3
    assert result.answer.selected_option_ids == [right]
    assert result.progress.checks_correct == 1


@pytest.fixture
def multi_answer_lesson(course):
    module = course.get_children().first()
    from courses.models import LessonPage

    return publish_child(
        module,
        LessonPage(
            title="Multi",
            slug="multi",
            body=[
                check_block(
                    question="Pick the prioritisation methods",
                    options=(
                        ("RICE", True, "RICE scores reach, impact, confidence, effort."),
                        ("MoSCoW", True, "MoSCoW sorts into must, should, could, won't."),
                        ("Gantt", False, "A Gantt chart schedules work; it does not rank it."),
                    ),
                )
            ],
        ),
    )


@pytest.mark.django_db
def test_multiple_right_answers_need_all_of_them(enrolled, multi_answer_lesson):
    block_id, (rice, moscow, gantt) = _check(multi_answer_lesson)
    ask = lambda ids: knowledge_check_answer(  # noqa: E731
        learner=enrolled, lesson=multi_answer_lesson, block_id=block_id, selected_option_ids=ids
    )
    assert ask([rice]).is_correct is False
    assert ask([rice, moscow, gantt]).is_correct is False
    assert ask([moscow, rice]).is_correct is True


@pytest.mark.django_db
def test_option_ids_survive_reordering(enrolled, multi_answer_lesson):
    block_id, (rice, moscow, gantt) = _check(multi_answer_lesson)
    lesson = multi_answer_lesson
    check = lesson.knowledge_check(block_id)
    items = list(check.value["options"].bound_blocks)
    raw = lesson.body.raw_data
    raw[0]["value"]["options"] = [
        {"type": "item", "id": b.id, "value": dict(b.value)} for b in reversed(items)
    ]
    lesson.body = raw
    lesson.save_revision().publish()
    lesson.refresh_from_db()
    new_block_id, new_ids = _check(lesson)
    assert new_block_id == block_id
    assert new_ids == [gantt, moscow, rice]
    assert knowledge_check_answer(
        learner=enrolled, lesson=lesson, block_id=block_id, selected_option_ids=[rice, moscow]
    ).is_correct


@pytest.mark.django_db
def test_bad_knowledge_check_input_is_refused(enrolled, course):
    lesson = lessons_of(course)[0]
    block_id, _ids = _check(lesson)
    with pytest.raises(ValidationError):
        knowledge_check_answer(
            learner=enrolled, lesson=lesson, block_id=block_id, selected_option_ids=[]
        )
    with pytest.raises(ValidationError):
        knowledge_check_answer(
            learner=enrolled, lesson=lesson, block_id=block_id, selected_option_ids=["forged"]
        )
    with pytest.raises(UnknownKnowledgeCheckError):
        knowledge_check_answer(
            learner=enrolled, lesson=lesson, block_id="missing", selected_option_ids=["x"]
        )
    stranger = UserFactory()
    with pytest.raises(NotEnrolledError):
        knowledge_check_answer(
            learner=stranger, lesson=lesson, block_id=block_id, selected_option_ids=_ids[:1]
        )


@pytest.mark.django_db
def test_course_completes_once_and_signal_is_sent_once(
    enrolled, course, completions, django_capture_on_commit_callbacks
):
    lessons = lessons_of(course)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for lesson in lessons[:3]:
            lesson_complete(learner=enrolled, lesson=lesson)
    assert callbacks == []
    assert completions == []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        progress = lesson_complete(learner=enrolled, lesson=lessons[3])
    assert progress.completed_at is not None
    assert callbacks  # the signal waits for the commit
    assert completions == [(enrolled.pk, course.pk)]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        lesson_complete(learner=enrolled, lesson=lessons[3])
        block_id, (right, _wrong) = _check(lessons[0])
        knowledge_check_answer(
            learner=enrolled, lesson=lessons[0], block_id=block_id, selected_option_ids=[right]
        )
    assert callbacks == []
    assert completions == [(enrolled.pk, course.pk)]
    # 4/4 lessons, 1/4 checks: complete does not mean every check was answered right.
    assert learner_course_progress(learner=enrolled, course=course).percent == 62


@pytest.mark.django_db
def test_optional_lessons_are_not_needed_to_complete(
    enrolled, course, completions, django_capture_on_commit_callbacks
):
    lessons = lessons_of(course)
    for lesson in lessons[2:]:
        lesson.required = False
        lesson.save_revision().publish()
    with django_capture_on_commit_callbacks(execute=True):
        lesson_complete(learner=enrolled, lesson=lessons[0])
        progress = lesson_complete(learner=enrolled, lesson=lessons[1])
    assert progress.is_complete
    assert completions == [(enrolled.pk, course.pk)]


@pytest.mark.django_db
def test_exercise_share_gates_completion(
    enrolled, course, completions, django_capture_on_commit_callbacks
):
    rice, kano = ExerciseFactory(slug="rice"), ExerciseFactory(slug="kano")
    CourseExercise.objects.create(
        course=course, exercise=rice, title="RICE", max_points=Decimal(10)
    )
    CourseExercise.objects.create(
        course=course, exercise=kano, title="Kano", max_points=Decimal(10)
    )
    course.pass_exercise_percent = 60
    course.save_revision().publish()
    with django_capture_on_commit_callbacks(execute=True):
        for lesson in lessons_of(course):
            lesson_complete(learner=enrolled, lesson=lesson)
        exercise_score_record(
            learner=enrolled,
            course=course,
            exercise=rice,
            points=Decimal(4),
            max_points=Decimal(5),
        )
    progress = CourseProgress.objects.get(enrolment__learner=enrolled)
    assert (progress.exercise_points, progress.exercise_max_points) == (
        Decimal("8.00"),
        Decimal("20.00"),
    )
    assert progress.completed_at is None  # 40% < 60%
    assert completions == []
    with django_capture_on_commit_callbacks(execute=True):
        # The counted score is whatever grading says counts (e.g. the last attempt): it can go down.
        exercise_score_record(
            learner=enrolled,
            course=course,
            exercise=rice,
            points=Decimal(1),
            max_points=Decimal(5),
        )
        exercise_score_record(
            learner=enrolled,
            course=course,
            exercise=kano,
            points=Decimal(4),
            max_points=Decimal(4),
        )
    progress.refresh_from_db()
    assert progress.exercise_points == Decimal("12.00")
    assert progress.completed_at is not None  # 60% >= 60%
    # lessons 4/4, checks 0/4, exercises 12/20 -> (1 + 0 + 0.6) / 3 = 53%
    assert progress.percent == 53
    with django_capture_on_commit_callbacks(execute=True):
        # An override that lowers a score lowers progress, but completion, once earned, stays.
        exercise_score_record(
            learner=enrolled, course=course, exercise=kano, points=Decimal(0), max_points=Decimal(4)
        )
    progress.refresh_from_db()
    assert progress.exercise_points == Decimal("2.00")
    assert progress.completed_at is not None
    assert completions == [(enrolled.pk, course.pk)]


@pytest.mark.django_db
def test_exercise_score_requires_enrolment_and_sane_points(learner, course):
    exercise = ExerciseFactory()
    with pytest.raises(NotEnrolledError):
        exercise_score_record(
            learner=learner, course=course, exercise=exercise, points=1, max_points=2
        )
    enrolment_create(learner=learner, course=course)
    with pytest.raises(ValidationError):
        exercise_score_record(
            learner=learner, course=course, exercise=exercise, points=3, max_points=2
        )


@pytest.mark.django_db
def test_next_lesson_continues_where_the_learner_left_off(learner_client, enrolled, course):
    l1, l2, l3, l4 = lessons_of(course)
    assert course_next_lesson(learner=enrolled, course=course).pk == l1.pk
    learner_client.get(l3.url)
    assert course_next_lesson(learner=enrolled, course=course).pk == l3.pk
    lesson_complete(learner=enrolled, lesson=l3)
    assert course_next_lesson(learner=enrolled, course=course).pk == l4.pk
    lesson_complete(learner=enrolled, lesson=l4)
    assert course_next_lesson(learner=enrolled, course=course).pk == l1.pk
    for lesson in (l1, l2):
        lesson_complete(learner=enrolled, lesson=lesson)
    assert course_next_lesson(learner=enrolled, course=course) is None


@pytest.mark.django_db
def test_dashboard_selector(enrolled, course, catalog):
    other = course_tree(catalog, slug="other", title="Other", modules=1, lessons_per_module=1)
    enrolment_create(learner=enrolled, course=other)
    enrolment_cancel(learner=enrolled, course=other)
    lesson_complete(learner=enrolled, lesson=lessons_of(course)[0])
    dashboard = learner_dashboard(learner=enrolled)
    assert [
        (e.course.title, e.lessons_done, e.lessons_total, e.percent) for e in dashboard.active
    ] == [("Foundations", 1, 4, 12)]
    assert dashboard.active[0].next_lesson.pk == lessons_of(course)[1].pk
    assert [e.course.title for e in dashboard.unenrolled] == ["Other"]
