"""Reads for course pages, lessons and the learner dashboard, shaped for templates.

Every selector here runs a fixed number of queries, whatever the size of a course.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cached_property, reduce
from operator import or_

from django.db.models import (
    BooleanField,
    CharField,
    Exists,
    F,
    IntegerField,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.lookups import StartsWith
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from wagtail.models import Page, PageViewRestriction

from accounts.admin_access import can_access_admin

from .blocks import quiz_questions
from .caching import PERSONAL_BLOCK_TYPES, remembered
from .models import (
    CourseIndexPage,
    CoursePage,
    CourseProgress,
    Enrolment,
    EnrolmentStatus,
    HomeFeaturedCourse,
    HomePage,
    KnowledgeCheckAnswer,
    LessonCompletion,
    LessonPage,
    ModulePage,
    QuizAttempt,
    Skill,
)
from .progress import exercises_waiting_for_review
from .quizzes import (
    QuizClosure,
    QuizReveal,
    QuizSettings,
    option_order,
    pass_needed,
    quiz_closure,
    quiz_drawn_question_ids,
    quiz_reveals,
    quiz_seed,
)


@dataclass(frozen=True)
class OutlineLesson:
    lesson: LessonPage
    done: bool
    number: int


@dataclass(frozen=True)
class OutlineModule:
    module: ModulePage
    lessons: list[OutlineLesson]

    @property
    def lessons_done(self) -> int:
        return sum(1 for item in self.lessons if item.done)

    @property
    def lessons_total(self) -> int:
        return len(self.lessons)

    @property
    def percent(self) -> int:
        return self.lessons_done * 100 // self.lessons_total if self.lessons else 0


@dataclass(frozen=True)
class ModuleProgress:
    module_id: int
    title: str
    lessons_done: int
    lessons_total: int
    percent: int


@dataclass(frozen=True)
class LearnerCourseProgress:
    """Overall progress (as last stored by progress_recompute) and progress per module."""

    percent: int
    lessons_done: int
    lessons_total: int
    checks_correct: int
    checks_total: int
    exercise_points: Decimal
    exercise_max_points: Decimal
    completed_at: datetime | None
    modules: list[ModuleProgress] = field(default_factory=list)

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None


@dataclass(frozen=True)
class DashboardEntry:
    enrolment: Enrolment
    course: CoursePage
    percent: int
    lessons_done: int
    lessons_total: int
    is_complete: bool
    next_lesson: LessonPage | None


@dataclass(frozen=True)
class Dashboard:
    active: list[DashboardEntry]
    unenrolled: list[DashboardEntry]


def enrolment_for(*, learner, course: CoursePage) -> Enrolment | None:
    # An unsaved course is an admin preview of a page being created: nobody is enrolled yet.
    if not learner.is_authenticated or course.pk is None:
        return None
    return (
        Enrolment.objects.filter(learner=learner, course=course).select_related("progress").first()
    )


def active_enrolment(*, learner, course: CoursePage) -> Enrolment | None:
    """The learner's enrolment in the course when it is active, else None: the one enrolment rule
    for what only enrolled learners may see and do (courses.services.exercise_submit and the
    exercise pages use it; LessonPage.serve records views only for it)."""
    enrolment = enrolment_for(learner=learner, course=course)
    return enrolment if enrolment is not None and enrolment.is_active else None


def enrolment_for_lesson(*, learner, lesson: LessonPage) -> Enrolment | None:
    """The learner's enrolment in the lesson's course, with the course and stored progress."""
    if not learner.is_authenticated or lesson.pk is None:
        return None
    # Lessons sit two levels under their course (parent_page_types), so its path is a prefix.
    course_path = lesson.path[: -2 * Page.steplen]
    return (
        Enrolment.objects.filter(learner=learner, course__path=course_path)
        .select_related("course", "progress")
        .first()
    )


def learner_can_edit_course(*, user, course: CoursePage) -> bool:
    """Instructors of the course (through Wagtail page permissions) and superusers."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    # Nobody edits pages without the admin; that answer is remembered between requests, so
    # learners cost no permission queries.
    if not can_access_admin(user):
        return False
    return course.permissions_for_user(user).can_edit()


def view_restricted() -> Exists:
    """An annotation: does a view restriction apply to the page in the outer query?

    A restriction applies to its page, the page's descendants, and to aliases of either (Wagtail
    checks the source of an alias). One subquery instead of Wagtail's two queries per page.
    """
    target = OuterRef("path")
    return Exists(
        PageViewRestriction.objects.filter(
            Q(StartsWith(target, F("page__path"))) | Q(StartsWith(target, F("page__aliases__path")))
        )
    )


def _public(pages: QuerySet) -> QuerySet:
    # Wagtail's `.public()` loads every restriction first; this asks the database once.
    return pages.filter(~view_restricted())


def catalog_courses(
    *, catalog: CourseIndexPage, level: str | None = None, skill: Skill | None = None
) -> QuerySet[CoursePage]:
    courses = _public(CoursePage.objects.live().child_of(catalog))
    if level:
        courses = courses.filter(level=level)
    if skill is not None:
        courses = courses.filter(skills=skill)
    return _with_card_data(courses).order_by("title")


def _with_card_data(courses: QuerySet[CoursePage]) -> QuerySet[CoursePage]:
    """What a course card shows, in a fixed number of queries: logo, its renditions, skills."""
    return courses.select_related("logo").prefetch_related("skills", "logo__renditions")


def home_featured_courses(*, home: HomePage, limit: int = 3) -> list[CoursePage]:
    """The courses the home page features, or the newest ones when none are chosen."""
    chosen = [
        item.course
        for item in HomeFeaturedCourse.objects.filter(home=home, course__live=True)
        .select_related("course", "course__logo")
        .prefetch_related("course__skills", "course__logo__renditions")
        .order_by("sort_order")
    ]
    if chosen:
        return chosen
    return list(
        _with_card_data(_public(CoursePage.objects.live().descendant_of(home))).order_by(
            "-first_published_at"
        )[:limit]
    )


def _course_lessons(*, course: CoursePage) -> list[LessonPage]:
    return list(
        LessonPage.objects.live().descendant_of(course).defer_streamfields().order_by("path")
    )


@dataclass(frozen=True)
class CourseNavigation:
    """A course's live modules and lessons in order: the same for every reader, so cached."""

    modules: list[ModulePage]
    lessons: list[LessonPage]


def course_navigation(*, course: CoursePage, request=None) -> CourseNavigation:
    def build() -> CourseNavigation:
        return CourseNavigation(
            modules=list(ModulePage.objects.live().child_of(course).order_by("path")),
            lessons=_course_lessons(course=course),
        )

    return remembered("course-navigation", course.pk, request=request, build=build)


def _done_lesson_ids(*, learner, lesson_ids: list[int]) -> set[int]:
    if not learner.is_authenticated or not lesson_ids:
        return set()
    return set(
        LessonCompletion.objects.filter(learner=learner, lesson_id__in=lesson_ids).values_list(
            "lesson_id", flat=True
        )
    )


def _outline(*, modules, lessons, done: set[int]) -> list[OutlineModule]:
    outline = []
    number = 0
    for module in modules:
        items = []
        for lesson in lessons:
            if lesson.path.startswith(module.path):
                number += 1
                items.append(OutlineLesson(lesson=lesson, done=lesson.pk in done, number=number))
        outline.append(OutlineModule(module=module, lessons=items))
    return outline


def course_outline(*, course: CoursePage, learner) -> list[OutlineModule]:
    """Modules in order, each with its live lessons and whether the learner completed them."""
    navigation = course_navigation(course=course)
    done = _done_lesson_ids(
        learner=learner, lesson_ids=[lesson.pk for lesson in navigation.lessons]
    )
    return _outline(modules=navigation.modules, lessons=navigation.lessons, done=done)


def _next_lesson(
    *, lessons: list[LessonPage], done: set[int], last_lesson_id: int | None
) -> LessonPage | None:
    """The last lesson viewed if unfinished, else the next unfinished one after it, else any."""
    ids = [lesson.pk for lesson in lessons]
    start = 0
    if last_lesson_id in ids:
        position = ids.index(last_lesson_id)
        if last_lesson_id not in done:
            return lessons[position]
        start = position + 1
    for lesson in [*lessons[start:], *lessons[:start]]:
        if lesson.pk not in done:
            return lesson
    return None


def course_next_lesson(*, learner, course: CoursePage) -> LessonPage | None:
    """Where the learner should continue: None when every lesson is done or there are none."""
    lessons = _course_lessons(course=course)
    done = _done_lesson_ids(learner=learner, lesson_ids=[lesson.pk for lesson in lessons])
    enrolment = enrolment_for(learner=learner, course=course)
    last = enrolment.last_lesson_id if enrolment else None
    return _next_lesson(lessons=lessons, done=done, last_lesson_id=last)


def learner_course_progress(*, learner, course: CoursePage) -> LearnerCourseProgress:
    enrolment = enrolment_for(learner=learner, course=course)
    stored = (
        CourseProgress.objects.filter(enrolment=enrolment).first() if enrolment else None
    ) or CourseProgress()
    modules = [
        ModuleProgress(
            module_id=item.module.pk,
            title=item.module.title,
            lessons_done=item.lessons_done,
            lessons_total=item.lessons_total,
            percent=item.percent,
        )
        for item in course_outline(course=course, learner=learner)
    ]
    return LearnerCourseProgress(
        percent=stored.percent,
        lessons_done=stored.lessons_done,
        lessons_total=stored.lessons_total,
        checks_correct=stored.checks_correct,
        checks_total=stored.checks_total,
        exercise_points=stored.exercise_points,
        exercise_max_points=stored.exercise_max_points,
        completed_at=stored.completed_at,
        modules=modules,
    )


def learner_dashboard(*, learner) -> Dashboard:
    """Every course the learner enrolled in, with progress and where to continue."""
    enrolments = list(
        Enrolment.objects.filter(learner=learner)
        .select_related("course", "progress")
        .order_by("-last_activity_at", "-enrolled_at")
    )
    lessons: list[LessonPage] = []
    if enrolments:
        in_courses = reduce(or_, (Q(path__startswith=e.course.path) for e in enrolments))
        lessons = list(
            LessonPage.objects.live().filter(in_courses).defer_streamfields().order_by("path")
        )
    done = _done_lesson_ids(learner=learner, lesson_ids=[lesson.pk for lesson in lessons])
    active: list[DashboardEntry] = []
    unenrolled: list[DashboardEntry] = []
    for enrolment in enrolments:
        course_lessons = [
            lesson for lesson in lessons if lesson.path.startswith(enrolment.course.path)
        ]
        progress = getattr(enrolment, "progress", None) or CourseProgress()
        entry = DashboardEntry(
            enrolment=enrolment,
            course=enrolment.course,
            percent=progress.percent,
            lessons_done=sum(1 for lesson in course_lessons if lesson.pk in done),
            lessons_total=len(course_lessons),
            is_complete=progress.completed_at is not None,
            next_lesson=_next_lesson(
                lessons=course_lessons, done=done, last_lesson_id=enrolment.last_lesson_id
            ),
        )
        (active if enrolment.status == EnrolmentStatus.ACTIVE else unenrolled).append(entry)
    return Dashboard(active=active, unenrolled=unenrolled)


@dataclass(frozen=True)
class KnowledgeCheckState:
    """What the lesson shows for one check: the learner's last answer and feedback to show."""

    answer: KnowledgeCheckAnswer | None
    errors: list[str] = field(default_factory=list)

    @property
    def selected(self) -> list[str]:
        return self.answer.selected_option_ids if self.answer else []

    @property
    def answered(self) -> bool:
        return self.answer is not None

    @property
    def is_correct(self) -> bool:
        return bool(self.answer and self.answer.is_correct)


@dataclass(frozen=True)
class QuizOption:
    id: str
    text: str
    selected: bool
    # Known to the page only once the quiz reveals its answers; until then None and "".
    is_correct: bool | None = None
    feedback: str = ""


@dataclass(frozen=True)
class QuizQuestion:
    id: str
    number: int
    text: str
    options: list[QuizOption]
    error: str = ""
    # Revealed only: whether the shown attempt got it right, and the instructor's explanation.
    answered_correctly: bool | None = None
    explanation: object = None


@dataclass(frozen=True)
class QuizAttemptLine:
    number: int
    correct: int
    total: int
    submitted_at: datetime


@dataclass(frozen=True)
class QuizInput:
    """What a learner sent in an attempt the quiz refused as incomplete, to show it again."""

    answers: dict[str, list[str]]
    errors: dict[str, str]


@dataclass(frozen=True)
class QuizState:
    """What one learner may see of one graded quiz: never which option is right before reveal."""

    block_id: str
    settings: QuizSettings
    questions: list[QuizQuestion]
    attempts: list[QuizAttemptLine]
    best: QuizAttemptLine | None
    # The attempt whose choices the questions show: the best once revealed, else the last.
    shown: QuizAttemptLine | None
    closure: QuizClosure | None
    revealed: bool
    pass_needed: int | None
    has_errors: bool = False

    @property
    def attempts_used(self) -> int:
        return len(self.attempts)

    @property
    def attempts_left(self) -> int:
        return 0 if self.closure else max(self.settings.max_attempts - self.attempts_used, 0)

    @property
    def next_number(self) -> int:
        return self.attempts_used + 1

    @property
    def is_open(self) -> bool:
        return self.closure is None

    @property
    def past_due(self) -> bool:
        return self.closure == QuizClosure.PAST_DUE

    @property
    def reveals_after_due_date(self) -> bool:
        return self.settings.reveal == QuizReveal.AFTER_DUE_DATE


def _line(attempt: QuizAttempt) -> QuizAttemptLine:
    return QuizAttemptLine(
        number=attempt.number,
        correct=attempt.correct,
        total=attempt.total,
        submitted_at=attempt.submitted_at,
    )


def quiz_state(
    *,
    value,
    block_id: str,
    learner_id: int | None,
    attempts: list[QuizAttempt],
    now: datetime,
    pass_percent: int | None = None,
    sent: QuizInput | None = None,
) -> QuizState:
    """The learner's quiz: their draw of questions, options in their order, attempts and score.

    Which options are right, their feedback and the explanations are read from the block only
    when courses.quizzes.quiz_reveals says so; before that the state does not hold them at all.
    """
    settings = QuizSettings.of(value)
    questions = quiz_questions(value)
    seed = quiz_seed(learner_id=learner_id, block_id=block_id)
    attempts = sorted(attempts, key=lambda attempt: attempt.number)
    closure = quiz_closure(settings=settings, attempts_used=len(attempts), now=now)
    revealed = quiz_reveals(settings=settings, attempts_used=len(attempts), now=now)
    best = max(attempts, key=lambda a: (a.correct, a.number)) if attempts else None
    shown = best if revealed else (attempts[-1] if attempts else None)

    asked = quiz_drawn_question_ids(learner_id=learner_id, block_id=block_id, quiz_value=value)
    results: dict[str, dict] = {}
    if shown is not None:
        results = {item["question"]: item for item in shown.answers}
        if revealed:
            # The right answers go with the questions the counted attempt asked.
            asked = [item["question"] for item in shown.answers if item["question"] in questions]
    chosen = {question_id: item["selected"] for question_id, item in results.items()}
    if sent is not None and not revealed:
        chosen = sent.answers
    errors = sent.errors if sent is not None else {}

    shaped = []
    for number, question_id in enumerate(asked, start=1):
        question = questions[question_id]
        bound_options = {bound.id: bound.value for bound in question["options"].bound_blocks}
        selected = set(chosen.get(question_id, []))
        options = [
            QuizOption(
                id=option_id,
                text=bound_options[option_id]["text"],
                selected=option_id in selected,
                is_correct=bool(bound_options[option_id]["is_correct"]) if revealed else None,
                feedback=bound_options[option_id]["feedback"] if revealed else "",
            )
            for option_id in option_order(
                seed=seed, question_id=question_id, option_ids=list(bound_options)
            )
        ]
        result = results.get(question_id)
        shaped.append(
            QuizQuestion(
                id=question_id,
                number=number,
                text=question["question"],
                options=options,
                error=errors.get(question_id, ""),
                answered_correctly=result["correct"] if revealed and result else None,
                explanation=question["explanation"] if revealed else None,
            )
        )
    return QuizState(
        block_id=block_id,
        settings=settings,
        questions=shaped,
        attempts=[_line(attempt) for attempt in attempts],
        best=_line(best) if best else None,
        shown=_line(shown) if shown else None,
        closure=closure,
        revealed=revealed,
        pass_needed=pass_needed(percent=pass_percent, question_count=settings.question_count),
        has_errors=bool(errors),
    )


def quiz_preview(*, value, block_id: str) -> QuizState:
    """A quiz as a learner first sees it, for the admin's previews."""
    return quiz_state(
        value=value, block_id=block_id, learner_id=None, attempts=[], now=timezone.now()
    )


def _quiz_attempts(*, learner, lesson: LessonPage) -> dict[str, list[QuizAttempt]]:
    if not learner.is_authenticated or lesson.pk is None or not lesson.quiz_question_count:
        return {}
    found: dict[str, list[QuizAttempt]] = {}
    for attempt in QuizAttempt.objects.filter(learner=learner, lesson=lesson).order_by("number"):
        found.setdefault(attempt.block_id, []).append(attempt)
    return found


class BodySegment:
    """A run of lesson blocks every reader sees alike, or one block that depends on the reader.

    Blocks are taken from the body only when read, so a cached run costs no conversion (nor the
    image or exercise queries some blocks make).
    """

    def __init__(
        self, *, index: int, body, positions: list[int], personal: bool, kc=None, quiz=None
    ):
        self.index = index
        self.personal = personal
        self.kc = kc
        self.quiz = quiz
        self._body = body
        self._positions = positions

    @cached_property
    def blocks(self) -> list:
        return [self._body[position] for position in self._positions]

    @property
    def block(self):
        return self.blocks[0]


def _body_segments(
    *,
    body,
    states: dict[str, KnowledgeCheckState],
    quiz_states: dict[str, QuizState] | None = None,
) -> list[BodySegment]:
    segments: list[BodySegment] = []
    shared: list[int] = []

    def close_shared() -> None:
        if shared:
            segments.append(
                BodySegment(index=len(segments), body=body, positions=list(shared), personal=False)
            )
            shared.clear()

    for position, raw in enumerate(body.raw_data):
        if raw["type"] not in PERSONAL_BLOCK_TYPES:
            shared.append(position)
            continue
        close_shared()
        kc = (
            states.get(raw.get("id"), KnowledgeCheckState(answer=None))
            if raw["type"] == "knowledge_check"
            else None
        )
        quiz = (quiz_states or {}).get(raw.get("id")) if raw["type"] == "quiz" else None
        segments.append(
            BodySegment(
                index=len(segments),
                body=body,
                positions=[position],
                personal=True,
                kc=kc,
                quiz=quiz,
            )
        )
    close_shared()
    return segments


def _lesson_learner_state(
    *, learner, lesson: LessonPage, lesson_ids: list[int]
) -> tuple[set[int], dict[str, KnowledgeCheckAnswer]]:
    """Lessons of the course the learner completed, and their answers to this lesson's checks.

    One round trip: completions and answers come back as one union of rows, a completion
    being a row without a block id.
    """
    if not learner.is_authenticated or lesson.pk is None:
        return set(), {}
    if not lesson.knowledge_check_count:
        return _done_lesson_ids(learner=learner, lesson_ids=lesson_ids), {}
    answers = KnowledgeCheckAnswer.objects.filter(learner=learner, lesson=lesson).values_list(
        "lesson_id", "block_id", "selected_option_ids", "is_correct", "attempts"
    )
    completions = LessonCompletion.objects.filter(
        learner=learner, lesson_id__in=lesson_ids
    ).values_list(
        "lesson_id",
        Value(None, output_field=CharField()),
        Value(None, output_field=JSONField()),
        Value(False, output_field=BooleanField()),
        Value(0, output_field=IntegerField()),
    )
    done: set[int] = set()
    found: dict[str, KnowledgeCheckAnswer] = {}
    for lesson_id, block_id, selected, is_correct, attempts in answers.union(completions, all=True):
        if block_id is None:
            done.add(lesson_id)
        else:
            found[block_id] = KnowledgeCheckAnswer(
                learner=learner,
                lesson=lesson,
                block_id=block_id,
                selected_option_ids=selected or [],
                is_correct=is_correct,
                attempts=attempts,
            )
    return done, found


def _lesson_quiz_states(
    *, lesson: LessonPage, learner, sent: dict[str, QuizInput]
) -> dict[str, QuizState]:
    """The learner's state of each graded quiz in the lesson (one query, none without a quiz).

    Only the quiz blocks are read from the body: the rest may come from the page cache.
    """
    places = [place for place, raw in enumerate(lesson.body.raw_data) if raw["type"] == "quiz"]
    if not places:
        return {}
    attempts = _quiz_attempts(learner=learner, lesson=lesson)
    learner_id = learner.pk if learner.is_authenticated else None
    now = timezone.now()
    states = {}
    for place in places:
        child = lesson.body[place]
        states[child.id] = quiz_state(
            value=child.value,
            block_id=child.id,
            learner_id=learner_id,
            attempts=attempts.get(child.id, []),
            now=now,
            pass_percent=lesson.pass_check_percent,
            sent=sent.get(child.id),
        )
    return states


def lesson_context(
    *,
    lesson: LessonPage,
    course: CoursePage,
    learner,
    enrolment: Enrolment | None = None,
    check_errors: dict[str, list[str]] | None = None,
    quiz_input: dict[str, QuizInput] | None = None,
    request=None,
) -> dict:
    """Navigation, completion state, knowledge-check and quiz state for one lesson page."""
    navigation = course_navigation(course=course, request=request)
    modules, lessons = navigation.modules, navigation.lessons
    ids = [item.pk for item in lessons]
    done, answers = _lesson_learner_state(learner=learner, lesson=lesson, lesson_ids=ids)
    outline = _outline(modules=modules, lessons=lessons, done=done)
    position = ids.index(lesson.pk) if lesson.pk in ids else None
    previous_lesson = lessons[position - 1] if position else None
    next_lesson = (
        lessons[position + 1] if position is not None and position + 1 < len(lessons) else None
    )
    module = next((m for m in modules if lesson.path.startswith(m.path)), None)
    errors = check_errors or {}
    states = {
        raw["id"]: KnowledgeCheckState(
            answer=answers.get(raw["id"]), errors=errors.get(raw["id"], [])
        )
        for raw in lesson.body.raw_data
        if raw["type"] == "knowledge_check" and raw.get("id")
    }
    quiz_states = _lesson_quiz_states(lesson=lesson, learner=learner, sent=quiz_input or {})
    if enrolment is None:
        enrolment = enrolment_for(learner=learner, course=course)
    return {
        "course": course,
        "module": module,
        "outline": outline,
        "previous_lesson": previous_lesson,
        "next_lesson": next_lesson,
        "lesson_number": position + 1 if position is not None else None,
        "lesson_count": len(lessons),
        "is_done": lesson.pk in done,
        "body_segments": _body_segments(body=lesson.body, states=states, quiz_states=quiz_states),
        "has_exercise": any(raw["type"] == "exercise" for raw in lesson.body.raw_data),
        "enrolment": enrolment,
        "progress": getattr(enrolment, "progress", None) if enrolment else None,
    }


def course_instructor_names(*, course: CoursePage) -> list[str]:
    # Instructors are named by their public name, never by their e-mail.
    names = [person.public_name for person in course.instructors.all()]
    return [name for name in names if name]


def _cohort_schedule(enrolment: Enrolment):
    from .cohorts import cohort_schedule

    return cohort_schedule(enrolment=enrolment)


def course_overview(*, course: CoursePage, learner, request=None) -> dict:
    """What the course page shows: outline, the learner's enrolment, progress and next lesson.

    The instructors' names are read only when the template renders them (not when the page
    cache already holds that part).
    """
    enrolment = enrolment_for(learner=learner, course=course)
    navigation = course_navigation(course=course, request=request)
    lessons = navigation.lessons
    done = _done_lesson_ids(learner=learner, lesson_ids=[lesson.pk for lesson in lessons])
    return {
        "enrolment": enrolment,
        "outline": _outline(modules=navigation.modules, lessons=lessons, done=done),
        "progress": getattr(enrolment, "progress", None) if enrolment else None,
        "next_lesson": _next_lesson(
            lessons=lessons,
            done=done,
            last_lesson_id=enrolment.last_lesson_id if enrolment else None,
        ),
        "can_edit": learner_can_edit_course(user=learner, course=course),
        "instructor_names": SimpleLazyObject(lambda: course_instructor_names(course=course)),
        # The learner's cohort with its dates and due dates; read only for a learner in one.
        "cohort_schedule": SimpleLazyObject(lambda: _cohort_schedule(enrolment))
        if enrolment is not None and enrolment.is_active and enrolment.cohort_id
        else None,
        # Exercises whose score waits for the instructor's manual grading (courses.progress).
        "waiting_for_review": exercises_waiting_for_review(enrolment=enrolment)
        if enrolment is not None and enrolment.is_active
        else [],
    }
