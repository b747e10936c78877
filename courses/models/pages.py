"""Course pages (home, catalog, course, module, lesson), their mixin and the records they show.

HomePage, CourseIndexPage, CoursePage, ModulePage and LessonPage are the Wagtail page tree;
CourseTreePage reads their view restrictions; CourseExercise and HomeFeaturedCourse are the
orderables they edit inline; Skill (a snippet) and Level are what the catalog filters on.
Pages hold content: what a learner did is in courses.models.learning, which imports this
module, never the other way.
"""

from datetime import timedelta
from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, PageViewRestriction
from wagtail.search import index
from wagtail.url_routing import RouteResult

from accounts.models import INSTRUCTORS_GROUP
from exercises.points import PointsField
from grading.choosers import exercise_chooser_viewset

from ..blocks import (
    HomeBodyBlock,
    LessonBodyBlock,
    knowledge_checks_in,
    quiz_question_count,
    quizzes_in,
)

# A learner reading on in the same lesson is not news: their place is rewritten after this long.
LESSON_VIEW_REFRESH = timedelta(minutes=5)


class Level(models.TextChoices):
    BEGINNER = "beginner", _("Beginner")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")


class Skill(index.Indexed, models.Model):
    """A skill a course teaches; the catalog filters on it."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# Pages ------------------------------------------------------------------------------------


if TYPE_CHECKING:
    from wagtail.models import Page as _PageMixinBase  # what the mixin is always combined with
else:
    _PageMixinBase = object


def originals(pages):
    """Only the pages in the default locale. A translation is presentation of its original
    (docs/translation.md): never a course of its own to enrol in, teach, grade or list."""
    return pages.filter(locale__language_code=settings.LANGUAGE_CODE.split("-")[0])


class CourseTreePage(_PageMixinBase):
    """View restrictions of course pages in one query (Wagtail's default takes two).

    A page routed by HomePage.route carries `pma_view_restricted` from the routing query itself;
    no further query is needed when it is False.
    """

    def get_view_restrictions(self):
        restricted = getattr(self, "pma_view_restricted", None)
        if restricted is False:
            return PageViewRestriction.objects.none()
        if restricted is None and not self.alias_of_id:
            steps = range(self.steplen, len(self.path) + 1, self.steplen)
            paths = [self.path[:end] for end in steps]
            # An ancestor that is an alias takes the restrictions of its source page.
            return PageViewRestriction.objects.filter(
                Q(page__path__in=paths) | Q(page__aliases__path__in=paths)
            ).distinct()
        return super().get_view_restrictions()

    @property
    def content_language(self) -> str:
        """The language of the text this page shows (see courses.localization), for `lang`."""
        from ..localization import language_of

        return language_of(self)

    @property
    def lang_attr(self) -> str:
        """` lang="en"` where the shown text is not in the reader's language, else nothing."""
        from django.utils.html import format_html
        from django.utils.translation import get_language

        language = self.content_language
        if language == (get_language() or "").split("-")[0]:
            return ""
        return format_html(' lang="{}"', language)


class HomePage(CourseTreePage, Page):
    """The site root: what PM Academy is, featured courses, a call to action."""

    tagline = models.CharField(max_length=200, help_text=_("One sentence under the title."))
    intro = RichTextField(blank=True, features=["bold", "italic", "link", "ul"])
    body = StreamField(HomeBodyBlock(), blank=True)
    call_to_action = models.CharField(
        max_length=80, default="Browse the courses", help_text=_("Label of the main button.")
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("tagline"),
        FieldPanel("intro"),
        InlinePanel("featured_courses", label=_("Featured courses"), max_num=6),
        FieldPanel("body"),
        FieldPanel("call_to_action"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("tagline"), index.SearchField("intro")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["courses.CourseIndexPage"]
    max_count = 1
    template = "courses/home_page.html"

    def route(self, request, path_components):
        # Below the home page each depth holds one page type (parent_page_types), so the page
        # a URL names is found in one query, view restrictions included, instead of two queries
        # per level. Anything else (a 404, a page type added later) takes Wagtail's way.
        model = ROUTED_PAGE_TYPES.get(len(path_components))
        if model is not None:
            from ..selectors import view_restricted

            found = (
                model.objects.filter(
                    depth=self.depth + len(path_components),
                    path__startswith=self.path,
                    url_path=f"{self.url_path}{'/'.join(path_components)}/",
                    live=True,
                )
                .annotate(pma_view_restricted=view_restricted())
                .select_related(*ROUTED_RELATED.get(model, ()))
                .first()
            )
            if found is not None:
                return RouteResult(found)
        return super().route(request, path_components)

    def get_context(self, request, *args, **kwargs):
        from django.utils.functional import SimpleLazyObject

        from ..localization import localize_pages, localized_copy
        from ..selectors import home_featured_courses

        context = super().get_context(request, *args, **kwargs)
        context["page"] = context[self.context_object_name] = localized_copy(self, request=request)
        # Read only when rendered: the page cache usually holds the parts that show them.
        context["featured"] = SimpleLazyObject(
            lambda: localize_pages(home_featured_courses(home=self), request=request)
        )
        context["catalog"] = SimpleLazyObject(
            lambda: CourseIndexPage.objects.live().descendant_of(self).first()
        )
        return context


class HomeFeaturedCourse(Orderable):
    home = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="featured_courses")
    course = models.ForeignKey("courses.CoursePage", on_delete=models.CASCADE, related_name="+")

    panels = [FieldPanel("course")]


class CourseIndexPage(CourseTreePage, Page):
    """The catalog, filterable by level and skill."""

    intro = RichTextField(blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    parent_page_types = ["courses.HomePage"]
    subpage_types = ["courses.CoursePage"]
    max_count = 1
    template = "courses/course_index_page.html"

    def get_context(self, request, *args, **kwargs):
        from django.utils.functional import SimpleLazyObject

        from ..forms import CatalogFilterForm
        from ..localization import localize_pages, localized_copy
        from ..selectors import catalog_courses

        context = super().get_context(request, *args, **kwargs)
        context["page"] = context[self.context_object_name] = localized_copy(self, request=request)
        form = CatalogFilterForm(request.GET or None)
        level = skill = None
        if form.is_bound and form.is_valid():
            level = form.cleaned_data["level"] or None
            skill = form.cleaned_data["skill"]
        context["filter_form"] = form
        # Read only when the page cache misses the results for these filters (in one query per
        # page type for the translated titles and summaries).
        courses = catalog_courses(catalog=self, level=level, skill=skill)
        context["courses"] = SimpleLazyObject(lambda: localize_pages(courses, request=request))
        context["is_filtered"] = bool(level or skill)
        context["filter_key"] = f"{level or ''}:{skill.pk if skill else ''}"
        return context


class CoursePage(CourseTreePage, Page):
    """A course: overview, outcomes, who teaches it and what it takes to pass."""

    summary = models.TextField(
        max_length=600, help_text=_("Two or three sentences for the catalog.")
    )
    description = RichTextField(blank=True, features=["h3", "bold", "italic", "link", "ol", "ul"])
    outcomes = models.TextField(
        blank=True, help_text=_("What learners will be able to do, one outcome per line.")
    )
    level = models.CharField(max_length=20, choices=Level.choices, default=Level.BEGINNER)
    estimated_hours = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    skills = ParentalManyToManyField(Skill, blank=True, related_name="courses")
    instructors = ParentalManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="taught_courses",
        limit_choices_to={"groups__name": INSTRUCTORS_GROUP},
        help_text=_("Members of the Instructors group who may edit this course."),
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Optional; printed on certificates."),
    )
    pass_exercise_percent = models.PositiveSmallIntegerField(
        _("exercise share needed (%)"),
        default=70,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "Share of the course's exercise points a learner needs. Ignored when the course "
            "has no exercises. Lessons marked as required must all be completed as well."
        ),
    )
    certificate_valid_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leave empty for certificates that never expire."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("description"),
        FieldPanel("outcomes"),
        MultiFieldPanel(
            [FieldPanel("level"), FieldPanel("estimated_hours"), FieldPanel("skills")],
            heading=_("Catalog"),
        ),
        FieldPanel("logo"),
    ]
    settings_panels = [
        *Page.settings_panels,
        FieldPanel("instructors", widget=forms.CheckboxSelectMultiple),
        MultiFieldPanel(
            [
                FieldPanel("pass_exercise_percent"),
                InlinePanel("exercises", label=_("Exercises counted for passing")),
                FieldPanel("certificate_valid_months"),
            ],
            heading=_("Pass rules and certificate"),
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("description"),
        index.FilterField("level"),
    ]

    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.ModulePage"]
    template = "courses/course_page.html"

    @property
    def outcome_list(self) -> list[str]:
        return [line.strip() for line in self.outcomes.splitlines() if line.strip()]

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        # Publishing writes the live instructors; keep the per-course permission group in step so
        # Wagtail's own permission checks enforce who may edit this course.
        if update_fields is None or "instructors" in update_fields or "slug" in update_fields:
            from ..services import course_instructors_sync

            course_instructors_sync(course=self)

    def get_context(self, request, *args, **kwargs):
        from django.utils.functional import SimpleLazyObject

        from ..localization import localize_outline, localize_pages, localized_copy
        from ..selectors import course_overview

        context = super().get_context(request, *args, **kwargs)
        # Enrolment, progress and the next lesson belong to this, the original page; a reader
        # in another language sees the translated text (courses.localization).
        context.update(course_overview(course=self, learner=request.user, request=request))
        context["page"] = context[self.context_object_name] = localized_copy(self, request=request)
        context["outline"] = localize_outline(context["outline"], request=request)
        context["catalog"] = SimpleLazyObject(
            lambda: localize_pages([self.get_parent()], request=request)[0]
        )
        return context


# models.Model is already Orderable's base; named here for the type checker, which sees Wagtail's
# Orderable as untyped and would otherwise not type Exercise.course_uses (the reverse relation).
class CourseExercise(Orderable, models.Model):
    """An exercise whose points count towards the course's pass rule.

    Scores are recorded against the exercise itself (CourseExerciseScore.exercise), so renaming
    an exercise's slug changes nothing here.
    """

    course = ParentalKey(CoursePage, on_delete=models.CASCADE, related_name="exercises")
    # PROTECT: an exercise a course counts cannot be deleted from under the course's pass rules.
    exercise = models.ForeignKey(
        "exercises.Exercise", on_delete=models.PROTECT, related_name="course_uses"
    )
    title = models.CharField(max_length=200)
    max_points = PointsField(validators=[MinValueValidator(0)])
    pass_percent = models.PositiveSmallIntegerField(
        _("share of this exercise needed (%)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_(
            "Leave empty when the exercise only counts towards the course's exercise share. Set it "
            "for an exercise learners must pass on its own, such as a capstone: without this share "
            "of its points the course is not complete, whatever the other scores."
        ),
    )

    panels = [
        FieldPanel("title"),
        FieldPanel("exercise", widget=exercise_chooser_viewset.widget_class),
        FieldPanel("max_points"),
        FieldPanel("pass_percent"),
    ]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["course", "exercise"], name="unique_course_exercise")
        ]

    def __str__(self) -> str:
        return self.title


class ModulePage(CourseTreePage, Page):
    summary = models.TextField(blank=True, max_length=600)

    content_panels = [*Page.content_panels, FieldPanel("summary")]

    parent_page_types = ["courses.CoursePage"]
    subpage_types = ["courses.LessonPage"]
    template = "courses/module_page.html"

    def serve(self, request, *args, **kwargs):
        # A module has no content of its own; its place in the course outline is the course page.
        if getattr(request, "is_preview", False):
            return super().serve(request, *args, **kwargs)
        course = self.get_parent()
        return redirect(f"{course.url}#module-{self.pk}")

    def get_context(self, request, *args, **kwargs):
        from ..localization import localized_copy

        context = super().get_context(request, *args, **kwargs)
        context["page"] = context[self.context_object_name] = localized_copy(self, request=request)
        return context


class LessonPage(CourseTreePage, Page):
    summary = models.TextField(blank=True, max_length=600)
    estimated_minutes = models.PositiveSmallIntegerField(default=10)
    required = models.BooleanField(
        _("required to pass"),
        default=True,
        help_text=_("Learners must complete required lessons to complete the course."),
    )
    body = StreamField(LessonBodyBlock())
    pass_check_percent = models.PositiveSmallIntegerField(
        _("knowledge checks needed to pass (%)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_(
            "The share of the lesson's graded quiz a learner must get right, in their best "
            "attempt, to complete the course. Add a graded quiz to the body first: knowledge "
            "checks give instant feedback and unlimited tries, so they cannot decide completion. "
            "Leave empty for lessons that do not gate completion."
        ),
    )
    # Kept in step with body on every save, so progress counts questions without reading bodies:
    # the knowledge checks, and the questions each learner answers in the graded quiz.
    knowledge_check_count = models.PositiveSmallIntegerField(default=0, editable=False)
    quiz_question_count = models.PositiveSmallIntegerField(default=0, editable=False)

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("estimated_minutes"),
        FieldPanel("required"),
        FieldPanel("pass_check_percent"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]

    parent_page_types = ["courses.ModulePage"]
    subpage_types: list[str] = []
    template = "courses/lesson_page.html"

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "body" in update_fields:
            self.knowledge_check_count = len(knowledge_checks_in(self.body))
            self.quiz_question_count = quiz_question_count(self.body)
            if update_fields is not None:
                kwargs["update_fields"] = [
                    *update_fields,
                    "knowledge_check_count",
                    "quiz_question_count",
                ]
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.pass_check_percent is not None and not quizzes_in(self.body):
            raise ValidationError(
                {
                    "pass_check_percent": _(
                        "Add a graded quiz to the lesson, or leave this empty. Knowledge checks "
                        "give instant feedback and unlimited tries, so they cannot decide "
                        "completion."
                    )
                }
            )

    @cached_property
    def course(self) -> CoursePage:
        return CoursePage.objects.ancestor_of(self).get()

    def knowledge_check(self, block_id: str):
        for child in knowledge_checks_in(self.body):
            if child.id == block_id:
                return child
        return None

    def quiz(self, block_id: str):
        for child in quizzes_in(self.body):
            if child.id == block_id:
                return child
        return None

    def serve(self, request, *args, **kwargs):
        from ..selectors import enrolment_for_lesson, learner_can_edit_course
        from ..services import lesson_view_record

        user = request.user
        if not getattr(request, "is_preview", False):
            enrolment = enrolment_for_lesson(learner=user, lesson=self)
            if enrolment is not None:
                # The enrolment query brought the course along.
                self.course = enrolment.course
            if enrolment is not None and enrolment.is_active:
                if _view_is_news(enrolment=enrolment, lesson=self):
                    lesson_view_record(enrolment=enrolment, lesson=self)
                # get_context reuses it rather than asking the database again.
                self._serving_enrolment = enrolment
            elif not learner_can_edit_course(user=user, course=self.course):
                messages.info(request, _("Enrol in this course to read its lessons."))
                return redirect(self.course.url)
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from ..localization import localize_outline, localize_pages, localized_copy
        from ..selectors import lesson_context

        context = super().get_context(request, *args, **kwargs)
        # What is read is the translation where there is one; what is recorded (views, answers,
        # completion) is always this original lesson, whose block ids the translation shares.
        shown = localized_copy(self, request=request)
        context["page"] = context[self.context_object_name] = shown
        context.update(
            lesson_context(
                lesson=shown,
                course=self.course,
                learner=request.user,
                enrolment=getattr(self, "_serving_enrolment", None),
                check_errors=getattr(request, "knowledge_check_errors", None) or {},
                quiz_input=getattr(request, "quiz_input", None) or {},
                request=request,
            )
        )
        outline = localize_outline(context["outline"], request=request)
        context["outline"] = outline
        by_pk = {item.module.pk: item.module for item in outline}
        by_pk.update((entry.lesson.pk, entry.lesson) for item in outline for entry in item.lessons)
        for name in ("module", "previous_lesson", "next_lesson"):
            if context.get(name) is not None:
                context[name] = by_pk.get(context[name].pk, context[name])
        if context.get("course") is not None:
            context["course"] = localize_pages([context["course"]], request=request)[0]
        return context


def _view_is_news(*, enrolment, lesson: LessonPage) -> bool:
    """Whether this view moves the learner's place: another lesson, or a while since the last."""
    last = enrolment.last_activity_at
    return (
        enrolment.last_lesson_id != lesson.pk
        or last is None
        or timezone.now() - last >= LESSON_VIEW_REFRESH
    )


ROUTED_PAGE_TYPES: dict[int, type[Page]] = {
    1: CourseIndexPage,
    2: CoursePage,
    3: ModulePage,
    4: LessonPage,
}
ROUTED_RELATED: dict[type[Page], tuple[str, ...]] = {CoursePage: ("logo",)}
