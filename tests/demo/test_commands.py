"""load_demo builds the demo site once; create_demo_accounts only runs with DEBUG."""

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from wagtail.models import Page, PageLogEntry, Revision, Site

from courses.blocks import knowledge_checks_in, quiz_questions, quizzes_in
from courses.models import CoursePage, HomePage, KnowledgeCheckAnswer, LessonPage, Skill


def _snapshot():
    return (
        list(
            Page.objects.order_by("path").values_list("path", "slug", "live", "latest_revision_id")
        ),
        Revision.objects.count(),
        Skill.objects.count(),
        list(Site.objects.values_list("hostname", "root_page_id", "is_default_site")),
    )


@pytest.mark.django_db
def test_load_demo_builds_the_site_and_is_idempotent(client):
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "Demo content ready (43 pages added)." in out.getvalue()
    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)
    foundations = CoursePage.objects.get(slug="product-management-foundations")
    lessons = LessonPage.objects.live().descendant_of(foundations)
    assert lessons.count() == 16
    for lesson in lessons:
        checks = [check.value for check in knowledge_checks_in(lesson.body)]
        questions = [
            q for quiz in quizzes_in(lesson.body) for q in quiz_questions(quiz.value).values()
        ]
        assert lesson.knowledge_check_count == len(checks)
        assert len(checks) + len(questions) >= 1
        for check in [*checks, *questions]:
            options = [b.value for b in check["options"].bound_blocks]
            assert any(o["is_correct"] for o in options)
            assert all(o["text"] and o["feedback"] for o in options)
    assert CoursePage.objects.live().filter(locale__language_code="en").count() == 3

    before = _snapshot()
    log_entries = PageLogEntry.objects.count()
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "nothing changed" in out.getvalue()
    assert _snapshot() == before
    assert PageLogEntry.objects.count() == log_entries

    assert client.get("/").status_code == 200
    catalog = client.get("/courses/?level=intermediate")
    assert [c.title for c in catalog.context["courses"]] == ["Prioritization with RICE and ICE"]
    assert client.get(foundations.url).status_code == 200
    assert not KnowledgeCheckAnswer.objects.exists()


@pytest.mark.django_db
def test_create_demo_accounts_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only runs when DEBUG is on"):
        call_command("create_demo_accounts")
    assert not get_user_model().objects.exists()


@pytest.mark.django_db
def test_create_demo_accounts_with_debug_is_idempotent(settings, client):
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    out = StringIO()
    call_command("create_demo_accounts", stdout=out)
    call_command("create_demo_accounts", stdout=StringIO())
    User = get_user_model()
    assert User.objects.count() == 3
    assert "instructor@pm-academy.local / teach-products-42" in out.getvalue()
    assert EmailAddress.objects.filter(verified=True, primary=True).count() == 3
    admin = User.objects.get(email="admin@pm-academy.local")
    assert admin.is_superuser and admin.certificate_name == "Ada Admin"
    instructor = User.objects.get(email="instructor@pm-academy.local")
    course = CoursePage.objects.get(slug="product-management-foundations")
    assert list(course.instructors.all()) == [instructor]
    assert course.permissions_for_user(instructor).can_edit()
    assert client.login(email="learner@pm-academy.local", password="learn-products-42")


@pytest.mark.django_db
def test_the_demo_site_answers_at_the_base_url(settings):
    settings.WAGTAILADMIN_BASE_URL = "https://academy.example"
    call_command("load_demo", stdout=StringIO())
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("academy.example", 443)
    foundations = CoursePage.objects.get(slug="product-management-foundations")
    assert foundations.get_full_url() == (
        "https://academy.example/courses/product-management-foundations/"
    )
