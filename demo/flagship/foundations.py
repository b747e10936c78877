"""Product Management Foundations, the flagship course: the role, skills, tools, life cycle, career.

Facts and figures come from a public career article about product management (see
/work/shared/seed); every sentence here is our own. Figures are quoted with their source and the
date the source was consulted, as the article gives them. The prioritization module and the final
assessment live in `prioritization.py`.
"""

from .authoring import Lesson, Module, callout, check, h, p, quote, table

WHAT_A_PM_DOES = Lesson(
    slug="what-a-product-manager-does",
    title="What a product manager does",
    summary="The product manager owns the why and the what of a product; the team owns the how.",
    minutes=12,
    key_phrases=(
        "owns the direction of a product",
        "vision, strategy and roadmap",
        "engineering, design, marketing and research",
        "success in the market",
    ),
    body=[
        p(
            "<p>A product manager <b>owns the direction of a product</b>: which problems it should "
            "solve, for which people, and how everyone will know it is working. They write the "
            "product's <b>vision, strategy and roadmap</b>, decide which features make the cut, "
            "and define what success means before anything is built.</p>"
        ),
        p(
            "<p>None of that is done alone. A product manager sits in the middle of a "
            "cross-functional group, with people from <b>engineering, design, marketing and "
            "research</b>, and usually manages none of them. The product manager's job is to set "
            "shared goals, keep the group motivated and make sure that what ships is what users "
            "and the business actually need.</p>"
        ),
        h("Three kinds of knowledge"),
        table(
            [
                ["Area", "Why the product manager needs it"],
                [
                    "Business",
                    "To judge whether an idea is worth its cost and fits the company's goals.",
                ],
                [
                    "Technology",
                    "To understand what is hard to build and weigh trade-offs with engineers.",
                ],
                ["User experience", "To see the product as the people who use it see it."],
            ],
        ),
        callout(
            "tip",
            "The real measure",
            "<p>A launch is a beginning, not a finish line. A product manager is judged by the "
            "product's <b>success in the market</b> over time: whether it keeps serving its users "
            "and keeps earning its place, not by how many features went out.</p>",
        ),
        p(
            "<p>Because markets move, the role also means watching business and consumer trends, "
            "including ones that touch the product only indirectly, such as a new regulation or a "
            "change in how people pay.</p>"
        ),
        check(
            "responsibilities",
            "Which of these belong to a product manager's job? Choose every one that does.",
            [
                (
                    "Setting the product's vision and roadmap",
                    True,
                    "Right: deciding where the product is going, and in what order, is the heart of "
                    "the role.",
                ),
                (
                    "Defining what success looks like for a feature before it is built",
                    True,
                    "Right: agreeing the measure up front is what lets the team learn whether the "
                    "feature worked.",
                ),
                (
                    "Writing most of the product's code",
                    False,
                    "Not quite: engineers build the product. A product manager needs enough technical "
                    "understanding to make trade-offs with them, not to replace them.",
                ),
                (
                    "Being the line manager of the designers and engineers",
                    False,
                    "Usually not: the product manager leads through shared goals and influence; the "
                    "people in the team report to their own managers.",
                ),
            ],
            "<p>Direction and definition of success are the product manager's; building and line "
            "management are not.</p>",
        ),
    ],
)

DAY_TO_DAY = Lesson(
    slug="day-to-day-responsibilities",
    title="Day-to-day responsibilities",
    summary="Six responsibilities that fill a product manager's week, from user needs to launch.",
    minutes=15,
    key_phrases=(
        "represent the user",
        "competitive analysis",
        "multi-year roadmap",
        "development, packaging, launch and expansion",
        "keep stakeholders informed",
        "quality assurance",
        "through every stage of the life cycle",
    ),
    body=[
        p(
            "<p>Job descriptions differ, but most product managers spend their weeks on the same "
            "six kinds of work. Each one answers a question the rest of the company relies on the "
            "product manager to answer.</p>"
        ),
        h("1. Understand and represent the user"),
        p(
            "<p>Analyse what users are trying to get done and where they struggle, then "
            "<b>represent the user</b> in every decision, especially when no user is in the "
            "room.</p>"
        ),
        h("2. Watch the market"),
        p(
            "<p>Keep an eye on the market landscape: run market research, follow what competitors "
            "ship and write a <b>competitive analysis</b> that shows where the product is ahead, "
            "behind or simply different.</p>"
        ),
        h("3. Set the vision and the long-range plan"),
        p(
            "<p>Turn the vision into a strategy and a <b>multi-year roadmap</b> that covers the "
            "product's <b>development, packaging, launch and expansion</b>: what gets built, how it "
            "is bundled and priced, how it reaches the market and where it grows next.</p>"
        ),
        h("4. Communicate"),
        p(
            "<p>Explain the vision to management, to the product team and to every other group "
            "with a stake in it, and <b>keep stakeholders informed</b> as plans change. Surprises "
            "cost trust; regular, honest updates build it.</p>"
        ),
        h("5. Research and gather feedback"),
        p(
            "<p>Collect and run research on the product itself, including <b>quality "
            "assurance</b> (QA): does it work as intended, and does it solve the problem it was "
            "built for?</p>"
        ),
        h("6. Guide the team through the life cycle"),
        p(
            "<p>Lead the team <b>through every stage of the life cycle</b>, from the first idea "
            "to growth and eventually retirement, and make sure each hand-over between stages is "
            "clear.</p>"
        ),
        callout(
            "info",
            "Why it feels like many jobs",
            "<p>On a single day you may interview a customer in the morning, defend the roadmap to "
            "a director at noon and review test results in the afternoon. The common thread is "
            "the question every task serves: what should this product do next, and why?</p>",
        ),
        check(
            "roadmap-scope",
            "A multi-year roadmap written by a product manager usually covers which of these?",
            [
                (
                    "Development, packaging, launch and expansion of the product",
                    True,
                    "Right: the long-range plan follows the product from being built to how it is "
                    "bundled, brought to market and grown.",
                ),
                (
                    "Only the list of features for the next sprint",
                    False,
                    "A sprint list is a short-term delivery plan; a multi-year roadmap looks much "
                    "further ahead and beyond features alone.",
                ),
                (
                    "The salaries and hiring plan of the engineering team",
                    False,
                    "Staffing and pay belong to engineering management and HR, not to the product "
                    "roadmap.",
                ),
            ],
        ),
        check(
            "competitive-analysis",
            "A rival app has just launched a feature your sales team keeps asking about. Which "
            "responsibility comes first?",
            [
                (
                    "Monitoring the market and updating the competitive analysis",
                    True,
                    "Yes: first understand what the rival shipped, for whom, and whether it matters "
                    "to your users, before deciding anything.",
                ),
                (
                    "Copying the feature in the next release",
                    False,
                    "Copying before analysing means letting a competitor set your roadmap; the "
                    "feature may not fit your users at all.",
                ),
                (
                    "Ignoring it, because the roadmap is already agreed",
                    False,
                    "A roadmap is a plan, not a promise: new facts from the market are exactly what "
                    "should make you look again.",
                ),
            ],
        ),
    ],
)

PRODUCT_OR_PROJECT = Lesson(
    slug="product-or-project-manager",
    title="Product manager or project manager?",
    summary="Two roles that are often confused: what each one owns and how they work together.",
    minutes=10,
    key_phrases=(
        "what should we build, and why?",
        "on time and within budget",
        "two different jobs",
    ),
    body=[
        p(
            "<p>The titles differ by two letters and the two people attend many of the same "
            "meetings, so they are easy to mix up. They share business goals and some tasks, but "
            "they are <b>two different jobs</b>. The product manager asks <b>what should we build, "
            "and why?</b> The project manager asks how the agreed work gets done <b>on time and "
            "within budget</b>.</p>"
        ),
        table(
            [
                ["", "Product manager", "Project manager"],
                ["Main question", "What should we build, and why?", "How do we deliver it?"],
                ["Owns", "Vision, priorities and outcomes", "Plan, schedule, budget and risks"],
                ["Time horizon", "The product's whole life", "One project, from start to finish"],
                [
                    "Success looks like",
                    "Users and business results",
                    "Scope delivered on time and budget",
                ],
            ],
        ),
        callout(
            "tip",
            "A useful picture",
            "<p>The product manager decides where to go; the project manager plans the journey and "
            "keeps it on schedule. A product needs both, and they work best when each trusts the "
            "other with their half.</p>",
        ),
        check(
            "slipping-date",
            "A launch date is slipping because two teams are waiting on each other. Whose job is it "
            "first to re-plan the schedule?",
            [
                (
                    "The project manager",
                    True,
                    "Right: schedules, dependencies and budgets are the project manager's ground.",
                ),
                (
                    "The product manager",
                    False,
                    "The product manager helps decide what to cut if the date cannot move, but "
                    "re-planning the delivery belongs to the project manager.",
                ),
                (
                    "Whoever noticed the delay first",
                    False,
                    "Raising the alarm is everyone's duty, but owning the fix should not depend on "
                    "chance; that is what the project manager's role is for.",
                ),
            ],
        ),
        check(
            "which-question",
            "Which question is the product manager's to answer?",
            [
                (
                    "Should we build offline mode or team sharing next?",
                    True,
                    "Yes: choosing what to build, and why, is product work.",
                ),
                (
                    "Can we finish offline mode in six weeks with this team?",
                    False,
                    "That is a delivery question about time and capacity, the project manager's "
                    "side.",
                ),
            ],
        ),
    ],
)

CORE_SKILLS = Lesson(
    slug="core-skills",
    title="The six core skills",
    summary="Communication, strategic thinking, leadership, technical skills, user empathy and "
    "project management, and how each shows up in the job.",
    minutes=14,
    key_phrases=(
        "Communication",
        "Strategic thinking",
        "Leadership",
        "Technical skills",
        "User empathy",
        "Project management",
        "the right people at the right time",
    ),
    body=[
        p(
            "<p>Good product managers notice where a market is heading and sense what would make "
            "a product better for a particular group of users. That instinct rests on six skills "
            "you can practise deliberately.</p>"
        ),
        table(
            [
                ["Skill", "What it lets you do", "A way to practise"],
                [
                    "Communication",
                    "Work with stakeholders, partners and your team; take in feedback; get the "
                    "right message to the right people at the right time.",
                    "Write a one-page update every week and ask a colleague what was unclear.",
                ],
                [
                    "Strategic thinking",
                    "Pick and carry out the ideas that will do the most for the company or brand.",
                    "For every idea, write down which goal it serves and what you would drop for it.",
                ],
                [
                    "Leadership",
                    "Help people and teams do their best work, without formal authority.",
                    "Run a retrospective and follow up on one agreed change.",
                ],
                [
                    "Technical skills",
                    "Understand what goes into designing and building a product or service.",
                    "Ask an engineer to walk you through how a recent feature was built.",
                ],
                [
                    "User empathy",
                    "Find and weigh the difficulties users have with the product.",
                    "Watch three people use the product without helping them.",
                ],
                [
                    "Project management",
                    "Keep marketing, design, engineering and others aligned on the vision and "
                    "moving in a timely, organised way.",
                    "Keep a simple plan of dependencies for your next release.",
                ],
            ],
        ),
        quote(
            "You rarely get to tell anyone what to do, so you have to make the right thing the "
            "obvious thing.",
            "PM Academy instructors, on leading without authority",
        ),
        callout(
            "warning",
            "A common trap",
            "<p>New product managers often lean on the skill they already had, such as technical "
            "depth or process, and neglect the rest. The role needs all six; strengthen your "
            "weakest one first.</p>",
        ),
        check(
            "empathy",
            "Users keep abandoning sign-up at the same step. Which skill helps most to find out "
            "why?",
            [
                (
                    "User empathy",
                    True,
                    "Yes: watching and talking to users reveals what stops them, which no dashboard "
                    "can explain on its own.",
                ),
                (
                    "Leadership",
                    False,
                    "Leadership helps the team act on what you find, but it does not uncover the "
                    "cause.",
                ),
                (
                    "Project management",
                    False,
                    "Planning the fix comes later; first you need to understand the problem.",
                ),
            ],
        ),
        check(
            "strategy",
            "Your team has ten good ideas and room for three this quarter. Which skill is being "
            "tested?",
            [
                (
                    "Strategic thinking",
                    True,
                    "Right: choosing the few ideas that matter most for the business is strategy. "
                    "The prioritization module gives you the methods.",
                ),
                (
                    "Technical skills",
                    False,
                    "Technical understanding informs the effort estimates, but the choice itself is "
                    "strategic.",
                ),
                (
                    "Communication",
                    False,
                    "You will need to explain the choice well, but making it is strategic thinking.",
                ),
            ],
        ),
    ],
)

TOOLKIT = Lesson(
    slug="the-pm-toolkit",
    title="The product manager's toolkit",
    summary="Six categories of tools, what each one answers, and well-known examples.",
    minutes=10,
    key_phrases=(
        "User tracking",
        "Customer surveys",
        "Brainstorming",
        "Roadmapping",
        "Project and task management",
        "Design and prototyping",
        "Figma",
        "Jira",
        "Amplitude",
    ),
    body=[
        p(
            "<p>Brands come and go, so learn the categories. Most product teams use at least one "
            "tool for each of the six jobs below, and knowing one tool per category makes the "
            "others quick to pick up.</p>"
        ),
        table(
            [
                ["Category", "The question it answers", "Example"],
                ["User tracking", "What do users actually do in the product?", "Amplitude"],
                [
                    "Customer surveys",
                    "What do customers say they need and feel?",
                    "An in-app survey",
                ],
                [
                    "Brainstorming",
                    "What options have we not considered yet?",
                    "A shared whiteboard",
                ],
                ["Roadmapping", "What are we doing next, and why?", "A roadmap board"],
                ["Project and task management", "Who is doing what, by when?", "Jira"],
                [
                    "Design and prototyping",
                    "What could it look like, and does it work for users?",
                    "Figma",
                ],
            ],
        ),
        callout(
            "info",
            "Names you will meet",
            "<p><b>Figma</b> is widely used for design, <b>Jira</b> for tracking issues and tasks, "
            "and <b>Amplitude</b> for tracking user behaviour and product data. Job adverts often "
            "name them; a weekend with a free plan of each is time well spent.</p>",
        ),
        check(
            "drop-off",
            "Which category of tool answers the question 'where in the product do users drop off?'",
            [
                (
                    "User tracking (product analytics)",
                    True,
                    "Right: analytics shows what users actually do, step by step, so you can see "
                    "where they leave.",
                ),
                (
                    "Roadmapping",
                    False,
                    "A roadmap shows what you plan to do, not what users are doing.",
                ),
                (
                    "Design and prototyping",
                    False,
                    "Prototypes test ideas before they are built; they do not measure the live "
                    "product.",
                ),
                (
                    "Customer surveys",
                    False,
                    "Surveys tell you what users say; to see where they really drop off, you need "
                    "behavioural data.",
                ),
            ],
        ),
    ],
)

LIFE_CYCLE = Lesson(
    slug="the-product-life-cycle",
    title="The three pillars of the product life cycle",
    summary="Strategy and vision, execution and delivery, market success.",
    minutes=12,
    key_phrases=(
        "Strategy and vision",
        "Execution and delivery",
        "Market success",
        "coordinating sprints",
    ),
    body=[
        p(
            "<p>A product manager stays with a product for its whole life, and the work falls "
            "into three pillars. They overlap in time: while one release is being delivered, the "
            "next one is being shaped and the last one is being measured.</p>"
        ),
        h("Strategy and vision", "h3"),
        p(
            "<p>Set a direction for the product that serves the company's wider goals. The raw "
            "material is market research and competitive analysis; the result is a roadmap "
            "everyone can point to.</p>"
        ),
        h("Execution and delivery", "h3"),
        p(
            "<p>Work closely with engineering, design and the other teams so the product ships on "
            "time and at the quality agreed. In practice that means prioritizing features, "
            "keeping the backlog in order and <b>coordinating sprints</b>.</p>"
        ),
        h("Market success", "h3"),
        p(
            "<p>Once the product is out, check that it meets customers' needs and the business's "
            "objectives: gather user feedback, monitor how the product performs and iterate on "
            "what the market tells you.</p>"
        ),
        table(
            [
                ["Pillar", "Typical activities", "Question it answers"],
                [
                    "Strategy and vision",
                    "Market research, competitive analysis, roadmap",
                    "Where are we going?",
                ],
                [
                    "Execution and delivery",
                    "Prioritizing features, backlog, sprints",
                    "Are we building it well, and on time?",
                ],
                [
                    "Market success",
                    "Feedback, performance monitoring, iteration",
                    "Is it working for customers and the business?",
                ],
            ],
        ),
        check(
            "delivery-pillar",
            "Which activities belong to the execution and delivery pillar? Choose every one that "
            "does.",
            [
                (
                    "Prioritizing features and managing the backlog",
                    True,
                    "Yes: deciding the order of work is how delivery stays focused.",
                ),
                (
                    "Coordinating sprints with the team",
                    True,
                    "Yes: sprints are how many teams deliver in small, regular steps.",
                ),
                (
                    "Writing a competitive analysis",
                    False,
                    "That feeds strategy and vision, before delivery starts.",
                ),
                (
                    "Monitoring how the product performs after launch",
                    False,
                    "Measuring the live product belongs to market success.",
                ),
            ],
        ),
    ],
)

ROUTES_IN = Lesson(
    slug="routes-into-product-management",
    title="Routes into product management",
    summary="Backgrounds and degrees, first roles, transferable skills and certificates.",
    minutes=14,
    key_phrases=(
        "72.2%",
        "Zippia",
        "business analyst",
        "junior project manager",
        "transferable skills",
        "certificate programme",
    ),
    body=[
        p(
            "<p>There is no single path into product management. Product managers are problem "
            "solvers and strategic thinkers, and they arrive from many kinds of education and "
            "work.</p>"
        ),
        h("Degrees"),
        callout(
            "info",
            "The figure",
            "<p>According to <b>Zippia</b>, <b>72.2%</b> of product managers hold a bachelor's "
            "degree (Zippia, \u201cWhat Is a Product Manager and How to Become One\u201d, "
            "accessed January 21, 2025).</p>",
        ),
        p(
            "<p>Because the role asks for specialist knowledge, employers usually expect at least "
            "a first degree. Business, marketing and finance are common majors, as are related "
            "fields.</p>"
        ),
        h("First roles"),
        p(
            "<p>If you are starting out, look for roles that put you close to a product and "
            "sharpen your organisation. A <b>business analyst</b> or <b>junior project "
            "manager</b> job is a good way in.</p>"
        ),
        h("Switching from another job"),
        p(
            "<p>Many future product managers work today in finance, marketing, content strategy, "
            "UX design or project management. Name your <b>transferable skills</b> explicitly in "
            "your CV, cover letter and interviews. Read several job adverts, list the skills and "
            "tools they ask for, and either add the ones you have to your materials or work on "
            "the ones you lack.</p>"
        ),
        h("Certificates"),
        p(
            "<p>A certificate is not required, but a good <b>certificate programme</b> can give "
            "you an edge: a structured path through the essential skills, guidance from people "
            "who do the job, a portfolio of projects to show and a credential from a credible "
            "institution. Whatever route you take, get to know the product life cycle and the "
            "common tools, such as Figma, Jira and Amplitude.</p>"
        ),
        check(
            "switching",
            "You work in marketing and want to move into product. What is the most useful thing "
            "to do in your applications?",
            [
                (
                    "Show which of your skills transfer to product work",
                    True,
                    "Yes: customer insight and communication from marketing are valued in product "
                    "roles, if you make the link for the reader.",
                ),
                (
                    "Wait until you have a product management degree",
                    False,
                    "No specific degree is required; employers look for relevant skills and a "
                    "degree in a field such as business or marketing.",
                ),
                (
                    "Leave marketing off your CV",
                    False,
                    "Your marketing experience is an asset; hiding it throws away your best "
                    "evidence.",
                ),
            ],
        ),
        check(
            "entry-roles",
            "Which roles are good entry points for someone starting out? Choose every one that is.",
            [
                (
                    "Business analyst",
                    True,
                    "Right: analysts work close to products and learn to turn needs into "
                    "requirements.",
                ),
                (
                    "Junior project manager",
                    True,
                    "Right: it trains the organisational skills a product manager depends on.",
                ),
                (
                    "Chief product officer",
                    False,
                    "That is the most senior product role, reached after years of product work, "
                    "not a way in.",
                ),
            ],
        ),
    ],
)

PAY_AND_DEMAND = Lesson(
    slug="pay-demand-and-pressure",
    title="Pay, demand and pressure",
    summary="What the role pays, whether it is in demand and why it can be stressful.",
    minutes=8,
    key_phrases=(
        "$124,688",
        "Glassdoor",
        "accessed January 21, 2025",
        "remains in demand",
        "competing priorities",
    ),
    body=[
        callout(
            "info",
            "Salary",
            "<p><b>Glassdoor</b> reports an average annual base salary of <b>$124,688</b> for a "
            "product manager in the United States (Glassdoor, \u201cWhat Does a Product Manager "
            "Do?\u201d, accessed January 21, 2025).</p>",
        ),
        p(
            "<p>Treat any average with care: location, industry, education and years of "
            "experience all move the figure, and a base salary leaves out bonuses and equity.</p>"
        ),
        h("Demand"),
        p(
            "<p>The role has grown in recent years, above all in technology, as companies try to "
            "steer through fast-changing markets and economies. Product management "
            "<b>remains in demand</b> across many industries: every new product needs someone who "
            "makes sure it fits its market and delivers value to customers. People who stay agile "
            "through trends, surprises and downturns have the best prospects.</p>"
        ),
        h("Pressure"),
        p(
            "<p>The job can be stressful. You carry a lot of responsibility, balance many parts of "
            "a product's life at once, work to tight deadlines, juggle <b>competing "
            "priorities</b> and manage the expectations of different stakeholders. How heavy it "
            "feels depends on the organisation, the product's complexity, the market and your own "
            "habits of handling pressure and time.</p>"
        ),
        callout(
            "tip",
            "Protect your focus",
            "<p>A clear prioritization method is also a stress-management tool: when every request "
            "is scored the same way, saying no becomes a conversation about the numbers rather "
            "than about people.</p>",
        ),
        check(
            "salary-source",
            "What does the $124,688 figure in this lesson describe?",
            [
                (
                    "Glassdoor's average annual base salary for US product managers, as accessed on "
                    "January 21, 2025",
                    True,
                    "Right: always quote a figure with its source, what it measures and when it was "
                    "read.",
                ),
                (
                    "The starting salary every product manager can expect",
                    False,
                    "It is an average across the United States, not a guaranteed starting point; "
                    "location, industry and experience move it a lot.",
                ),
                (
                    "A worldwide average including bonuses",
                    False,
                    "It is a US figure for base salary only, without bonuses or equity.",
                ),
            ],
        ),
    ],
)

ROLE_MODULES = (
    Module(
        slug="the-role",
        title="The product manager's role",
        summary="What the role is for, what fills the week, and how it differs from project "
        "management.",
        lessons=(WHAT_A_PM_DOES, DAY_TO_DAY, PRODUCT_OR_PROJECT),
    ),
    Module(
        slug="skills-and-tools",
        title="Skills and tools",
        summary="The six skills the role depends on and the categories of software that support "
        "them.",
        lessons=(CORE_SKILLS, TOOLKIT),
    ),
    Module(
        slug="becoming-a-pm",
        title="The life cycle and your career",
        summary="The three pillars of a product's life, routes into the job, and what it pays.",
        lessons=(LIFE_CYCLE, ROUTES_IN, PAY_AND_DEMAND),
    ),
)
