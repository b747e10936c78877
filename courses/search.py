"""Site search: the courses and lessons a visitor may see that match their words, with excerpts.

Wagtail's search backend (WAGTAILSEARCH_BACKENDS: PostgreSQL full text on PostgreSQL, FTS5 on
SQLite) finds the pages; this module decides what the visitor may see of them:

- live pages of the request's site only, never one under an unpublished course or module;
- nothing under a view restriction the visitor does not pass (login, groups, shared password);
- a lesson's text is quoted only to those who may read the lesson (an active enrolment in its
  course, or an editor of the course). Everyone else sees its title and course, as the course
  outline shows them, and is told to enrol.

The index never holds what a reader sees only after answering: knowledge-check feedback,
explanations and graded quizzes (courses.blocks: get_searchable_content), so excerpts cannot
quote them either. Excerpts are plain text, escaped, with <mark> around the visitor's words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Exists, OuterRef
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from wagtail.models import Page, PageViewRestriction
from wagtail.rich_text import get_text_for_indexing

from .models import CoursePage, Enrolment, LessonPage
from .models.learning import EnrolmentStatus
from .selectors import learner_can_edit_course
from .sites import site_for_request

#: Longest query accepted, in characters; a longer one is refused with a message, not cut.
QUERY_MAX_LENGTH = 100
#: Words of a query that are searched for; the rest are ignored (and the visitor is told).
MAX_TERMS = 8
RESULTS_PER_PAGE = 10
EXCERPT_LENGTH = 240

_WORD = re.compile(r"\w+")


def _words(query: str) -> list[str]:
    words: list[str] = []
    for word in _WORD.findall(query.lower()):
        if word not in words:
            words.append(word)
    return words


def search_terms(query: str) -> list[str]:
    """The words of a query, lower-cased, each once, in order: what the backend is asked for.

    Only letters and digits reach the backend, so no query syntax (quotes, operators, FTS column
    filters) can be smuggled in, and every backend reads the same words.
    """
    return _words(query)[:MAX_TERMS]


# What the visitor may see ---------------------------------------------------------------------


def _passes(restriction: PageViewRestriction, *, request, group_ids: set[int]) -> bool:
    """Wagtail's PageViewRestriction.accept_request, with the user's groups read once."""
    user = request.user
    kind = restriction.restriction_type
    if kind == PageViewRestriction.PASSWORD:
        passed = request.session.get(restriction.passed_view_restrictions_session_key, [])
        return restriction.pk in passed
    if kind == PageViewRestriction.LOGIN:
        return bool(user.is_authenticated)
    if kind == PageViewRestriction.GROUPS:
        if user.is_superuser:
            return True
        return any(group.pk in group_ids for group in restriction.groups.all())
    return kind == PageViewRestriction.NONE


def _outermost(paths: Iterable[str]) -> list[str]:
    """The paths that lie under none of the others (excluding those excludes the rest)."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    return kept


def hidden_paths(*, request) -> list[str]:
    """Tree paths whose pages (and their descendants) this visitor must not find.

    Sections under a view restriction the visitor does not pass, with aliases of those pages
    (Wagtail applies a page's restrictions to its aliases), and unpublished pages that still
    have live pages below them. At most four queries, however many pages there are.
    """
    restrictions = list(
        PageViewRestriction.objects.select_related("page").prefetch_related("groups")
    )
    group_ids: set[int] = set()
    user = request.user
    needs_groups = any(r.restriction_type == PageViewRestriction.GROUPS for r in restrictions)
    if needs_groups and user.is_authenticated and not user.is_superuser:
        group_ids = set(user.groups.values_list("pk", flat=True))
    refused = [r.page for r in restrictions if not _passes(r, request=request, group_ids=group_ids)]
    paths = [page.path for page in refused]
    if refused:
        paths += Page.objects.filter(alias_of__in=refused).values_list("path", flat=True)
    # A page left live under an unpublished course or module is not served from the catalog.
    live_below = Page.objects.filter(
        live=True, path__startswith=OuterRef("path"), depth__gt=OuterRef("depth")
    )
    paths += (
        Page.objects.filter(live=False).filter(Exists(live_below)).values_list("path", flat=True)
    )
    return _outermost(paths)


def visible_pages(*, request):
    """Live courses and lessons of the request's site that this visitor may open."""
    pages = Page.objects.live().type(CoursePage, LessonPage)
    site = site_for_request(request)
    if site is not None:
        pages = pages.descendant_of(site.root_page)
    for path in hidden_paths(request=request):
        pages = pages.exclude(path__startswith=path)
    return pages


# Excerpts ---------------------------------------------------------------------------------------


def _term_pattern(terms: list[str]) -> re.Pattern[str] | None:
    if not terms:
        return None
    # A term marks the words it begins ("roadmap" marks "roadmaps"), as the backend's stemming
    # would find them; longest first, so "rice" and "ric" mark the whole word.
    alternatives = "|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\w*", re.IGNORECASE)


def highlight(text: str, terms: list[str]) -> SafeString:
    """`text` escaped, with <mark> around every word a term begins."""
    pattern = _term_pattern(terms)
    if pattern is None:
        return conditional_escape(text)
    parts: list[str] = []
    position = 0
    for match in pattern.finditer(text):
        parts.append(conditional_escape(text[position : match.start()]))
        parts.append(f"<mark>{conditional_escape(match.group(0))}</mark>")
        position = match.end()
    parts.append(conditional_escape(text[position:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text above is escaped


def excerpt(text: str, terms: list[str], *, length: int = EXCERPT_LENGTH) -> SafeString:
    """About `length` characters of `text` around the first term found, highlighted.

    Starts at the beginning when no term is in the text (the page matched on its title, or
    through the backend's stemming); ellipses say where text was left out.
    """
    text = " ".join(text.split())
    if not text:
        return mark_safe("")  # noqa: S308 - an empty string
    pattern = _term_pattern(terms)
    match = pattern.search(text) if pattern is not None else None
    start = 0
    if match is not None and match.start() > length // 4:
        start = match.start() - length // 4
        # Begin at a word.
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < match.start() else start
    end = min(len(text), start + length)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    body = highlight(text[start:end], terms)
    before = "… " if start > 0 else ""
    after = " …" if end < len(text) else ""
    return mark_safe(f"{before}{body}{after}")  # noqa: S308 - highlight() escaped the text


def lesson_text(lesson: LessonPage) -> str:
    """The lesson's text as a reader sees it before answering anything: what the index holds."""
    return " ".join(lesson.body.stream_block.get_searchable_content(lesson.body))


def course_text(course: CoursePage) -> str:
    """What the course page shows anyone: summary, description and outcomes."""
    return " ".join([course.summary, get_text_for_indexing(course.description), course.outcomes])


# Results ----------------------------------------------------------------------------------------


@dataclass
class LessonHit:
    lesson: LessonPage
    title: SafeString
    # None when the visitor may not read the lesson: only its title and course are shown.
    excerpt: SafeString | None


@dataclass
class CourseGroup:
    """One course and what matched in it, in the order the backend ranked them."""

    course: CoursePage
    title: SafeString
    # The course page's own excerpt when the course itself matched.
    excerpt: SafeString | None = None
    lessons: list[LessonHit] = field(default_factory=list)
    may_read: bool = False


@dataclass
class SearchResults:
    groups: list[CourseGroup]
    page: object  # django.core.paginator.Page over the ranked hits
    count: int
    terms: list[str]
    # Words beyond MAX_TERMS, left out of the search.
    ignored_words: int = 0


def _courses_of(pages: list[Page]) -> dict[str, CoursePage]:
    """The course above (or at) each page, by path, in one query."""
    prefixes = {
        page.path[:end]
        for page in pages
        for end in range(Page.steplen, len(page.path) + 1, Page.steplen)
    }
    return {course.path: course for course in CoursePage.objects.filter(path__in=prefixes)}


def _readable_course_ids(*, request, courses: Iterable[CoursePage]) -> set[int]:
    """Courses whose lessons this visitor may read: active enrolments, and courses they edit."""
    user = request.user
    courses = list(courses)
    if not user.is_authenticated or not courses:
        return set()
    readable = set(
        Enrolment.objects.filter(
            learner=user, course__in=courses, status=EnrolmentStatus.ACTIVE
        ).values_list("course_id", flat=True)
    )
    for course in courses:
        if course.pk not in readable and learner_can_edit_course(user=user, course=course):
            readable.add(course.pk)
    return readable


def site_search(*, request, query: str, page_number: str | int | None = 1) -> SearchResults:
    """The visible courses and lessons matching every word of `query`, best first, grouped."""
    terms = search_terms(query)
    ignored_words = len(_words(query)) - len(terms)
    if not terms:
        return SearchResults(groups=[], page=None, count=0, terms=[])
    found = visible_pages(request=request).specific().search(" ".join(terms), operator="and")
    paginator = Paginator(found, RESULTS_PER_PAGE)
    try:
        page = paginator.page(page_number or 1)
    except PageNotAnInteger:
        page = paginator.page(1)
    except EmptyPage:
        page = paginator.page(paginator.num_pages)
    hits = list(page.object_list)
    courses = _courses_of(hits)
    readable = _readable_course_ids(request=request, courses=courses.values())
    groups: dict[int, CourseGroup] = {}
    for hit in hits:
        course = next(
            (courses[p] for p in courses if hit.path.startswith(p)),
            None,
        )
        if course is None:  # pragma: no cover - a lesson always sits in a course
            continue
        group = groups.get(course.pk)
        if group is None:
            group = groups[course.pk] = CourseGroup(
                course=course,
                title=highlight(course.title, terms),
                may_read=course.pk in readable,
            )
        if isinstance(hit, CoursePage):
            group.excerpt = excerpt(course_text(hit), terms)
        elif isinstance(hit, LessonPage):
            group.lessons.append(
                LessonHit(
                    lesson=hit,
                    title=highlight(hit.title, terms),
                    excerpt=excerpt(lesson_text(hit), terms) if group.may_read else None,
                )
            )
    return SearchResults(
        groups=list(groups.values()),
        page=page,
        count=paginator.count,
        terms=terms,
        ignored_words=ignored_words,
    )
