"""The demo site: home page, catalog, the flagship course and two short courses (short_courses.py).

The flagship's course page and first module are also published in German (translations.py).

`demo_site_build` matches pages on slugs and exercises on their slug, so running it twice changes
nothing. When the demo content itself changes between versions, the page gets a new published
revision (never a duplicate page); a page that a person has edited since the last load keeps
their version. The flagship course's content lives in demo/flagship/.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from wagtail.models import Page, Site

from courses.models import (
    CourseExercise,
    CourseIndexPage,
    CoursePage,
    HomePage,
    LessonPage,
    ModulePage,
    Skill,
)

from .flagship.authoring import Module, body_stream
from .flagship.foundations import ROLE_MODULES
from .flagship.notebook_exercises import (
    CAPSTONE_SLUG,
    DEMO_EXERCISES,
    ExerciseSyncReport,
    demo_exercises_sync,
    demo_exercises_validate,
)
from .flagship.prioritization import CAPSTONE_PASS_PERCENT, PRIORITIZATION_MODULES
from .short_courses import ROADMAP_MODULES, SCORING_MODULES
from .translations import demo_translations_sync

SKILLS = {
    "product-strategy": "Product strategy",
    "prioritization": "Prioritization",
    "communication": "Communication",
    "user-research": "User research",
    "roadmapping": "Roadmapping",
}


@dataclass(frozen=True)
class Course:
    slug: str
    title: str
    summary: str
    description: str
    outcomes: str
    level: str
    estimated_hours: int
    skills: tuple[str, ...]
    certificate_valid_months: int | None
    modules: tuple[Module, ...]
    pass_exercise_percent: int = 70
    # (exercise slug, its own pass share or None): the exercises counted for passing
    exercises: tuple[tuple[str, int | None], ...] = ()


FOUNDATIONS = Course(
    slug="product-management-foundations",
    title="Product Management Foundations",
    summary=(
        "What product managers do, how the role differs from project management, the skills and "
        "tools it calls for, how people get into it, and six prioritization methods practised in "
        "graded notebooks."
    ),
    description=(
        "<p>This course gives you a working picture of product management and then has you "
        "practise its core decision: what to build next. You will learn where the product manager "
        "sits in a team, which decisions are theirs, which skills and tools the job needs and how "
        "people move into it. Then you will rank real backlogs with RICE, ICE, MoSCoW, Kano, WSJF "
        "and weighted scoring, and finish with a capstone roadmap.</p>"
        "<h3>What it takes to pass</h3>"
        "<ul><li>Complete every lesson.</li>"
        "<li>Answer at least four of the five final quiz questions correctly, in the best of "
        "three attempts.</li>"
        f"<li>Score at least {CAPSTONE_PASS_PERCENT}% on the capstone exercise.</li>"
        "<li>Earn at least 70% of all exercise points.</li></ul>"
    ),
    outcomes=(
        "Explain what a product manager is accountable for, day to day and over a product's life\n"
        "Tell product management apart from project management\n"
        "Name the six core skills of the role and the tool categories that support them\n"
        "Describe the three pillars of the product life cycle\n"
        "Plan a realistic route into a first product role\n"
        "Prioritize a backlog with RICE, ICE, MoSCoW, Kano, WSJF and weighted scoring\n"
        "Turn a scored backlog into a roadmap that respects dependencies and capacity"
    ),
    level="beginner",
    estimated_hours=12,
    skills=("product-strategy", "prioritization", "communication", "user-research", "roadmapping"),
    certificate_valid_months=None,
    modules=(*ROLE_MODULES, *PRIORITIZATION_MODULES),
    pass_exercise_percent=70,
    exercises=tuple(
        (spec.slug, CAPSTONE_PASS_PERCENT if spec.slug == CAPSTONE_SLUG else None)
        for spec in DEMO_EXERCISES
    ),
)

SMALL_COURSES = (
    Course(
        slug="prioritization-with-rice-and-ice",
        title="Prioritization with RICE and ICE",
        summary=(
            "Score a backlog with RICE and ICE, feed the scores with evidence, and turn the "
            "ranking into a plan your stakeholders trust."
        ),
        description=(
            "<p>A short, practical course for product managers who already know why "
            "prioritization matters and want to do it well. You will estimate each RICE factor "
            "so that scores can be compared, triage many small ideas with ICE and an anchored "
            "rubric, find evidence for your estimates, and turn a ranked list into a plan that "
            "respects dependencies, strategy and capacity.</p>"
            "<h3>What it takes to pass</h3>"
            "<ul><li>Complete all four lessons.</li></ul>"
        ),
        outcomes=(
            "Estimate reach, impact, confidence and effort consistently and score a backlog with "
            "RICE\n"
            "Triage many small ideas with ICE and an anchored scoring rubric\n"
            "Raise confidence in an estimate with a cheap test before building\n"
            "Turn a ranking into a plan that respects dependencies, strategy and capacity"
        ),
        level="intermediate",
        estimated_hours=1,
        skills=("prioritization", "product-strategy"),
        certificate_valid_months=24,
        modules=SCORING_MODULES,
    ),
    Course(
        slug="roadmaps-and-stakeholders",
        title="Roadmaps and Stakeholders",
        summary=(
            "Build outcome-based roadmaps with now, next and later horizons, and keep leadership, "
            "teams and customers aligned on them."
        ),
        description=(
            "<p>How to plan in themes and outcomes rather than feature lists, how to show "
            "certainty honestly with time horizons, who your stakeholders are and what each of "
            "them needs, and how to say no and run a roadmap review without losing allies.</p>"
            "<h3>What it takes to pass</h3>"
            "<ul><li>Complete all four lessons.</li></ul>"
        ),
        outcomes=(
            "Write roadmap items as measurable outcomes grouped in themes\n"
            "Lay out a now-next-later roadmap that matches detail to certainty\n"
            "Map stakeholders by influence and interest and plan how to work with each\n"
            "Decline a request by making its trade-off visible, and run a roadmap review"
        ),
        level="advanced",
        estimated_hours=1,
        skills=("roadmapping", "communication"),
        certificate_valid_months=36,
        modules=ROADMAP_MODULES,
    ),
)

DEMO_COURSES = (FOUNDATIONS, *SMALL_COURSES)


@dataclass
class DemoReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    # Pages whose demo content changed but which a person has edited since: left alone.
    kept: list[str] = field(default_factory=list)
    exercises: ExerciseSyncReport = field(default_factory=ExerciseSyncReport)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.exercises.changed)

    @staticmethod
    def _label(page: Page) -> str:
        return f"{page.specific_class.__name__} {page.url_path}"


# Pages --------------------------------------------------------------------------------------


def _publish_new_child(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def _edited_by_a_person(page: Page) -> bool:
    revision = page.latest_revision
    return revision is not None and revision.user_id is not None


def _stream_prep(page_model, name: str, value) -> list:
    stream_block = page_model._meta.get_field(name).stream_block
    if not hasattr(value, "raw_data"):
        value = stream_block.to_python(value)
    return stream_block.get_prep_value(value)


def _differs(page: Page, fields: dict) -> bool:
    for name, wanted in fields.items():
        current = getattr(page, name)
        if name == "body":
            if _stream_prep(type(page), name, current) != _stream_prep(type(page), name, wanted):
                return True
        elif name == "skills":
            if {skill.pk for skill in current.all()} != {skill.pk for skill in wanted}:
                return True
        elif name == "exercises":
            have = [
                (e.exercise_id, e.title, Decimal(e.max_points), e.pass_percent)
                for e in current.all()
            ]
            if have != [
                (e.exercise_id, e.title, Decimal(e.max_points), e.pass_percent) for e in wanted
            ]:
                return True
        elif current != wanted:
            return True
    return False


def _apply(page: Page, fields: dict) -> None:
    for name, wanted in fields.items():
        if name == "exercises":
            existing = {e.exercise_id: e for e in page.exercises.all()}
            children = []
            for position, item in enumerate(wanted):
                child = existing.get(item.exercise_id) or CourseExercise(
                    exercise_id=item.exercise_id
                )
                child.title, child.max_points = item.title, item.max_points
                child.pass_percent, child.sort_order = item.pass_percent, position
                children.append(child)
            page.exercises = children
        else:
            setattr(page, name, wanted)


def _sync_child(parent: Page, model, slug: str, report: DemoReport, **fields):
    """The child page with this slug, created or brought up to date with the demo content."""
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        page = model(slug=slug)
        _apply(page, fields)
        page = _publish_new_child(parent, page)
        report.created.append(report._label(page))
        return page
    if not _differs(page, fields):
        return page
    if _edited_by_a_person(page):
        report.kept.append(report._label(page))
        return page
    _apply(page, fields)
    page.save_revision().publish()
    page.refresh_from_db()
    report.updated.append(report._label(page))
    return page


def _keep_order(parent: Page, pages: list[Page]) -> None:
    """Put the demo's pages in the demo's order (pages added by an editor stay where they are)."""
    wanted = [page.pk for page in pages]
    current = [pk for pk in parent.get_children().values_list("pk", flat=True) if pk in wanted]
    if current == wanted:
        return
    for pk in wanted:
        Page.objects.get(pk=pk).move(Page.objects.get(pk=parent.pk), pos="last-child")


def _site_home(report: DemoReport) -> HomePage:
    """The site's root page as a HomePage, replacing Wagtail's untouched welcome page."""
    site = Site.objects.filter(is_default_site=True).first()
    if site is not None and isinstance(site.root_page.specific, HomePage):
        _site_address_follow_base_url(site, report)
        return site.root_page.specific
    root = Page.get_first_root_node()
    home = HomePage.objects.child_of(root).first()
    if home is None:
        welcome = Page.objects.child_of(root).filter(slug="home").first()
        if welcome is not None and welcome.specific_class is Page and not welcome.get_children():
            # Deleting the welcome page also deletes the site pointing at it (a cascade); the site
            # is recreated below with the same host name and port.
            welcome.delete()
            root.refresh_from_db()
        home = _publish_new_child(
            root,
            HomePage(
                title="PM Academy",
                slug="home",
                tagline="Learn product management by doing it: short lessons, real exercises, "
                "certificates anyone can verify.",
                intro="<p>PM Academy is an open-source school for product managers. Read short "
                "lessons, check your understanding as you go, practise prioritisation in "
                "notebook exercises and earn a certificate when you pass.</p>",
                call_to_action="Browse the courses",
            ),
        )
        report.created.append(report._label(home))
    hostname, port = _base_url_address()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname=hostname,
            port=port,
            root_page=home,
            is_default_site=True,
            site_name="PM Academy",
        )
    else:
        if site.root_page_id != home.pk:
            site.root_page = home
            site.save(update_fields=["root_page"])
        _site_address_follow_base_url(site, report)
    return home


def _base_url_address() -> tuple[str, int]:
    """Host name and port of PMA_BASE_URL (settings.WAGTAILADMIN_BASE_URL)."""
    address = urlsplit(settings.WAGTAILADMIN_BASE_URL)
    return address.hostname or "localhost", address.port or (
        443 if address.scheme == "https" else 80
    )


def _site_address_follow_base_url(site: Site, report: DemoReport) -> None:
    """The demo's Wagtail Site answers at the one base URL, so every full URL Wagtail builds
    (page links in e-mails, the admin's "view live") agrees with the certificates' ids."""
    hostname, port = _base_url_address()
    if (site.hostname, site.port) != (hostname, port):
        site.hostname, site.port = hostname, port
        site.save(update_fields=["hostname", "port"])
        report.updated.append(f"Site {hostname}:{port}")


def _course(catalog: CourseIndexPage, spec: Course, report: DemoReport) -> CoursePage:
    exercises = report.exercises
    course = _sync_child(
        catalog,
        CoursePage,
        spec.slug,
        report,
        title=spec.title,
        summary=spec.summary,
        description=spec.description,
        outcomes=spec.outcomes,
        level=spec.level,
        estimated_hours=spec.estimated_hours,
        certificate_valid_months=spec.certificate_valid_months,
        pass_exercise_percent=spec.pass_exercise_percent,
        skills=[Skill.objects.get(slug=slug) for slug in spec.skills],
        # The demo exercises exist by now (demo_exercises_sync runs first), under these ids.
        exercises=[
            CourseExercise(
                exercise_id=exercises.pks[slug],
                title=next(e.title for e in DEMO_EXERCISES if e.slug == slug),
                max_points=exercises.max_points[slug],
                pass_percent=pass_percent,
            )
            for slug, pass_percent in spec.exercises
        ],
    )
    modules = []
    for module_spec in spec.modules:
        module = _sync_child(
            course,
            ModulePage,
            module_spec.slug,
            report,
            title=module_spec.title,
            summary=module_spec.summary,
        )
        modules.append(module)
        lessons = [
            _sync_child(
                module,
                LessonPage,
                lesson.slug,
                report,
                title=lesson.title,
                summary=lesson.summary,
                estimated_minutes=lesson.minutes,
                required=True,
                pass_check_percent=lesson.pass_check_percent,
                body=body_stream(
                    lesson_slug=lesson.slug, blocks=lesson.body, exercise_pks=exercises.pks
                ),
            )
            for lesson in module_spec.lessons
        ]
        _keep_order(module, lessons)
    _keep_order(course, modules)
    return course


def demo_site_build(*, validate_now: bool = False) -> DemoReport:
    """Bring the demo site up to date and report what changed.

    New exercise revisions are validated in the task queue once the pages are committed, or
    here with `validate_now` (which also retries revisions an earlier run left unvalidated).
    """
    report = DemoReport()
    with transaction.atomic():
        for slug, name in SKILLS.items():
            Skill.objects.get_or_create(slug=slug, defaults={"name": name})
        report.exercises = demo_exercises_sync(validate_now=validate_now)
        home = _site_home(report)
        catalog = _sync_child(
            home,
            CourseIndexPage,
            "courses",
            report,
            title="Courses",
            intro="<p>Every course is free. Filter by level or by the skill you want to build.</p>",
        )
        for spec in DEMO_COURSES:
            course = _course(catalog, spec, report)
            if spec is FOUNDATIONS:
                # The first module ships in German too (demo/translations.py).
                german = demo_translations_sync(course=course)
                report.created.extend(german.created)
                report.updated.extend(german.updated)
    demo_exercises_validate(report=report.exercises, validate_now=validate_now)
    return report
