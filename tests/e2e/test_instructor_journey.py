"""An instructor at work in the Wagtail admin, in chromium: a notebook exercise, a module and a
lesson built from StreamField blocks, published; then the gradebook and the analytics charts.

The notebook's validation runs for real: saving the exercise queues it, and the grading worker
runs the reference solution and the release notebook in the sandbox.
"""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from courses.models import LessonPage, ModulePage

from .analytics_charts import wait_for_charts
from .live_site import database_turn
from .logins import admin_log_in
from .site_content import certified_learner, learner_course

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.sandbox,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NOTEBOOK = (
    Path(__file__).resolve().parent.parent
    / "fixtures"
    / "exercises"
    / "rice_nbgrader_schema3.ipynb"
)


def publish(page) -> None:
    """The editor's footer: Publish sits in the action menu behind "More actions"."""
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish").click()


def test_instructor_authors_validates_publishes_and_reads_the_gradebook(
    page, grading_worker, password
):
    with database_turn():
        site = learner_course()
        instructor = site.instructor
        # A lead instructor: also a moderator, so their pages publish without a second person.
        instructor.groups.add(Group.objects.get(name="Moderators"))
        certified_learner(site.course, name="Grace Hopper", percent=92)

    admin_log_in(page, instructor.username, password)

    # Upload the notebook; the worker validates it in the sandbox.
    page.goto("/admin/exercises/new/")
    page.get_by_label("Title").fill("RICE scoring, schema 3")
    page.locator("input[name=slug]").fill("rice-schema-3")
    page.locator("input[name=source_file]").set_input_files(NOTEBOOK)
    page.get_by_role("button", name="Create").click()
    expect(page).to_have_url(re.compile(r"/admin/exercises/inspect/\d+/$"))
    grading_worker.wait_until_idle()
    page.reload()
    report = page.get_by_role("main")
    expect(report).to_contain_text("Learners are graded against revision 1 (6 points).")
    expect(report).to_contain_text(
        "The reference solution scores full marks (5 / 6) and the release notebook scores 0."
    )

    # A module under the course, published.
    page.goto(f"/admin/pages/{site.course.pk}/add_subpage/")
    page.locator("#id_title").fill("Weighing cost of delay")
    page.locator("#id_title").press("Tab")
    # Leaving the title fills in the slug, a moment later: Publish before that sends an empty one.
    expect(page.locator("input[name=slug]")).to_have_value("weighing-cost-of-delay")
    publish(page)
    expect(page.locator(".messages")).to_contain_text(
        "Page 'Weighing cost of delay' created and published."
    )
    with database_turn():
        module = ModulePage.objects.get(title="Weighing cost of delay")
    assert module.live and module.get_parent().pk == site.course.pk

    # A lesson of StreamField blocks: a heading, a paragraph and the new exercise.
    page.goto(f"/admin/pages/{module.pk}/add_subpage/")
    page.locator("#id_title").fill("Cost of delay in practice")
    page.locator("#id_title").press("Tab")
    expect(page.locator("input[name=slug]")).to_have_value("cost-of-delay-in-practice")
    body = page.locator("[data-contentpath=body]")

    def add_block(label: str) -> None:
        body.locator(".c-sf-add-button").last.click()
        page.get_by_role("option", name=label).click()

    add_block("Heading")
    page.locator("#body-0-value-text").fill("Why cost of delay matters")
    add_block("Paragraph")
    body.locator("[contenteditable=true]").last.click()
    page.keyboard.type("Cost of delay puts a price on waiting.")
    add_block("Notebook exercise")
    body.get_by_role("button", name="Choose an exercise").click()
    page.get_by_role("dialog").get_by_role("link", name="RICE scoring, schema 3").click()
    expect(body).to_contain_text("RICE scoring, schema 3")
    publish(page)
    # "created and published", or "has been published" when Wagtail's autosave kept a draft first.
    expect(page.locator(".messages")).to_contain_text(
        re.compile(r"Page 'Cost of delay in practice' (created and published|has been published)\.")
    )
    with database_turn():
        lesson = LessonPage.objects.get(title="Cost of delay in practice")
    assert lesson.live
    assert [block.block_type for block in lesson.body] == ["heading", "paragraph", "exercise"]

    # The published lesson as learners will see it.
    page.get_by_role("link", name="View live").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cost of delay in practice")
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", name="Why cost of delay matters")).to_be_visible()
    expect(main).to_contain_text("Cost of delay puts a price on waiting.")
    expect(main.get_by_role("heading", name="Exercise: RICE scoring, schema 3")).to_be_visible()

    # The gradebook, then the analytics charts drawn by Chart.js.
    page.goto("/admin/gradebook/")
    page.get_by_role("link", name=site.course.title).first.click()
    expect(page).to_have_url(re.compile(rf"/admin/gradebook/{site.course.pk}/$"))
    expect(page.get_by_role("main")).to_contain_text("Grace Hopper")
    page.get_by_role("link", name="Analytics").first.click()
    canvases = page.locator("canvas[data-chart]")
    expect(canvases.first).to_be_visible()
    wait_for_charts(page)
    drawn = canvases.evaluate_all(
        "cs => cs.map(c => [c.dataset.chart, window.Chart.getChart(c).config.type])"
    )
    assert drawn == [["funnel", "bar"], ["distribution", "bar"], ["activity", "line"]]
