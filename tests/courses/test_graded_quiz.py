"""Graded quizzes: attempt limits, a stable draw from a pool, shuffled options graded by id, and
right answers kept out of every response until the quiz reveals them.

The quiz lesson is the course's last lesson, with five questions of which each learner answers
three (tests/factories.quiz_block: AN is the right option of question N). Learners get
fixed primary keys, so their draws are exact values: learner 1001 answers questions 2, 4 and 5,
learner 1002 questions 1, 3 and 4.
"""

import re
from datetime import UTC, datetime

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from courses.blocks import QuizBlock
from courses.models import CourseProgress, LessonPage, QuizAttempt
from courses.quizzes import (
    QuizClosure,
    QuizSettings,
    option_order,
    quiz_closure,
    quiz_draw,
    quiz_reveals,
    quiz_seed,
)
from courses.selectors import quiz_preview
from courses.services import (
    QuizClosedError,
    enrolment_create,
    knowledge_check_answer,
    lesson_complete,
    quiz_attempt_submit,
)
from tests.factories import UserFactory, lesson_body, lessons_of, quiz_block

pytestmark = pytest.mark.django_db

BLOCK_ID = "quiz-1"
QUESTIONS = [f"q{n}" for n in range(1, 6)]
DRAWS = {1001: ["q2", "q4", "q5"], 1002: ["q1", "q3", "q4"]}
# What appears in a page only once the quiz shows its answers.
REVEALING = (
    "Correct.",
    "Not correct.",
    "Right answer.",
    "Not right.",
    "kc__option--right",
    "kc__option--wrong",
    "quiz__outcome",
    "Feedback on",
    "Explanation ",
)


def republish(lesson: LessonPage, **changes) -> LessonPage:
    lesson = LessonPage.objects.get(pk=lesson.pk)
    for name, value in changes.items():
        setattr(lesson, name, value)
    lesson.save_revision().publish()
    return LessonPage.objects.get(pk=lesson.pk)


def make_quiz_lesson(course, **quiz) -> LessonPage:
    lesson = lessons_of(course)[-1]
    body = [*lesson_body(checks=0), quiz_block(5, per_learner=3, block_id=BLOCK_ID, **quiz)]
    return republish(lesson, body=body, pass_check_percent=60)


@pytest.fixture
def quiz_lesson(course):
    return make_quiz_lesson(course)


def learner_in(course, pk: int):
    learner = UserFactory(pk=pk)
    enrolment_create(learner=learner, course=course)
    return learner


@pytest.fixture
def ann(course):
    return learner_in(course, 1001)


@pytest.fixture
def bob(course):
    return learner_in(course, 1002)


def url_of(lesson) -> str:
    return reverse("knowledge_check_answer", args=[lesson.pk, BLOCK_ID])


def answers(draw: list[str], wrong: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """The right option of every drawn question, except option B for the questions in `wrong`."""
    return {q: [f"{q}b" if q in wrong else f"{q}a"] for q in draw}


def form(chosen: dict[str, list[str]]) -> dict[str, list[str]]:
    return {"questions": list(chosen), **{f"q-{q}": ids for q, ids in chosen.items()}}


def messages_of(response) -> list[str]:
    """The messages a response carries; following its redirect shows (and so uses) them up."""
    found = [str(message) for message in get_messages(response.wsgi_request)]
    if response.status_code == 302:
        response.client.get(response.url)
    return found


def page_html(client, lesson) -> str:
    response = client.get(lesson.url)
    assert response.status_code == 200
    return response.content.decode()


def quiz_html(client, lesson) -> str:
    page = page_html(client, lesson)
    start = page.index(f'id="quiz-{BLOCK_ID}"')
    return page[start : page.index("</section>", start)]


def asked(html: str) -> list[str]:
    return [f"q{n}" for n in re.findall(r"Quiz question (\d)\?", html)]


def options_shown(html: str, question: str) -> list[str]:
    return re.findall(rf'name="q-{question}" value="({question}[abc])"', html)


def assert_nothing_revealed(html: str) -> None:
    assert [marker for marker in REVEALING if marker in html] == []


# The draw and the order of options ----------------------------------------------------------


def test_the_draw_and_the_option_order_are_exact_for_a_fixed_seed():
    seed = quiz_seed(learner_id=1001, block_id=BLOCK_ID)
    assert seed == "1001:quiz-1"
    assert quiz_draw(seed=seed, question_ids=QUESTIONS, count=3) == ["q2", "q4", "q5"]
    assert quiz_draw(seed="1002:quiz-1", question_ids=QUESTIONS, count=3) == ["q1", "q3", "q4"]
    assert quiz_draw(seed="1001:quiz-2", question_ids=QUESTIONS, count=3) == ["q1", "q2", "q4"]
    # Every question when the draw is the whole pool, in the instructor's order.
    assert quiz_draw(seed=seed, question_ids=QUESTIONS, count=5) == QUESTIONS
    assert option_order(seed=seed, question_id="q5", option_ids=["q5a", "q5b", "q5c"]) == [
        "q5b",
        "q5c",
        "q5a",
    ]
    assert option_order(seed="1002:quiz-1", question_id="q1", option_ids=["q1a", "q1b", "q1c"]) == [
        "q1c",
        "q1b",
        "q1a",
    ]


def test_adding_a_question_to_the_pool_moves_at_most_one_question_of_a_draw():
    seed = quiz_seed(learner_id=1001, block_id=BLOCK_ID)
    before = quiz_draw(seed=seed, question_ids=QUESTIONS, count=3)
    after = quiz_draw(seed=seed, question_ids=[*QUESTIONS, "q6"], count=3)
    assert len(set(before) - set(after)) <= 1


def test_each_learner_sees_their_own_draw_and_option_order_on_every_reload(
    client, quiz_lesson, ann, bob
):
    client.force_login(ann)
    first = quiz_html(client, quiz_lesson)
    assert asked(first) == DRAWS[1001]
    assert options_shown(first, "q5") == ["q5b", "q5c", "q5a"]
    again = quiz_html(client, quiz_lesson)
    assert asked(again) == DRAWS[1001]
    assert options_shown(again, "q5") == ["q5b", "q5c", "q5a"]

    page = page_html(client, quiz_lesson)
    assert "Lesson 4 of 4" in page and "Lesson 2.2" in page

    client.force_login(bob)
    theirs = quiz_html(client, quiz_lesson)
    assert asked(theirs) == DRAWS[1002]
    assert [options_shown(theirs, q) for q in DRAWS[1002]] == [
        ["q1c", "q1b", "q1a"],
        ["q3c", "q3b", "q3a"],
        ["q4b", "q4c", "q4a"],
    ]
    assert (
        "3 questions, drawn for you from a pool of 5: you get the same ones every time." in theirs
    )


def test_shuffled_options_are_graded_by_what_was_chosen_not_where_it_stood(
    client, quiz_lesson, bob
):
    client.force_login(bob)
    # Bob sees every right option (AN) last; choosing it is right wherever it stands.
    html = quiz_html(client, quiz_lesson)
    assert [options_shown(html, q)[-1] for q in DRAWS[1002]] == ["q1a", "q3a", "q4a"]
    response = client.post(url_of(quiz_lesson), form(answers(DRAWS[1002], wrong=("q3",))))
    assert response.status_code == 302
    attempt = QuizAttempt.objects.get(learner=bob)
    assert (attempt.number, attempt.correct, attempt.total) == (1, 2, 3)
    assert attempt.answers == [
        {"question": "q1", "selected": ["q1a"], "correct": True},
        {"question": "q3", "selected": ["q3b"], "correct": False},
        {"question": "q4", "selected": ["q4a"], "correct": True},
    ]


# Attempts and what the page shows ----------------------------------------------------------


def test_the_attempt_limit_holds_over_http_with_exact_messages(client, quiz_lesson, ann):
    client.force_login(ann)
    url, draw = url_of(quiz_lesson), DRAWS[1001]
    before = quiz_html(client, quiz_lesson)
    assert "3 attempts; your best score counts." in before
    assert "To pass, get at least 2 of 3 right." in before
    assert "Submit attempt 1 of 3" in before

    first = client.post(url, form(answers(draw, wrong=("q2", "q4"))))
    assert first.status_code == 302
    assert first.url == f"{quiz_lesson.url}#quiz-{BLOCK_ID}"
    assert messages_of(first) == [
        "Attempt 1 of 3 recorded: 1 of 3 right. You have 2 attempts left; your best score counts."
    ]
    second = client.post(url, form(answers(draw, wrong=("q4",))))
    assert messages_of(second) == [
        "Attempt 2 of 3 recorded: 2 of 3 right. You have 1 attempt left; your best score counts."
    ]
    html = quiz_html(client, quiz_lesson)
    assert "Your best score so far: 2 of 3." in html and "You have 1 attempt left." in html
    assert "Submit attempt 3 of 3" in html
    third = client.post(url, form(answers(draw, wrong=("q2", "q4", "q5"))))
    assert messages_of(third) == [
        "Attempt 3 of 3 recorded: 0 of 3 right. That was your last attempt: your best score, "
        "2 of 3, stands."
    ]

    refused = client.post(url, form(answers(draw)))
    assert refused.status_code == 302
    assert messages_of(refused) == [
        "You have used all 3 attempts at this quiz; your best score stands."
    ]
    assert list(
        QuizAttempt.objects.filter(learner=ann).order_by("number").values_list("number", "correct")
    ) == [(1, 1), (2, 2), (3, 0)]
    closed = quiz_html(client, quiz_lesson)
    assert "<form" not in closed and "Submit attempt" not in closed
    assert "You have used all 3 attempts." in closed
    assert "Your best score, 2 of 3 (attempt 2), stands." in closed


def test_before_the_last_attempt_no_response_says_which_option_is_right(client, quiz_lesson, ann):
    client.force_login(ann)
    assert_nothing_revealed(page_html(client, quiz_lesson))
    response = client.post(url_of(quiz_lesson), form(answers(DRAWS[1001], wrong=("q4",))))
    assert response.content == b""
    assert_nothing_revealed(" ".join(messages_of(response)))
    html = page_html(client, quiz_lesson)
    assert_nothing_revealed(html)
    # The last attempt's choices stay ticked, with nothing to tell right from wrong.
    assert re.findall(r'value="(q\d[abc])" checked', html) == ["q2a", "q4b", "q5a"]
    assert "Attempt 1: 2 of 3 right" in html
    assert (
        "After each attempt you see your score, not which answers were right. The right answers "
        "are shown after your last attempt."
    ) in html


def test_after_the_last_attempt_the_right_answers_show_with_the_best_attempt(
    client, quiz_lesson, ann
):
    client.force_login(ann)
    url, draw = url_of(quiz_lesson), DRAWS[1001]
    client.post(url, form(answers(draw, wrong=("q2", "q4"))))
    client.post(url, form(answers(draw, wrong=("q5",))))
    client.post(url, form(answers(draw, wrong=("q2", "q4", "q5"))))

    html = quiz_html(client, quiz_lesson)
    assert "The right answers are marked below, with your choices in attempt 2." in html
    assert asked(html) == draw
    assert html.count("Right answer.") == 3 and html.count("Not right.") == 6
    assert re.findall(r"<strong>(Correct\.|Not correct\.)</strong>", html) == [
        "Correct.",
        "Correct.",
        "Not correct.",
    ]
    assert "You chose it. Feedback on B5." in html
    assert "Feedback on A2." in html and "Explanation 5." in html
    assert re.findall(r'kc__option--right">\s*<label>\s*<input[^>]*value="(q\d[abc])"', html) == [
        "q2a",
        "q4a",
        "q5a",
    ]


def test_with_a_due_date_reveal_the_answers_wait_for_the_due_date(client, course):
    lesson = make_quiz_lesson(
        course, max_attempts=1, reveal="after_due_date", due_at="2030-03-01T17:00:00+00:00"
    )
    ann, bob = learner_in(course, 1001), learner_in(course, 1002)
    url = url_of(lesson)
    with freeze_time("2030-02-01 12:00:00"):
        client.force_login(ann)  # a session started in the frozen time
        response = client.post(url, form(answers(DRAWS[1001], wrong=("q4",))))
        assert messages_of(response) == [
            "Attempt 1 of 1 recorded: 2 of 3 right. That was your last attempt: your best score, "
            "2 of 3, stands."
        ]
        html = quiz_html(client, lesson)
        assert_nothing_revealed(html)
        assert "The right answers are shown after March 1, 2030, 5 p.m." in html
        assert "Due March 1, 2030, 5 p.m.: no attempts are accepted after that." in html

    with freeze_time("2030-03-01 17:00:00"):
        client.force_login(ann)
        html = quiz_html(client, lesson)
        assert "This quiz closed on March 1, 2030, 5 p.m." in html
        assert html.count("Right answer.") == 3
        assert "Your best score, 2 of 3 (attempt 1), stands." in html
        # A learner who never tried cannot send an attempt now that the answers are out.
        client.force_login(bob)
        refused = client.post(url, form(answers(DRAWS[1002])))
        assert messages_of(refused) == [
            "This quiz closed on March 1, 2030, 5 p.m.; your best score stands."
        ]
        assert not QuizAttempt.objects.filter(learner=bob).exists()
        html = quiz_html(client, lesson)
        assert "You made no attempt." in html and "The right answers are marked below." in html


def test_an_unanswered_question_records_nothing_and_keeps_the_choices(client, quiz_lesson, ann):
    client.force_login(ann)
    chosen = {"q2": ["q2b"], "q4": [], "q5": ["q5a"]}
    response = client.post(url_of(quiz_lesson), form(chosen))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Answer every question before you submit; this attempt was not recorded." in html
    assert re.findall(r'<ul class="errorlist" id="quiz-quiz-1-(\d)-error"><li>([^<]*)<', html) == [
        ("2", "Choose at least one option.")
    ]
    assert re.findall(r'value="(q\d[abc])" checked', html) == ["q2b", "q5a"]
    assert_nothing_revealed(html)
    assert not QuizAttempt.objects.exists()


def test_answers_to_other_questions_than_the_draw_are_refused(client, quiz_lesson, ann):
    client.force_login(ann)
    # Questions 1 to 3 are not Ann's draw: picking easy questions is not allowed.
    response = client.post(url_of(quiz_lesson), form(answers(["q1", "q2", "q3"])))
    assert response.status_code == 302
    assert messages_of(response) == [
        "This quiz changed since you opened it, so your answers were not recorded. Please "
        "answer the questions shown now."
    ]
    assert not QuizAttempt.objects.exists()


def test_a_learner_not_enrolled_cannot_send_an_attempt(client, quiz_lesson):
    outsider = UserFactory()
    client.force_login(outsider)
    response = client.post(url_of(quiz_lesson), form(answers(["q1", "q2", "q3"])))
    assert response.status_code == 302
    assert messages_of(response) == ["You are not enrolled in this course."]
    assert not QuizAttempt.objects.exists()


# The services and rules on their own --------------------------------------------------------


def test_the_service_refuses_after_the_limit_and_an_attempt_number_is_taken_once(quiz_lesson, ann):
    for _ in range(3):
        quiz_attempt_submit(
            learner=ann, lesson=quiz_lesson, block_id=BLOCK_ID, answers=answers(DRAWS[1001])
        )
    with pytest.raises(QuizClosedError) as refused:
        quiz_attempt_submit(
            learner=ann, lesson=quiz_lesson, block_id=BLOCK_ID, answers=answers(DRAWS[1001])
        )
    assert refused.value.closure == QuizClosure.ATTEMPTS_USED
    assert QuizAttempt.objects.filter(learner=ann).count() == 3
    # Two requests racing for the same attempt cannot both be written.
    with pytest.raises(IntegrityError), transaction.atomic():
        QuizAttempt.objects.create(
            learner=ann,
            lesson=quiz_lesson,
            block_id=BLOCK_ID,
            number=3,
            correct=0,
            total=3,
            submitted_at=timezone.now(),
        )


def test_bad_options_are_refused_per_question(quiz_lesson, ann):
    with pytest.raises(ValidationError) as refused:
        quiz_attempt_submit(
            learner=ann,
            lesson=quiz_lesson,
            block_id=BLOCK_ID,
            answers={"q2": ["q1a"], "q4": [], "q5": ["q5a"]},
        )
    assert refused.value.message_dict == {
        "q2": ["That option is not part of this question."],
        "q4": ["Choose at least one option."],
    }
    assert not QuizAttempt.objects.exists()


def test_closure_and_reveal_rules():
    due = datetime(2030, 3, 1, 17, tzinfo=UTC)
    before, after = datetime(2030, 2, 1, tzinfo=UTC), datetime(2030, 3, 2, tzinfo=UTC)
    last = QuizSettings(
        pool_size=5, question_count=3, max_attempts=2, reveal="after_last_attempt", due_at=None
    )
    assert quiz_closure(settings=last, attempts_used=1, now=before) is None
    assert quiz_closure(settings=last, attempts_used=2, now=before) == QuizClosure.ATTEMPTS_USED
    assert [quiz_reveals(settings=last, attempts_used=n, now=before) for n in (0, 1, 2)] == [
        False,
        False,
        True,
    ]
    by_date = QuizSettings(
        pool_size=5, question_count=3, max_attempts=2, reveal="after_due_date", due_at=due
    )
    assert quiz_closure(settings=by_date, attempts_used=0, now=after) == QuizClosure.PAST_DUE
    assert quiz_reveals(settings=by_date, attempts_used=2, now=before) is False
    assert quiz_reveals(settings=by_date, attempts_used=0, now=due) is True


# Pass rules and progress ----------------------------------------------------------------------


def test_the_best_attempt_counts_for_the_lesson_pass_share(course, quiz_lesson, ann):
    for lesson in lessons_of(course):
        lesson_complete(learner=ann, lesson=lesson)
        for child in lesson.body:
            if child.block_type == "knowledge_check":
                right = [o.id for o in child.value["options"].bound_blocks if o.value["is_correct"]]
                knowledge_check_answer(
                    learner=ann, lesson=lesson, block_id=child.id, selected_option_ids=right
                )
    progress = CourseProgress.objects.get(enrolment__learner=ann)
    # Three lessons keep one check each; the quiz lesson asks three questions of each learner.
    assert (progress.checks_correct, progress.checks_total, progress.is_complete) == (3, 6, False)

    submit = lambda wrong: quiz_attempt_submit(  # noqa: E731
        learner=ann, lesson=quiz_lesson, block_id=BLOCK_ID, answers=answers(DRAWS[1001], wrong)
    )
    assert submit(("q2", "q4")).progress.is_complete is False  # 1 of 3, below 60%
    result = submit(("q4",))  # 2 of 3 reaches 60%
    assert (result.progress.checks_correct, result.progress.is_complete) == (5, True)
    worse = submit(("q2", "q4", "q5"))
    assert (worse.best.number, worse.progress.checks_correct) == (2, 5)


def test_old_answers_to_checks_that_became_a_quiz_do_not_pass_it(course, ann):
    lesson = lessons_of(course)[-1]
    check = next(child for child in lesson.body if child.block_type == "knowledge_check")
    right = [o.id for o in check.value["options"].bound_blocks if o.value["is_correct"]]
    knowledge_check_answer(learner=ann, lesson=lesson, block_id=check.id, selected_option_ids=right)
    make_quiz_lesson(course)
    for each in lessons_of(course):
        progress = lesson_complete(learner=ann, lesson=each)
    assert (progress.checks_correct, progress.checks_total, progress.is_complete) == (0, 6, False)


def test_a_pass_share_needs_a_graded_quiz(course):
    lesson = lessons_of(course)[0]
    lesson.pass_check_percent = 80
    with pytest.raises(ValidationError) as refused:
        lesson.full_clean()
    assert refused.value.message_dict["pass_check_percent"] == [
        "Add a graded quiz to the lesson, or leave this empty. Knowledge checks give instant "
        "feedback and unlimited tries, so they cannot decide completion."
    ]
    lesson.body = [*lesson_body(checks=1), quiz_block(2)]
    lesson.full_clean()
    lesson.save()
    assert (lesson.knowledge_check_count, lesson.quiz_question_count) == (1, 2)


def test_the_quiz_block_refuses_a_draw_bigger_than_the_pool_and_a_due_reveal_without_a_date():
    block = QuizBlock()
    value = block.to_python(quiz_block(2, per_learner=3, reveal="after_due_date")["value"])
    with pytest.raises(ValidationError) as refused:
        block.clean(value)
    errors = refused.value.block_errors
    assert [str(m) for m in errors["questions_per_learner"].messages] == [
        "There are only 2 questions to draw from."
    ]
    assert [str(m) for m in errors["due_at"].messages] == [
        "Set a due date, or show the answers after the learner's last attempt."
    ]


def test_the_admin_preview_shows_the_questions_and_keeps_the_answers(quiz_lesson):
    block = QuizBlock()
    value = block.to_python(quiz_block(5, per_learner=3)["value"])
    html = block.render(value)
    assert asked(html) == quiz_draw(seed="preview:", question_ids=QUESTIONS, count=3)
    assert_nothing_revealed(html)
    assert "Submit attempt" not in html
    assert quiz_preview(value=value, block_id="").revealed is False


# Knowledge checks stay as they were --------------------------------------------------------


def test_an_ungraded_knowledge_check_still_gives_instant_feedback(client, course, quiz_lesson, ann):
    lesson = lessons_of(course)[0]
    check = next(child for child in lesson.body if child.block_type == "knowledge_check")
    wrong, right = (
        [o.id for o in check.value["options"].bound_blocks if not o.value["is_correct"]],
        [o.id for o in check.value["options"].bound_blocks if o.value["is_correct"]],
    )
    client.force_login(ann)
    url = reverse("knowledge_check_answer", args=[lesson.pk, check.id])
    assert messages_of(client.post(url, {"options": wrong})) == [
        "Not quite. Read the feedback and try again."
    ]
    assert messages_of(client.post(url, {"options": right})) == ["Correct!"]
    html = page_html(client, lesson)
    assert "<strong>Correct.</strong> You chose exactly the right options (attempt 2)." in html
    assert "Because it is right." in html and "Check again" in html


def test_a_quiz_lesson_costs_one_query_more_than_a_plain_one(
    client, quiz_lesson, ann, django_assert_num_queries
):
    client.force_login(ann)
    quiz_attempt_submit(
        learner=ann, lesson=quiz_lesson, block_id=BLOCK_ID, answers=answers(DRAWS[1001])
    )
    client.get(quiz_lesson.url)
    # user, unread notifications (header), lesson, enrolment with course and progress,
    # completions, the learner's attempts.
    with django_assert_num_queries(6):
        assert client.get(quiz_lesson.url).status_code == 200


def test_the_lesson_editor_shows_the_quiz_settings(client, quiz_lesson):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.get(reverse("wagtailadmin_pages:edit", args=[quiz_lesson.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert all(label in html for label in ("Questions per learner", "Attempts allowed", "Due date"))
