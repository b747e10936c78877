"""Every page type renders with the right template and text; the catalog filters."""

import pytest
from django.contrib.messages import get_messages

from courses.models import Skill
from tests.factories import course_tree, lessons_of


@pytest.mark.django_db
def test_home_page_is_the_site_root_and_features_courses(client, course):
    response = client.get("/")
    assert response.status_code == 200
    assert "courses/home_page.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert "Learn product management." in html
    assert "Featured courses" in html
    assert 'href="/courses/foundations/"' in html
    assert 'href="/courses/"' in html


@pytest.mark.django_db
def test_catalog_lists_live_courses(client, course, catalog):
    course_tree(catalog, slug="draft-course", title="Draft course", modules=0)
    draft = catalog.get_children().get(slug="draft-course")
    draft.unpublish()
    response = client.get("/courses/")
    assert response.status_code == 200
    assert "courses/course_index_page.html" in [t.name for t in response.templates]
    assert [c.title for c in response.context["courses"]] == ["Foundations"]
    assert "1 course" in response.content.decode()


@pytest.fixture
def three_courses(catalog):
    strategy = Skill.objects.create(name="Product strategy", slug="product-strategy")
    ranking = Skill.objects.create(name="Prioritization", slug="prioritization")
    course_tree(
        catalog, slug="basics", title="Basics", level="beginner", skills=[strategy], modules=0
    )
    course_tree(
        catalog, slug="rice", title="RICE", level="intermediate", skills=[ranking], modules=0
    )
    course_tree(
        catalog,
        slug="vision",
        title="Vision",
        level="advanced",
        skills=[strategy, ranking],
        modules=0,
    )
    return catalog


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("", ["Basics", "RICE", "Vision"]),
        ("?level=intermediate", ["RICE"]),
        ("?skill=product-strategy", ["Basics", "Vision"]),
        ("?level=advanced&skill=prioritization", ["Vision"]),
        ("?level=beginner&skill=prioritization", []),
    ],
)
def test_catalog_filters_by_level_and_skill(client, three_courses, query, titles):
    response = client.get(f"/courses/{query}")
    assert response.status_code == 200
    assert [c.title for c in response.context["courses"]] == titles


@pytest.mark.django_db
def test_catalog_filter_with_bad_values_shows_errors_not_a_crash(client, three_courses):
    response = client.get("/courses/?level=guru&skill=nonsense")
    assert response.status_code == 200
    form = response.context["filter_form"]
    assert set(form.errors) == {"level", "skill"}
    assert 'class="errorlist"' in response.content.decode()
    assert len(response.context["courses"]) == 3


@pytest.mark.django_db
def test_catalog_empty_result_explains_itself(client, three_courses):
    response = client.get("/courses/?level=beginner&skill=prioritization")
    assert "No course matches these filters yet." in response.content.decode()


@pytest.mark.django_db
def test_course_page_for_anonymous_asks_to_log_in_first(client, course):
    response = client.get(course.url)
    assert response.status_code == 200
    assert "courses/course_page.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert "Foundations summary." in html
    assert "/accounts/login/?next=/courses/foundations/" in html
    assert "Lesson 1.1" in html
    # Lesson titles are listed but not linked before enrolling.
    assert 'href="/courses/foundations/module-1/lesson-1-1/"' not in html


@pytest.mark.django_db
def test_course_page_for_logged_in_visitor_offers_enrolment(learner_client, course):
    html = learner_client.get(course.url).content.decode()
    assert "Enrol in this course" in html
    assert f'action="/courses/{course.pk}/enrol/"' in html


@pytest.mark.django_db
def test_course_page_for_enrolled_learner_shows_progress_and_start(
    learner_client, enrolled, course
):
    html = learner_client.get(course.url).content.decode()
    assert "Course progress: 0%" in html
    assert '<progress max="100" value="0"' in html
    assert "0 of 4 lessons done" in html
    assert "Start the first lesson" in html
    assert 'href="/courses/foundations/module-1/lesson-1-1/"' in html


@pytest.mark.django_db
def test_course_page_puts_what_to_do_next_before_the_outline(learner_client, enrolled, course):
    """On a phone the page stacks in source order: Enrol or Continue must not wait below the
    whole outline."""
    html = learner_client.get(course.url).content.decode()

    assert html.index("<h1>") < html.index("Start the first lesson") < html.index("Course outline")


@pytest.mark.django_db
def test_module_url_leads_to_its_place_in_the_course(client, course):
    response = client.get("/courses/foundations/module-2/")
    assert response.status_code == 302
    assert response.url.endswith("/courses/foundations/#module-" + str(course.get_children()[1].pk))


@pytest.mark.django_db
def test_lesson_page_renders_content_navigation_and_check(learner_client, enrolled, course):
    first, second, *_ = lessons_of(course)
    response = learner_client.get(second.url)
    assert response.status_code == 200
    assert "courses/lesson_page.html" in [t.name for t in response.templates]
    assert "blocks/knowledge_check.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert "Text of lesson 1.2." in html
    assert "Lesson 2 of 4" in html
    assert f'rel="prev" href="{first.url}"' in html
    assert 'rel="next" href="/courses/foundations/module-2/lesson-2-1/"' in html
    assert 'aria-label="Breadcrumbs"' in html
    assert "Question 1?" in html
    assert "Right answer" in html
    assert "Wrong answer" in html
    assert "Mark lesson as complete" in html


@pytest.mark.django_db
def test_viewing_a_lesson_records_where_the_learner_left_off(learner_client, enrolled, course):
    lesson = lessons_of(course)[2]
    learner_client.get(lesson.url)
    enrolment = enrolled.enrolments.get()
    assert enrolment.last_lesson_id == lesson.pk
    assert enrolment.last_activity_at is not None


@pytest.mark.django_db
def test_lesson_of_a_course_not_enrolled_in_redirects_with_message(learner_client, course):
    response = learner_client.get(lessons_of(course)[0].url)
    assert response.status_code == 302
    assert response.url == course.url
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Enrol in this course to read its lessons."
    ]


@pytest.mark.django_db
def test_anonymous_lesson_visit_redirects_to_course(client, course):
    response = client.get(lessons_of(course)[0].url)
    assert response.status_code == 302
    assert response.url == course.url


@pytest.mark.django_db
def test_unknown_url_is_404(client, course):
    assert client.get("/courses/foundations/no-such-module/").status_code == 404


@pytest.mark.django_db
def test_dashboard_requires_login(client, home):
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.django_db
def test_dashboard_shows_progress_and_continue_link(learner_client, enrolled, course):
    lesson = lessons_of(course)[1]
    learner_client.get(lesson.url)
    response = learner_client.get("/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Foundations" in html
    assert "Progress: 0%" in html
    assert f'href="{lesson.url}">Continue: Lesson 1.2' in html


@pytest.mark.django_db
def test_dashboard_empty_state(learner_client, home):
    html = learner_client.get("/dashboard/").content.decode()
    assert "You are not enrolled in any course yet." in html
