"""Page tree rules: which page type lives under which."""

from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from courses.models import CourseIndexPage, CoursePage, HomePage, LessonPage, ModulePage


class CoursePageTreeTests(WagtailPageTestCase):
    def test_allowed_parents(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})
        self.assertAllowedParentPageTypes(CourseIndexPage, {HomePage})
        self.assertAllowedParentPageTypes(CoursePage, {CourseIndexPage})
        self.assertAllowedParentPageTypes(ModulePage, {CoursePage})
        self.assertAllowedParentPageTypes(LessonPage, {ModulePage})

    def test_allowed_children(self):
        self.assertAllowedSubpageTypes(HomePage, {CourseIndexPage})
        self.assertAllowedSubpageTypes(CourseIndexPage, {CoursePage})
        self.assertAllowedSubpageTypes(CoursePage, {ModulePage})
        self.assertAllowedSubpageTypes(ModulePage, {LessonPage})
        self.assertAllowedSubpageTypes(LessonPage, set())

    def test_lessons_only_inside_modules(self):
        self.assertCanCreateAt(ModulePage, LessonPage)
        self.assertCanNotCreateAt(CoursePage, LessonPage)
        self.assertCanNotCreateAt(CourseIndexPage, ModulePage)
        self.assertCanNotCreateAt(HomePage, CoursePage)


class CoursePagePreviewTests(WagtailPageTestCase):
    """Editors can render and preview every page type in the admin."""

    @classmethod
    def setUpTestData(cls):
        from tests.factories import catalog_page, course_tree, lessons_of, site_home

        cls.home = site_home()
        cls.catalog = catalog_page(cls.home)
        cls.course = course_tree(cls.catalog, slug="preview", title="Preview", modules=1)
        cls.lesson = lessons_of(cls.course)[0]

    def test_pages_are_previewable(self):
        for page in (self.catalog, self.course):
            self.assertPageIsPreviewable(page.specific)
        # StreamFields render client-side, so their form data is given rather than scraped.
        self.assertPageIsPreviewable(
            self.lesson,
            post_data=nested_form_data(
                {
                    "title": "Lesson 1.1",
                    "slug": "lesson-1-1",
                    "summary": "",
                    "estimated_minutes": 10,
                    "required": "on",
                    "body": streamfield(
                        [
                            ("heading", {"text": "Previewed heading", "level": "h2"}),
                            ("paragraph", rich_text("<p>Previewed text.</p>")),
                        ]
                    ),
                }
            ),
        )
        self.assertPageIsPreviewable(
            self.home,
            post_data=nested_form_data(
                {
                    "title": "PM Academy",
                    "slug": "home",
                    "tagline": "Learn product management.",
                    "intro": rich_text(""),
                    "featured_courses": inline_formset([]),
                    "body": streamfield([]),
                    "call_to_action": "Browse",
                }
            ),
        )

    def test_lesson_renders_for_editors_and_redirects_visitors(self):
        editor = self.create_superuser("editor", "editor@example.com", "pw")
        self.assertPageIsRenderable(self.lesson, user=editor)
        self.assertPageIsRenderable(self.lesson, accept_redirect=True)

    def test_new_course_and_lesson_preview_before_first_save(self):
        self.login()
        module = self.course.get_children().first()
        data = nested_form_data(
            {
                "title": "Brand new lesson",
                "slug": "brand-new-lesson",
                "summary": "",
                "estimated_minutes": 5,
                "required": "on",
                "body": streamfield([("paragraph", rich_text("<p>Fresh text.</p>"))]),
            }
        )
        url = f"/admin/pages/add/courses/lessonpage/{module.pk}/preview/"
        self.assertJSONEqual(
            self.client.post(url, data).content.decode(), {"is_valid": True, "is_available": True}
        )
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Fresh text.")

    def test_new_course_preview_before_first_save(self):
        self.login()
        data = nested_form_data(
            {
                "title": "Brand new course",
                "slug": "brand-new-course",
                "summary": "A fresh course.",
                "description": rich_text(""),
                "outcomes": "",
                "level": "beginner",
                "estimated_hours": 3,
                "pass_exercise_percent": 70,
                "exercises": inline_formset([]),
            }
        )
        url = f"/admin/pages/add/courses/coursepage/{self.catalog.pk}/preview/"
        self.assertJSONEqual(
            self.client.post(url, data).content.decode(), {"is_valid": True, "is_available": True}
        )
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "A fresh course.")
