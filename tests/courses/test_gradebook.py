"""The instructor gradebook: counted scores per learner and exercise, filters, pages, CSV, access."""

import csv
import io
import zoneinfo
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from wagtail.users.models import UserProfile

from courses.admin_views import csv_safe
from courses.models import CourseExercise, EnrolmentStatus
from courses.services import (
    enrolment_cancel,
    enrolment_create,
    exercise_score_record,
    lesson_complete,
    lesson_view_record,
)
from tests.factories import ExerciseFactory, UserFactory, course_tree, instructor_user, lessons_of

pytestmark = pytest.mark.django_db


def _teach(course, *people):
    course.instructors.set(people)
    course.save_revision().publish()
    course.refresh_from_db()
    return course


def _declare(course, *exercises):
    for order, (slug, title, worth) in enumerate(exercises):
        CourseExercise.objects.create(
            course=course,
            exercise=ExerciseFactory(slug=slug),
            title=title,
            max_points=Decimal(worth),
            sort_order=order,
        )


def _score(learner, course, slug, points, max_points):
    exercise_score_record(
        learner=learner,
        course=course,
        exercise=ExerciseFactory(slug=slug),
        points=Decimal(points),
        max_points=Decimal(max_points),
    )


@pytest.fixture
def class_of(course):
    """Four learners in different states on a course with two exercises (worth 10 and 5)."""
    _declare(course, ("rice", "RICE scoring", "10"), ("kano", "Kano model", "5"))
    lessons = lessons_of(course)
    alice = UserFactory(certificate_name="Alice Archer", email="alice@example.com")
    bob = UserFactory(certificate_name="Bob Brown", email="bob@example.org")
    carol = UserFactory(certificate_name="Carol Clark", email="carol@example.com")
    dave = UserFactory(certificate_name="Dave Dunn", email="dave@example.com")
    for person in (alice, bob, carol, dave):
        enrolment_create(learner=person, course=course)
    for lesson in lessons[:2]:
        lesson_complete(learner=alice, lesson=lesson)
    _score(alice, course, "rice", "4.5", "6")
    _score(alice, course, "kano", "5", "5")
    _score(carol, course, "rice", "6", "6")
    enrolment_cancel(learner=carol, course=course)
    for lesson in lessons:
        lesson_complete(learner=dave, lesson=lesson)
    _score(dave, course, "rice", "6", "6")
    _score(dave, course, "kano", "4", "5")
    return {"alice": alice, "bob": bob, "carol": carol, "dave": dave}


def _rows(response):
    return {row.email: row for row in response.context["rows"]}


def test_cells_hold_the_counted_scores_percent_lessons_and_completion(
    client, instructor, class_of, course
):
    client.force_login(instructor)
    response = client.get(reverse("gradebook:course", args=[course.pk]))
    assert response.status_code == 200
    assert [row.name for row in response.context["rows"]] == [
        "Alice Archer",
        "Bob Brown",
        "Carol Clark",
        "Dave Dunn",
    ]
    rows = _rows(response)

    alice = rows["alice@example.com"]
    assert [(c.exercise.exercise.slug, c.points, c.max_points, c.percent) for c in alice.cells] == [
        ("rice", Decimal("4.50"), Decimal("6.00"), Decimal("75.0")),
        ("kano", Decimal("5.00"), Decimal("5.00"), Decimal("100.0")),
    ]
    # Lessons 2/4, checks 0/4, exercises (7.5 + 5) / 15: the mean of 1/2, 0 and 5/6 is 44%.
    assert (alice.percent, alice.lessons_done, alice.lessons_total) == (44, 2, 4)
    assert alice.completed_at is None and alice.state == "in_progress"

    bob = rows["bob@example.org"]
    assert [c.points for c in bob.cells] == [None, None]
    assert (bob.percent, bob.lessons_done, bob.state) == (0, 0, "not_started")

    carol = rows["carol@example.com"]
    assert carol.enrolment.status == EnrolmentStatus.UNENROLLED
    assert [c.percent for c in carol.cells] == [Decimal("100.0"), None]

    dave = rows["dave@example.com"]
    # Lessons 4/4, checks 0/4, exercises (10 + 4) / 15 = 93.33% reaches the 70% share.
    assert (dave.percent, dave.lessons_done, dave.state) == (64, 4, "completed")
    assert dave.completed_at is not None

    html = response.content.decode()
    assert "Gradebook: Foundations" in html
    assert "4.50 / 6" in html and "75%" in html
    assert "RICE scoring" in html and "worth 10" in html
    assert reverse("gradebook:csv", args=[course.pk]) in html
    assert reverse("gradebook:analytics", args=[course.pk]) in html


def test_cells_show_scores_and_dates_as_the_template_filters_do(
    client, instructor, class_of, course
):
    _score(class_of["bob"], course, "rice", "2", "6")
    _score(class_of["bob"], course, "kano", "0.1", "5")
    client.force_login(instructor)
    html = client.get(reverse("gradebook:course", args=[course.pk])).content.decode()
    cells = [
        " ".join(cell.split("</td>")[0].split()) for cell in html.split('<td data-exercise="')[1:]
    ]
    assert cells == [
        # Alice 4.5/6 and 5/5; Bob 2/6 and 0.1/5; Carol 6/6 and nothing; Dave 6/6 and 4/5.
        'rice"> 4.50 / 6<br><small>75%</small>',
        'kano"> 5 / 5<br><small>100%</small>',
        'rice"> 2 / 6<br><small>33.3%</small>',
        'kano"> 0.10 / 5<br><small>2%</small>',
        'rice"> 6 / 6<br><small>100%</small>',
        'kano"> <span aria-label="no score">–</span>',
        'rice"> 6 / 6<br><small>100%</small>',
        'kano"> 4 / 5<br><small>80%</small>',
    ]
    assert "<td>Active<br><small>In progress</small></td>" in html
    assert "<td>Unenrolled<br><small>In progress</small></td>" in html
    # Dates as the `date` filter shows them, in the time zone of the reader's admin profile.
    profile = UserProfile.get_for_user(instructor)
    profile.current_time_zone = "Pacific/Auckland"
    profile.save()
    completed = class_of["dave"].enrolments.get(course=course).progress.completed_at
    local = timezone.localtime(completed, zoneinfo.ZoneInfo("Pacific/Auckland"))
    shown = f'<time datetime="{local.isoformat()}">{date_format(local, "j M Y")}</time>'
    assert shown in client.get(reverse("gradebook:course", args=[course.pk])).content.decode()


def test_a_score_override_shows_in_the_gradebook(client, instructor, class_of, course):
    # CourseExerciseScore follows the counted score down as well as up.
    _score(class_of["alice"], course, "rice", "1.5", "6")
    client.force_login(instructor)
    alice = _rows(client.get(reverse("gradebook:course", args=[course.pk])))["alice@example.com"]
    assert (alice.cells[0].points, alice.cells[0].percent) == (Decimal("1.50"), Decimal("25.0"))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "example.org"}, ["bob@example.org"]),
        ({"q": "carol clark"}, ["carol@example.com"]),
        ({"q": "  DUNN "}, ["dave@example.com"]),
        ({"state": "completed"}, ["dave@example.com"]),
        ({"state": "in_progress"}, ["alice@example.com", "carol@example.com"]),
        ({"state": "not_started"}, ["bob@example.org"]),
        ({"enrolment": "unenrolled"}, ["carol@example.com"]),
        (
            {"enrolment": "active"},
            ["alice@example.com", "bob@example.org", "dave@example.com"],
        ),
        ({"state": "in_progress", "enrolment": "active"}, ["alice@example.com"]),
        ({"q": "nobody-has-this"}, []),
        ({"q": "dunn", "state": "bogus"}, ["dave@example.com"]),
        # An unknown choice filters nothing rather than failing.
        (
            {"state": "bogus"},
            ["alice@example.com", "bob@example.org", "carol@example.com", "dave@example.com"],
        ),
    ],
)
def test_filters(client, instructor, class_of, course, query, expected):
    client.force_login(instructor)
    response = client.get(reverse("gradebook:course", args=[course.pk]), query)
    assert response.status_code == 200
    assert [row.email for row in response.context["rows"]] == expected


def test_a_learner_who_only_viewed_a_lesson_has_started(client, instructor, class_of, course):
    enrolment = class_of["bob"].enrolments.get(course=course)
    lesson_view_record(enrolment=enrolment, lesson=lessons_of(course)[0])
    client.force_login(instructor)
    response = client.get(reverse("gradebook:course", args=[course.pk]), {"state": "not_started"})
    assert list(response.context["rows"]) == []


def test_pages_of_fifty_learners(client, instructor, course):
    for n in range(53):
        enrolment_create(learner=UserFactory(certificate_name=f"Learner {n:03d}"), course=course)
    client.force_login(instructor)
    url = reverse("gradebook:course", args=[course.pk])

    first = client.get(url)
    assert len(first.context["rows"]) == 50
    assert first.context["rows"][0].name == "Learner 000"
    assert "Page 1 of 2" in first.content.decode()
    assert "53 learners" in first.content.decode()

    second = client.get(url, {"p": 2})
    assert [row.name for row in second.context["rows"]] == [
        "Learner 050",
        "Learner 051",
        "Learner 052",
    ]
    # Out-of-range and nonsense page numbers land on a real page instead of an error.
    assert client.get(url, {"p": 99}).context["page_obj"].number == 2
    assert client.get(url, {"p": "x"}).context["page_obj"].number == 1
    # Filters survive paging.
    filtered = client.get(url, {"q": "Learner 05", "p": 1})
    assert [row.name for row in filtered.context["rows"]] == [
        "Learner 050",
        "Learner 051",
        "Learner 052",
    ]
    not_started = client.get(url, {"state": "not_started", "p": 2})
    assert [row.name for row in not_started.context["rows"]] == [
        "Learner 050",
        "Learner 051",
        "Learner 052",
    ]
    assert "53 learners" in not_started.content.decode()
    assert client.get(url, {"state": "completed"}).context["page_obj"].paginator.count == 0


def _populate(course, *, learners, exercises):
    _declare(course, *[(f"ex-{n}", f"Exercise {n}", "10") for n in range(exercises)])
    lessons = lessons_of(course)
    for n in range(learners):
        person = UserFactory()
        enrolment_create(learner=person, course=course)
        lesson_complete(learner=person, lesson=lessons[n % len(lessons)])
        for m in range(exercises):
            _score(person, course, f"ex-{m}", str(n % 7), "6")


def _count(client, url):
    client.get(url)  # warm per-process caches (content types, site root paths)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_learners_or_exercises(
    client, catalog, django_assert_num_queries
):
    small = course_tree(catalog, slug="small", title="Small", modules=1, lessons_per_module=1)
    big = course_tree(catalog, slug="big", title="Big", modules=2, lessons_per_module=3)
    ian = instructor_user()
    _teach(small, ian)
    _teach(big, ian)
    _populate(small, learners=2, exercises=1)
    _populate(big, learners=14, exercises=4)
    client.force_login(ian)

    small_url = reverse("gradebook:course", args=[small.pk])
    big_url = reverse("gradebook:course", args=[big.pk])
    queries = _count(client, small_url)
    with django_assert_num_queries(queries):
        response = client.get(big_url)
    assert len(response.context["rows"]) == 14
    assert len(response.context["rows"][0].cells) == 4
    with django_assert_num_queries(queries):
        client.get(big_url, {"q": "person", "state": "in_progress", "enrolment": "active"})
    print(f"gradebook page: {queries} queries at 2 and at 14 learners")


# CSV export ------------------------------------------------------------------------------


def _csv(response):
    assert response.streaming
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_csv_has_a_header_and_every_learner(client, instructor, class_of, course):
    for n in range(55):
        enrolment_create(learner=UserFactory(certificate_name=f"Zed {n:02d}"), course=course)
    client.force_login(instructor)
    response = client.get(reverse("gradebook:csv", args=[course.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="gradebook-foundations-'
    )
    rows = _csv(response)
    assert rows[0] == [
        "Name",
        "E-mail",
        "Enrolment",
        "Enrolled at",
        "Progress",
        "RICE scoring (points)",
        "RICE scoring (out of)",
        "Kano model (points)",
        "Kano model (out of)",
        "Overall %",
        "Lessons done",
        "Lessons total",
        "Completed at",
        # Last, so the columns before it keep their places in spreadsheets built on the export.
        "Cohort",
        # Then the late policy's columns, added later for the same reason.
        "RICE scoring (before late penalty)",
        "RICE scoring (late penalty %)",
        "Kano model (before late penalty)",
        "Kano model (late penalty %)",
    ]
    assert len(rows) == 1 + 4 + 55  # not paginated
    alice = rows[1]
    assert alice[:3] == ["Alice Archer", "alice@example.com", "Active"]
    assert alice[4:12] == ["In progress", "4.5", "6", "5", "5", "44", "2", "4"]
    assert alice[12] == ""
    assert alice[14:] == ["4.5", "0", "5", "0"]
    bob = rows[2]
    assert bob[4:12] == ["Not started", "", "", "", "", "0", "0", "4"]
    carol = rows[3]
    assert carol[2] == "Unenrolled"
    dave = rows[4]
    assert dave[4] == "Completed" and dave[12].startswith("20")


def test_csv_follows_the_filters(client, instructor, class_of, course):
    client.force_login(instructor)
    rows = _csv(client.get(reverse("gradebook:csv", args=[course.pk]), {"state": "completed"}))
    assert [row[1] for row in rows[1:]] == ["dave@example.com"]


def test_csv_cells_cannot_become_formulas(client, instructor, course):
    _declare(course, ("=cmd", '=HYPERLINK("http://evil")', "3"))
    for name in ("=1+1", "+SUM(A1)", "-2+3", "@cmd", "Plain name"):
        enrolment_create(learner=UserFactory(certificate_name=name), course=course)
    client.force_login(instructor)
    rows = _csv(client.get(reverse("gradebook:csv", args=[course.pk])))
    assert rows[0][5] == '\'=HYPERLINK("http://evil") (points)'
    assert sorted(row[0] for row in rows[1:]) == [
        "'+SUM(A1)",
        "'-2+3",
        "'=1+1",
        "'@cmd",
        "Plain name",
    ]
    assert (
        csv_safe("\tx") == "'\tx" and csv_safe(None) == "" and csv_safe(Decimal("1.50")) == "1.50"
    )


# Who may read what -----------------------------------------------------------------------


def _course_urls(course):
    return [
        reverse("gradebook:course", args=[course.pk]),
        reverse("gradebook:csv", args=[course.pk]),
        reverse("gradebook:analytics", args=[course.pk]),
    ]


@pytest.fixture
def theirs(catalog):
    course = course_tree(catalog, slug="theirs", title="Theirs", modules=1, lessons_per_module=1)
    return _teach(course, instructor_user())


def test_an_instructor_reads_only_their_own_courses(client, instructor, class_of, course, theirs):
    client.force_login(instructor)
    index = client.get(reverse("gradebook:index"))
    assert index.status_code == 200
    assert [s.course.title for s in index.context["summaries"]] == ["Foundations"]
    summary = index.context["summaries"][0]
    assert (summary.active, summary.unenrolled, summary.completed) == (3, 1, 1)
    assert "Theirs" not in index.content.decode()
    for url in _course_urls(course):
        assert client.get(url).status_code == 200
    for url in [*_course_urls(theirs), reverse("gradebook:course", args=[999999])]:
        assert client.get(url).status_code == 404
    assert "/admin/gradebook/" in client.get("/admin/").content.decode()


def test_an_instructor_of_another_course_gets_404_everywhere(client, class_of, course, theirs):
    other = theirs.instructors.get()
    client.force_login(other)
    assert [s.course for s in client.get(reverse("gradebook:index")).context["summaries"]] == [
        theirs
    ]
    for url in _course_urls(course):
        assert client.get(url).status_code == 404


def test_an_instructor_without_courses_sees_an_empty_gradebook_and_no_menu_item(client, course):
    client.force_login(instructor_user())
    index = client.get(reverse("gradebook:index"))
    assert index.status_code == 200
    assert "You do not teach any course yet" in index.content.decode()
    assert "/admin/gradebook/" not in client.get("/admin/").content.decode()
    for url in _course_urls(course):
        assert client.get(url).status_code == 404


def test_learners_and_visitors_never_reach_the_gradebook(client, class_of, course):
    urls = [reverse("gradebook:index"), *_course_urls(course)]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response.url
    client.force_login(class_of["alice"])
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response.url == reverse("dashboard")


def test_superusers_read_every_course(client, class_of, course, theirs):
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert [
        s.course.title for s in client.get(reverse("gradebook:index")).context["summaries"]
    ] == ["Foundations", "Theirs"]
    for url in [*_course_urls(course), *_course_urls(theirs)]:
        assert client.get(url).status_code == 200
