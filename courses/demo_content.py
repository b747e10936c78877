"""The demo site: home page, catalog and three courses, written in our own words.

`demo_site_build` only adds what is missing (matching on slugs), so running it twice changes
nothing and never overwrites what an editor changed since.
"""

import uuid
from dataclasses import dataclass, field

from django.db import transaction
from wagtail.models import Page, Site

from .models import CourseIndexPage, CoursePage, HomePage, LessonPage, ModulePage, Skill

SKILLS = {
    "product-strategy": "Product strategy",
    "prioritization": "Prioritization",
    "communication": "Communication",
    "user-research": "User research",
    "roadmapping": "Roadmapping",
}


def _p(html: str) -> dict:
    return {"type": "paragraph", "value": html}


def _h(text: str, level: str = "h2") -> dict:
    return {"type": "heading", "value": {"text": text, "level": level}}


def _callout(kind: str, title: str, html: str) -> dict:
    return {"type": "callout", "value": {"kind": kind, "title": title, "text": html}}


def _check(question: str, options: list[tuple[str, bool, str]], explanation: str = "") -> dict:
    return {
        "type": "knowledge_check",
        "value": {
            "question": question,
            # Without an id Wagtail reads list items in its legacy format; the id is also the
            # option's stable identity that learners' answers refer to.
            "options": [
                {
                    "type": "item",
                    "id": str(uuid.uuid4()),
                    "value": {"text": text, "is_correct": right, "feedback": why},
                }
                for text, right, why in options
            ],
            "explanation": explanation,
        },
    }


FOUNDATIONS = {
    "slug": "product-management-foundations",
    "title": "Product Management Foundations",
    "summary": (
        "What product managers do all day, how the role differs from project management, "
        "the skills and tools it calls for, and the ways people move into it."
    ),
    "description": (
        "<p>This course gives you a working picture of product management before you practise "
        "its methods. You will learn where the product manager sits in a team, which decisions "
        "are theirs, and how to start building the skills the job asks for.</p>"
    ),
    "outcomes": (
        "Explain what a product manager is accountable for\n"
        "Tell product management apart from project management\n"
        "Name the core skills of the role and how to practise them\n"
        "Describe the stages of a product's life cycle\n"
        "Plan a realistic route into a first product role"
    ),
    "level": "beginner",
    "estimated_hours": 4,
    "skills": ["product-strategy", "communication", "user-research"],
    "certificate_valid_months": None,
    "modules": [
        {
            "slug": "the-role",
            "title": "The product manager's role",
            "summary": "Where the role sits and which questions it answers.",
            "lessons": [
                {
                    "slug": "what-a-product-manager-does",
                    "title": "What a product manager does",
                    "summary": "The product manager owns why and what; the team owns how.",
                    "body": [
                        _p(
                            "<p>A product manager is responsible for a product's direction: "
                            "which problems it solves, for whom, and what success looks like. "
                            "They do not build the product alone. Engineers, designers, "
                            "researchers and marketers do the making; the product manager "
                            "makes sure everyone is pulling towards the same outcome.</p>"
                        ),
                        _h("A typical week"),
                        _p(
                            "<ul><li>Talking with users and reading research to understand "
                            "their needs.</li><li>Watching the market and competitors.</li>"
                            "<li>Turning a long-term vision into a roadmap the team can act "
                            "on.</li><li>Keeping leadership, the team and other departments "
                            "informed.</li><li>Checking quality and collecting feedback after "
                            "each release.</li></ul>"
                        ),
                        _callout(
                            "tip",
                            "Remember",
                            "<p>The job is measured by what the product achieves in the market, "
                            "not by how many features ship.</p>",
                        ),
                        _check(
                            "Which of these are part of a product manager's responsibilities?",
                            [
                                (
                                    "Setting the product's vision and roadmap",
                                    True,
                                    "Yes: direction is the core of the role.",
                                ),
                                (
                                    "Understanding and representing user needs",
                                    True,
                                    "Yes: the product manager speaks for the user in decisions.",
                                ),
                                (
                                    "Writing most of the product's code",
                                    False,
                                    "No: engineers build the product; the product manager "
                                    "decides with them what is worth building.",
                                ),
                            ],
                            "<p>Vision and user understanding go together: a roadmap that "
                            "ignores users rarely succeeds.</p>",
                        ),
                    ],
                },
                {
                    "slug": "product-or-project-manager",
                    "title": "Product manager or project manager?",
                    "summary": "Two roles that are often confused, and how they work together.",
                    "body": [
                        _p(
                            "<p>The two titles sound alike and both people attend many of the "
                            "same meetings, but they answer different questions. The product "
                            "manager asks <b>what should we build, and why?</b> The project "
                            "manager asks <b>how do we deliver it on time and within "
                            "budget?</b></p>"
                        ),
                        {
                            "type": "table",
                            "value": {
                                "first_row_is_table_header": True,
                                "first_col_is_header": True,
                                "data": [
                                    ["", "Product manager", "Project manager"],
                                    ["Owns", "Vision and outcomes", "Plan and delivery"],
                                    ["Horizon", "The product's whole life", "One project"],
                                    ["Success", "Users and business results", "Scope, time, cost"],
                                ],
                            },
                        },
                        _check(
                            "A launch date is slipping because two teams depend on each other. "
                            "Whose job is it first to re-plan the schedule?",
                            [
                                (
                                    "The project manager",
                                    True,
                                    "Right: schedules, dependencies and budgets are the project "
                                    "manager's territory.",
                                ),
                                (
                                    "The product manager",
                                    False,
                                    "The product manager helps decide what to cut if needed, but "
                                    "re-planning delivery belongs to the project manager.",
                                ),
                            ],
                        ),
                    ],
                },
            ],
        },
        {
            "slug": "skills-and-tools",
            "title": "Skills and tools",
            "summary": "The abilities the role depends on and the software that supports them.",
            "lessons": [
                {
                    "slug": "core-skills",
                    "title": "The core skills of a product manager",
                    "summary": "Six skills you will use every day, and how to practise each.",
                    "body": [
                        _h("Six skills"),
                        _p(
                            "<ol><li><b>Communication</b>: sharing the vision and listening to "
                            "feedback from everyone involved.</li><li><b>Strategic "
                            "thinking</b>: choosing the ideas that matter most for the "
                            "business.</li><li><b>Leadership</b>: helping people do their best "
                            "work without being their manager.</li><li><b>Technical "
                            "understanding</b>: knowing enough about how things are built to "
                            "make sound trade-offs.</li><li><b>User empathy</b>: seeing the "
                            "product through the eyes of the people who use it.</li><li><b>"
                            "Project management</b>: keeping design, engineering and marketing "
                            "aligned and organised.</li></ol>"
                        ),
                        {
                            "type": "quote",
                            "value": {
                                "quote": "Influence without authority is the product manager's "
                                "everyday tool.",
                                "attribution": "PM Academy instructors",
                            },
                        },
                        _check(
                            "A PM notices users keep abandoning sign-up at the same step. Which "
                            "skill helps most to understand why?",
                            [
                                (
                                    "User empathy",
                                    True,
                                    "Yes: observing and interviewing users reveals what blocks "
                                    "them.",
                                ),
                                (
                                    "Leadership",
                                    False,
                                    "Leadership helps the team act on the finding, but it does not "
                                    "uncover the cause.",
                                ),
                                (
                                    "Budgeting",
                                    False,
                                    "Budgets do not explain user behaviour.",
                                ),
                            ],
                        ),
                    ],
                },
                {
                    "slug": "the-pm-toolkit",
                    "title": "The product manager's toolkit",
                    "summary": "The kinds of tools PMs rely on, from surveys to roadmaps.",
                    "body": [
                        _p(
                            "<p>Tools change quickly, so learn the categories rather than the "
                            "brands. Most teams use something for each of these jobs: tracking "
                            "what users do in the product, surveying customers, brainstorming, "
                            "keeping a roadmap, managing tasks and issues, and designing or "
                            "prototyping screens.</p>"
                        ),
                        _callout(
                            "info",
                            "Examples",
                            "<p>Figma is widely used for design, Jira for issue tracking and "
                            "Amplitude for product analytics. Learning one tool per category "
                            "makes the others easy to pick up.</p>",
                        ),
                        _check(
                            "Which tool category answers the question 'where in the product do "
                            "users drop off?'",
                            [
                                (
                                    "User tracking (product analytics)",
                                    True,
                                    "Right: analytics shows what users actually do, step by step.",
                                ),
                                (
                                    "Roadmapping",
                                    False,
                                    "A roadmap shows plans, not user behaviour.",
                                ),
                                (
                                    "Design and prototyping",
                                    False,
                                    "Prototypes help test ideas, but they do not measure the live "
                                    "product.",
                                ),
                            ],
                        ),
                    ],
                },
            ],
        },
        {
            "slug": "becoming-a-pm",
            "title": "Becoming a product manager",
            "summary": "The product life cycle and realistic routes into the job.",
            "lessons": [
                {
                    "slug": "the-product-life-cycle",
                    "title": "The product life cycle",
                    "summary": "Strategy, delivery and market success: the three arcs of the work.",
                    "body": [
                        _p(
                            "<p>A product manager accompanies a product through its whole "
                            "life. It helps to group the work into three arcs.</p>"
                        ),
                        _h("Strategy and vision", "h3"),
                        _p(
                            "<p>Research the market, study competitors, and set a direction "
                            "that serves the business's goals.</p>"
                        ),
                        _h("Execution and delivery", "h3"),
                        _p(
                            "<p>Work with engineering and design to ship on time and at the "
                            "right quality: prioritise features, groom the backlog and "
                            "coordinate sprints.</p>"
                        ),
                        _h("Market success", "h3"),
                        _p(
                            "<p>After launch, measure how the product performs, gather feedback "
                            "and iterate until it meets customer needs and business "
                            "objectives.</p>"
                        ),
                        _check(
                            "Which activities belong to the execution and delivery arc?",
                            [
                                (
                                    "Prioritising features and managing the backlog",
                                    True,
                                    "Yes: deciding the order of work is part of delivery.",
                                ),
                                (
                                    "Coordinating sprints with the team",
                                    True,
                                    "Yes: sprints are how many teams deliver in small steps.",
                                ),
                                (
                                    "Writing a competitive analysis",
                                    False,
                                    "That belongs to strategy and vision, before delivery starts.",
                                ),
                            ],
                        ),
                    ],
                },
                {
                    "slug": "routes-into-product-management",
                    "title": "Routes into product management",
                    "summary": "Education, first roles, transferable skills and what the job pays.",
                    "body": [
                        _p(
                            "<p>Product managers come from many backgrounds. A survey by Zippia "
                            "(accessed 21 January 2025) found that 72.2% of product managers "
                            "hold a bachelor's degree, often in business, marketing or finance. "
                            "A degree helps, but employers weigh demonstrated skills heavily.</p>"
                        ),
                        _h("First steps"),
                        _p(
                            "<p>Roles such as business analyst or junior project manager expose "
                            "you to products and teach you to organise work. People also move "
                            "across from marketing, UX design, content strategy and finance: "
                            "when you apply, show how your experience transfers.</p>"
                        ),
                        _callout(
                            "info",
                            "What it pays",
                            "<p>Glassdoor reported an average base salary of US$124,688 a year "
                            "for product managers in the United States (accessed 21 January "
                            "2025). Location, industry, education and experience all move the "
                            "figure.</p>",
                        ),
                        _callout(
                            "warning",
                            "Know the pressure",
                            "<p>The role carries a lot of responsibility: tight deadlines and "
                            "competing stakeholder demands are normal. Time management matters "
                            "as much as ideas.</p>",
                        ),
                        _check(
                            "You work in marketing and want to move into product. What is the "
                            "most useful thing to do in your applications?",
                            [
                                (
                                    "Show which of your skills transfer to product work",
                                    True,
                                    "Yes: customer insight and communication from marketing are "
                                    "valued in product roles.",
                                ),
                                (
                                    "Wait until you have a product management degree",
                                    False,
                                    "No such degree is required; demonstrated skills count more.",
                                ),
                                (
                                    "Leave marketing off your CV",
                                    False,
                                    "Your marketing experience is an asset, not something to hide.",
                                ),
                            ],
                        ),
                    ],
                },
            ],
        },
    ],
}

SMALL_COURSES = [
    {
        "slug": "prioritization-with-rice-and-ice",
        "title": "Prioritization with RICE and ICE",
        "summary": "Score ideas by reach, impact, confidence and effort to decide what to build next.",
        "description": "<p>Two scoring models that turn a long wish list into an ordered plan.</p>",
        "outcomes": "Score a backlog with RICE\nCompare RICE with ICE and know when to use each",
        "level": "intermediate",
        "estimated_hours": 3,
        "skills": ["prioritization", "product-strategy"],
        "certificate_valid_months": 24,
        "modules": [
            {
                "slug": "scoring-models",
                "title": "Scoring models",
                "summary": "RICE and ICE step by step.",
                "lessons": [
                    {
                        "slug": "rice-in-practice",
                        "title": "RICE in practice",
                        "summary": "Reach times impact times confidence, divided by effort.",
                        "body": [
                            _p(
                                "<p>RICE scores an idea by how many people it reaches in a "
                                "period, how much it helps each one, how sure you are of those "
                                "estimates, and how much work it takes.</p>"
                            ),
                            {
                                "type": "code",
                                "value": {
                                    "language": "python",
                                    "code": "rice = reach * impact * confidence / effort",
                                },
                            },
                            _check(
                                "Two ideas have the same reach, impact and confidence. One "
                                "takes twice the effort. How do their RICE scores compare?",
                                [
                                    (
                                        "The cheaper idea scores twice as high",
                                        True,
                                        "Right: effort divides the score.",
                                    ),
                                    (
                                        "They score the same",
                                        False,
                                        "Effort is part of the formula, so the scores differ.",
                                    ),
                                ],
                            ),
                        ],
                    }
                ],
            }
        ],
    },
    {
        "slug": "roadmaps-and-stakeholders",
        "title": "Roadmaps and Stakeholders",
        "summary": "Build outcome-based roadmaps and keep leadership and teams aligned on them.",
        "description": "<p>How to plan in themes and outcomes, and how to say no well.</p>",
        "outcomes": "Write an outcome-based roadmap\nRun a roadmap review with stakeholders",
        "level": "advanced",
        "estimated_hours": 2,
        "skills": ["roadmapping", "communication"],
        "certificate_valid_months": 36,
        "modules": [
            {
                "slug": "outcome-roadmaps",
                "title": "Outcome roadmaps",
                "summary": "Plans that survive contact with reality.",
                "lessons": [
                    {
                        "slug": "themes-not-features",
                        "title": "Themes, not feature lists",
                        "summary": "Why roadmaps organised by problems age better.",
                        "body": [
                            _p(
                                "<p>A feature list promises solutions before you have tested "
                                "them. A roadmap of themes promises to work on problems, which "
                                "leaves the team room to find the best answer.</p>"
                            ),
                            _check(
                                "Which roadmap item is written as an outcome?",
                                [
                                    (
                                        "Cut time to first report from 3 days to 1",
                                        True,
                                        "Yes: it states a measurable change for users.",
                                    ),
                                    (
                                        "Build a PDF export button",
                                        False,
                                        "That is a feature; it names a solution, not a result.",
                                    ),
                                ],
                            ),
                        ],
                    }
                ],
            }
        ],
    },
]


@dataclass
class DemoReport:
    created: list[str] = field(default_factory=list)

    def add(self, page: Page) -> None:
        self.created.append(f"{page.specific_class.__name__} {page.url_path}")


def _publish_new_child(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def _child(parent: Page, model, slug: str, report: DemoReport, **fields):
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    if existing is not None:
        return existing
    page = _publish_new_child(parent, model(slug=slug, **fields))
    report.add(page)
    return page


def _site_home(report: DemoReport) -> HomePage:
    """The site's root page as a HomePage, replacing Wagtail's untouched welcome page."""
    site = Site.objects.filter(is_default_site=True).first()
    if site is not None and isinstance(site.root_page.specific, HomePage):
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
        report.add(home)
    hostname, port = (site.hostname, site.port) if site else ("localhost", 80)
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname=hostname,
            port=port,
            root_page=home,
            is_default_site=True,
            site_name="PM Academy",
        )
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save(update_fields=["root_page"])
    return home


def _course(catalog: CourseIndexPage, spec: dict, report: DemoReport) -> CoursePage:
    skills = [Skill.objects.get(slug=slug) for slug in spec["skills"]]
    course = _child(
        catalog,
        CoursePage,
        spec["slug"],
        report,
        title=spec["title"],
        summary=spec["summary"],
        description=spec["description"],
        outcomes=spec["outcomes"],
        level=spec["level"],
        estimated_hours=spec["estimated_hours"],
        certificate_valid_months=spec["certificate_valid_months"],
        skills=skills,
    )
    for module_spec in spec["modules"]:
        module = _child(
            course,
            ModulePage,
            module_spec["slug"],
            report,
            title=module_spec["title"],
            summary=module_spec["summary"],
        )
        for lesson_spec in module_spec["lessons"]:
            _child(
                module,
                LessonPage,
                lesson_spec["slug"],
                report,
                title=lesson_spec["title"],
                summary=lesson_spec["summary"],
                body=lesson_spec["body"],
            )
    return course


@transaction.atomic
def demo_site_build() -> DemoReport:
    """Create whatever of the demo site is missing and report the pages it added."""
    report = DemoReport()
    for slug, name in SKILLS.items():
        Skill.objects.get_or_create(slug=slug, defaults={"name": name})
    home = _site_home(report)
    catalog = _child(
        home,
        CourseIndexPage,
        "courses",
        report,
        title="Courses",
        intro="<p>Every course is free. Filter by level or by the skill you want to build.</p>",
    )
    _course(catalog, FOUNDATIONS, report)
    for spec in SMALL_COURSES:
        _course(catalog, spec, report)
    return report
