"""Site search (/search/): what a visitor finds, what they may see of it, and how it is shown.

The index is Wagtail's database backend (FTS5 on SQLite, full text on PostgreSQL); publishing
indexes a page through the task queue, which runs at once in tests. Nothing here depends on which
database runs the suite.
"""

import re

import pytest
from django.contrib.auth.models import Group
from wagtail.models import PageViewRestriction

from courses.models import CoursePage, LessonPage, ModulePage
from courses.search import excerpt, highlight, search_terms
from courses.services import enrolment_create
from tests.factories import (
    UserFactory,
    check_block,
    course_tree,
    lesson_body,
    publish_child,
    quiz_block,
)

pytestmark = pytest.mark.django_db

WORD = "zeppelin"  # in no fixture text, so every hit is one a test put there


def add_lesson(module, *, slug: str, title: str, text: str, blocks=()) -> LessonPage:
    return publish_child(
        module,
        LessonPage(
            title=title,
            slug=slug,
            body=[{"type": "paragraph", "value": f"<p>{text}</p>"}, *blocks],
        ),
    )


def module_of(course) -> ModulePage:
    return ModulePage.objects.child_of(course).order_by("path").first()


def search(client, query: str, **params):
    response = client.get("/search/", {"q": query, **params})
    assert response.status_code == 200
    return response


def result_titles(response) -> list[str]:
    """The lesson and course titles listed as results, without highlighting."""
    html = response.content.decode()
    section = html.split('id="results-heading"', 1)[-1] if "search-groups" in html else ""
    titles = re.findall(
        r'class="(?:card__title|search-lesson__title)">(.*?)</(?:h3|p)>', section, re.S
    )
    return [" ".join(re.sub(r"<[^>]+>", " ", t).replace("Lesson ", "", 1).split()) for t in titles]


@pytest.fixture
def zeppelin_lesson(course):
    return add_lesson(
        module_of(course),
        slug="airships",
        title="Airships and roadmaps",
        text=f"A roadmap is a plan, not a {WORD} flying to a fixed date.",
    )


# Finding ------------------------------------------------------------------------------------


def test_a_learner_finds_a_lesson_by_a_word_in_its_body_with_the_word_marked(
    client, enrolled, zeppelin_lesson
):
    client.force_login(enrolled)
    response = search(client, WORD.upper())
    html = response.content.decode()
    assert response.context["results"].count == 1
    [group] = response.context["results"].groups
    assert group.course.title == "Foundations"
    assert [hit.lesson.pk for hit in group.lessons] == [zeppelin_lesson.pk]
    assert f"<mark>{WORD}</mark> flying" in html
    assert f'href="{zeppelin_lesson.url}"' in html
    assert "1 result for" in html


def test_a_visitor_who_may_not_read_the_lesson_sees_its_title_and_course_but_no_text(
    client, zeppelin_lesson
):
    response = search(client, WORD)
    html = response.content.decode()
    assert result_titles(response) == ["Foundations", "Airships and roadmaps"]
    assert "flying to a fixed date" not in html
    assert f'href="{zeppelin_lesson.url}"' not in html
    assert "Log in and enrol in this course to read its lessons." in html


def test_a_course_is_found_by_its_summary_and_labelled_as_a_course(client, catalog, course):
    course_tree(catalog, slug="airships", title="Airship strategy", summary=f"Why a {WORD} flies.")
    response = search(client, WORD)
    [group] = response.context["results"].groups
    assert group.course.slug == "airships"
    assert f"Why a <mark>{WORD}</mark> flies." in response.content.decode()


def test_every_word_must_match_and_results_are_grouped_by_course(client, catalog, course):
    other = course_tree(catalog, slug="other", title="Other", modules=1, lessons_per_module=1)
    add_lesson(module_of(course), slug="a", title="Alpha", text=f"{WORD} roadmap")
    add_lesson(module_of(other), slug="b", title="Beta", text=f"{WORD} backlog")
    add_lesson(module_of(course), slug="c", title="Gamma", text=f"{WORD} backlog grooming")
    response = search(client, f"{WORD} backlog")
    groups = response.context["results"].groups
    assert {g.course.slug: sorted(h.lesson.title for h in g.lessons) for g in groups} == {
        "foundations": ["Gamma"],
        "other": ["Beta"],
    }


# What is never found -----------------------------------------------------------------------


def test_unpublished_lessons_and_unpublished_drafts_never_appear(client, enrolled, course):
    client.force_login(enrolled)
    module = module_of(course)
    gone = add_lesson(module, slug="gone", title="Gone", text=f"{WORD} withdrawn")
    gone.unpublish()
    # A live lesson whose unpublished draft adds the word: only the live text is searched.
    drafted = LessonPage.objects.get(slug="lesson-1-1")
    drafted.body = lesson_body(text=f"Draft about {WORD}.")
    drafted.save_revision()
    never = LessonPage(
        title="Never published", slug="never", body=lesson_body(text=f"{WORD} in a draft")
    )
    module.add_child(instance=never)
    never.unpublish()
    assert search(client, WORD).context["results"].count == 0


def test_a_live_lesson_under_an_unpublished_module_or_course_is_not_found(client, catalog, course):
    lesson = add_lesson(module_of(course), slug="z", title="Z", text=WORD)
    assert search(client, WORD).context["results"].count == 1
    module = ModulePage.objects.get(pk=module_of(course).pk)
    # Unpublishing a page leaves its descendants live: the lesson is not served from the catalog.
    module.unpublish()
    assert LessonPage.objects.get(pk=lesson.pk).live
    assert search(client, WORD).context["results"].count == 0
    module.save_revision().publish()
    assert search(client, WORD).context["results"].count == 1
    CoursePage.objects.get(pk=course.pk).unpublish()
    assert search(client, WORD).context["results"].count == 0


@pytest.mark.parametrize("kind", ["login", "groups", "password"])
def test_a_private_course_is_found_only_by_those_its_restriction_lets_in(client, catalog, kind):
    private = course_tree(catalog, slug="private", title="Private", modules=1, lessons_per_module=0)
    add_lesson(module_of(private), slug="secret", title="Secret plans", text=f"{WORD} plans")
    group = Group.objects.create(name="Insiders")
    restriction = PageViewRestriction.objects.create(
        page=private, restriction_type=kind, password="open sesame" if kind == "password" else ""
    )
    restriction.groups.set([group])

    assert search(client, WORD).context["results"].count == 0
    assert "Secret plans" not in search(client, WORD).content.decode()

    outsider = UserFactory()
    client.force_login(outsider)
    expected_for_outsider = 1 if kind == "login" else 0
    assert search(client, WORD).context["results"].count == expected_for_outsider

    if kind == "groups":
        outsider.groups.add(group)
    elif kind == "password":
        session = client.session
        session[restriction.passed_view_restrictions_session_key] = [restriction.pk]
        session.save()
    assert search(client, WORD).context["results"].count == 1


def test_a_restriction_below_the_course_hides_only_that_part(client, course):
    module = module_of(course)
    add_lesson(module, slug="open", title="Open", text=WORD)
    hidden = add_lesson(module, slug="shut", title="Shut", text=WORD)
    PageViewRestriction.objects.create(page=hidden, restriction_type=PageViewRestriction.LOGIN)
    [group] = search(client, WORD).context["results"].groups
    assert [hit.lesson.slug for hit in group.lessons] == ["open"]


def test_knowledge_check_feedback_and_graded_quizzes_are_not_searchable(client, enrolled, course):
    client.force_login(enrolled)
    add_lesson(
        module_of(course),
        slug="checked",
        title="Checked",
        text="Plain words.",
        blocks=[
            check_block(
                question="Where do pelicans nest?",
                options=(("Option one", True, f"{WORD} feedback"), ("Option two", False, "No.")),
            ),
            quiz_block(questions=2),
        ],
    )
    assert search(client, WORD).context["results"].count == 0
    assert search(client, "Feedback A1").context["results"].count == 0
    assert search(client, "Quiz question").context["results"].count == 0
    # What a reader sees before answering is found: the question and its options.
    response = search(client, "pelicans nest")
    assert [h.lesson.slug for h in response.context["results"].groups[0].lessons] == ["checked"]


# Showing ----------------------------------------------------------------------------------


def test_excerpts_escape_lesson_text_so_no_markup_is_injected(client, enrolled, course):
    client.force_login(enrolled)
    add_lesson(
        module_of(course),
        slug="xss",
        title="<b>Bold</b> title",
        text=f"&lt;script&gt;alert(1)&lt;/script&gt; {WORD} &lt;img src=x onerror=alert(2)&gt;",
        blocks=[{"type": "code", "value": {"language": "python", "code": f"'<script>{WORD}'"}}],
    )
    html = search(client, WORD).content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "<b>Bold</b>" not in html
    assert f"&lt;script&gt;alert(1)&lt;/script&gt; <mark>{WORD}</mark>" in html
    assert "&lt;b&gt;Bold&lt;/b&gt; title" in html


def test_highlight_and_excerpt_escape_and_mark_word_starts():
    assert highlight("Roadmaps & <roads>", ["road"]) == (
        "<mark>Roadmaps</mark> &amp; &lt;<mark>roads</mark>&gt;"
    )
    assert highlight("abroad", ["road"]) == "abroad"
    text = " ".join(["filler"] * 100 + ["target", "word"] + ["tail"] * 100)
    short = excerpt(text, ["target"], length=80)
    assert "<mark>target</mark>" in short
    assert short.startswith("… ") and short.endswith(" …")
    assert len(re.sub("<[^>]+>", "", short)) <= 80 + 4
    assert excerpt("No match here.", ["zzz"]) == "No match here."


def test_query_words_are_plain_words_only():
    assert search_terms('RICE "score" OR title:ICE* -effort NEAR(a b)') == [
        "rice",
        "score",
        "or",
        "title",
        "ice",
        "effort",
        "near",
        "a",
    ]
    assert search_terms("?!*") == []


@pytest.mark.parametrize(
    "query",
    ['"', "*", "NEAR(", "title:", "AND OR NOT", "'; DROP TABLE x; --", "ü ß 中文", "a" * 100],
)
def test_odd_queries_answer_a_page_not_an_error(client, course, query):
    search(client, query)


def test_an_empty_query_shows_the_search_box_and_suggestions(client, course, catalog):
    for response in (client.get("/search/"), search(client, ""), search(client, "   ")):
        html = response.content.decode()
        assert response.status_code == 200
        assert response.context["results"] is None
        assert "What would you like to learn?" in html
        assert f'href="{catalog.url}"' in html
        assert 'name="q"' in html


def test_a_query_of_no_words_says_what_to_type(client, course):
    html = search(client, "?!*").content.decode()
    assert "Search for a word or two" in html


def test_no_results_suggest_what_to_try(client, course):
    html = search(client, "xylophone").content.decode()
    assert "Nothing matches “xylophone”" in html
    assert "try fewer words" in html


def test_a_too_long_query_is_refused_with_a_message_and_kept(client, course):
    query = "roadmap " * 200
    response = search(client, query)
    html = response.content.decode()
    assert response.context["results"] is None
    assert "Searches are at most 100 characters long (this one has 1599)" in html
    assert 'aria-invalid="true"' in html


def test_words_beyond_the_limit_are_left_out_and_the_visitor_is_told(client, course):
    response = search(client, "lesson text " + " ".join(f"w{n}" for n in range(10)))
    assert response.context["results"].ignored_words == 4
    response = search(client, "text of lesson")
    assert response.context["results"].ignored_words == 0
    assert response.context["results"].count == 4
    assert "words were searched for" not in response.content.decode()


def test_results_come_in_pages_of_ten(client, course):
    module = module_of(course)
    for n in range(12):
        add_lesson(module, slug=f"many-{n}", title=f"Many {n}", text=WORD)
    first = search(client, WORD)
    assert first.context["results"].count == 12
    assert sum(len(g.lessons) for g in first.context["results"].groups) == 10
    assert "page=2" in first.content.decode()
    second = search(client, WORD, page=2)
    assert sum(len(g.lessons) for g in second.context["results"].groups) == 2
    seen = {
        h.lesson.pk for r in (first, second) for g in r.context["results"].groups for h in g.lessons
    }
    assert len(seen) == 12
    # Pages that do not exist show the nearest one.
    assert search(client, WORD, page=99).context["results"].page.number == 2
    assert search(client, WORD, page="x").context["results"].page.number == 1


@pytest.mark.parametrize("lessons", [3, 30])
def test_a_search_runs_a_bounded_number_of_queries(
    client, catalog, course, lessons, django_assert_max_num_queries
):
    """The same budget for 3 or 30 hits, three courses, a restriction and an editor-free learner."""
    learner = UserFactory()
    courses = [course] + [
        course_tree(catalog, slug=f"c{n}", title=f"C{n}", modules=1, lessons_per_module=0)
        for n in range(2)
    ]
    for n in range(lessons):
        add_lesson(module_of(courses[n % 3]), slug=f"l{n}", title=f"L{n}", text=WORD)
    enrolment_create(learner=learner, course=course)
    PageViewRestriction.objects.create(
        page=courses[2], restriction_type=PageViewRestriction.GROUPS
    ).groups.set([Group.objects.create(name="G")])
    client.force_login(learner)
    search(client, WORD)
    # user, restrictions (+ their groups, the user's groups), hidden drafts, count, hits
    # (+ one per page type), courses of the hits, enrolments.
    with django_assert_max_num_queries(12):
        response = search(client, WORD)
    assert response.context["results"].count == (lessons * 2 + 2) // 3


def test_the_site_header_links_to_search(client, course):
    html = client.get(course.url).content.decode()
    assert 'action="/search/"' in html or 'href="/search/"' in html
