"""The two short demo courses beside the flagship: scoring a backlog, and roadmaps with stakeholders.

Each is a finished course a visitor can take in about an hour: two modules, four lessons, a
knowledge check in every lesson. Topics follow the career article in /work/shared/seed (strategy
and roadmaps, prioritizing features and backlogs, communicating the vision to management and
teams, gathering feedback); every sentence is our own. demo/content.py turns these modules into
courses. Lesson slugs and check keys are permanent: learners' progress and answers hang on them.
"""

from .flagship.authoring import Lesson, Module, callout, check, code, h, p, table

# Prioritization with RICE and ICE ---------------------------------------------------------------

RICE_IN_PRACTICE = Lesson(
    slug="rice-in-practice",
    title="RICE in practice",
    summary="Estimate reach, impact, confidence and effort so that the scores can be compared.",
    minutes=15,
    key_phrases=("same time window", "evidence discount", "worked example"),
    body=[
        p(
            "<p>RICE multiplies three estimates of value (reach, impact and confidence) and "
            "divides by one estimate of cost (effort). The arithmetic is trivial; the craft is in "
            "estimating each factor the same way for every item, so that a score of 900 and a "
            "score of 300 really mean that one idea returns three times as much per unit of "
            "work.</p>"
        ),
        h("Estimating each factor"),
        table(
            [
                ["Factor", "Ask", "Keep it comparable by"],
                [
                    "Reach",
                    "How many users or accounts will meet this change?",
                    "Counting over the same time window for every item, such as one quarter.",
                ],
                [
                    "Impact",
                    "How much will it move the goal for each of them?",
                    "Using one fixed scale, e.g. 0.25, 0.5, 1, 2 or 3, and agreeing what each "
                    "step looks like.",
                ],
                [
                    "Confidence",
                    "How much evidence backs the reach and impact numbers?",
                    "Treating it as an evidence discount: 100% for measured data, 80% for "
                    "strong signals, 50% for a hunch.",
                ],
                [
                    "Effort",
                    "How much work across every discipline involved?",
                    "Counting person-months for design, engineering, testing and launch together.",
                ],
            ]
        ),
        h("A worked example"),
        p(
            "<p>A team has three candidates for next quarter. Bulk import reaches 1,200 accounts, "
            "has high impact (2), solid evidence (80%) and takes 3 person-months. Dark mode "
            "reaches 6,000 users but with minimal impact (0.25) and medium evidence (80%) for "
            "1 person-month. A new onboarding tour reaches 2,500 new sign-ups with medium impact "
            "(1), a hunch (50%) and 2 person-months.</p>"
        ),
        code(
            """
backlog = {
    "Bulk import":     (1200, 2, 0.8, 3),
    "Dark mode":       (6000, 0.25, 0.8, 1),
    "Onboarding tour": (2500, 1, 0.5, 2),
}
for name, (reach, impact, confidence, effort) in backlog.items():
    print(name, reach * impact * confidence / effort)
# Bulk import 640.0, Dark mode 1200.0, Onboarding tour 625.0
"""
        ),
        p(
            "<p>Dark mode wins, not because it matters most to anyone, but because it touches "
            "many people for very little work. That is exactly the kind of result worth reading "
            "twice: if the team's goal this quarter is retention of paying accounts, the reach "
            "number for dark mode may be counting the wrong people.</p>"
        ),
        callout(
            "tip",
            "Write the estimates down",
            "<p>Keep each factor in its own column beside the score, with a note on where the "
            "number came from. When someone challenges the ranking, you can point at the one "
            "estimate in dispute instead of defending the whole list.</p>",
        ),
        check(
            "effort",
            "Two ideas have the same reach, impact and confidence. One needs twice the effort of "
            "the other. How do their RICE scores compare?",
            [
                (
                    "The cheaper idea scores twice as high",
                    True,
                    "Right: effort is the divisor, so halving it doubles the score.",
                ),
                (
                    "They score the same",
                    False,
                    "Effort is part of the formula, so equal value at double the cost scores "
                    "half as much.",
                ),
                (
                    "The costlier idea scores higher because it delivers more",
                    False,
                    "The two ideas deliver the same value by assumption; RICE rewards value per "
                    "unit of work, not size.",
                ),
            ],
        ),
    ],
)

ICE_FOR_TRIAGE = Lesson(
    slug="ice-for-fast-triage",
    title="ICE for fast triage",
    summary="Score many small ideas quickly, and keep the 1-to-10 scales honest with a rubric.",
    minutes=15,
    key_phrases=("anchored rubric", "triage", "Calibrate together"),
    body=[
        p(
            "<p>ICE rates every idea from 1 to 10 on impact, confidence and ease, and multiplies "
            "the three. It needs no reach figure and no effort estimate in person-months, which "
            "makes it the right tool when you have forty growth experiments and one hour: a quick "
            "<b>triage</b> that sorts the list into try now, try later and drop.</p>"
        ),
        h("Keep the scales honest"),
        p(
            "<p>A 1-to-10 scale means different things to different people. An engineer's 7 for "
            "ease may be a designer's 4. Before a scoring session, agree an <b>anchored "
            "rubric</b>: a short description of what 2, 5 and 8 look like for each factor, using "
            "examples from your own past work.</p>"
        ),
        table(
            [
                ["Score", "Impact", "Confidence", "Ease"],
                ["2", "Barely noticeable", "Someone's opinion", "A quarter or more of work"],
                [
                    "5",
                    "A visible lift in one metric",
                    "Support tickets or survey data",
                    "A few weeks",
                ],
                ["8", "Moves the team's main goal", "A test or prototype showed it", "Days"],
            ]
        ),
        h("Calibrate together"),
        p(
            "<p>Have two or three people score the same ideas on their own, then compare. Where "
            "scores differ by more than a few points, talk about why: the gap usually reveals a "
            "missing fact, such as a dependency only one person knew about. Scoring separately "
            "first stops the loudest voice from setting everyone's numbers.</p>"
        ),
        callout(
            "warning",
            "Know what ICE leaves out",
            "<p>ICE does not ask how many people an idea reaches. Use it to sort ideas of similar "
            "scope, and move the few that survive triage to RICE before committing real "
            "capacity.</p>",
        ),
        check(
            "calibrate",
            "Two teammates rate the ease of the same idea 3 and 9. What is the best next step?",
            [
                (
                    "Talk through why they differ and anchor the scale with examples",
                    True,
                    "Yes: a wide gap usually hides a fact one person is missing, and an anchored "
                    "rubric keeps future scores comparable.",
                ),
                (
                    "Take the average, 6, and move on",
                    False,
                    "Averaging hides the disagreement; the missing fact will surface later, when "
                    "it is more expensive.",
                ),
                (
                    "Let the more senior teammate decide",
                    False,
                    "Seniority does not make an estimate right; the point of scoring separately is "
                    "to surface evidence, not rank.",
                ),
            ],
        ),
    ],
)

EVIDENCE = Lesson(
    slug="evidence-behind-the-estimates",
    title="Evidence behind the estimates",
    summary="Where reach, impact and confidence numbers come from, and how to raise confidence.",
    minutes=15,
    key_phrases=("User tracking", "Customer surveys", "raise confidence"),
    body=[
        p(
            "<p>A score is only as good as the numbers fed into it. Product managers already have "
            "tools that produce those numbers; the habit to build is reaching for them before a "
            "scoring session rather than after an argument.</p>"
        ),
        table(
            [
                ["Estimate", "Good sources"],
                [
                    "Reach",
                    "User tracking and product analytics: how many people use the screen or flow "
                    "the change touches.",
                ],
                [
                    "Impact",
                    "Customer surveys, interviews, support tickets and the results of earlier, "
                    "similar changes.",
                ],
                [
                    "Effort",
                    "A short conversation with the engineers and designers who will do the "
                    "work, not a guess made on their behalf.",
                ],
            ]
        ),
        h("Raise confidence cheaply"),
        p(
            "<p>When a promising idea scores low only because confidence is 50%, the next step is "
            "not to build it but to <b>raise confidence</b> for a fraction of the cost: a "
            "clickable prototype shown to five customers, a fake-door button that measures "
            "interest, or a query against existing analytics. Re-score once the evidence is "
            "in.</p>"
        ),
        callout(
            "info",
            "Scores are a snapshot",
            "<p>Markets, competitors and your own product change. Re-score the top of the "
            "backlog every month or quarter, and whenever a big assumption turns out wrong.</p>",
        ),
        check(
            "low-confidence",
            "An idea would reach many users, but the team's confidence in its impact is only 50%. "
            "What should the product manager do first?",
            [
                (
                    "Run a cheap test, such as a prototype or a fake-door button, and re-score",
                    True,
                    "Right: a small experiment buys evidence for far less than building the "
                    "feature.",
                ),
                (
                    "Raise confidence to 100% since the reach is large",
                    False,
                    "Reach and confidence are separate; inflating confidence removes the "
                    "protection it gives against hunches.",
                ),
                (
                    "Build it at once so the team finds out for sure",
                    False,
                    "Building is the most expensive way to learn; test the riskiest assumption "
                    "first.",
                ),
            ],
        ),
    ],
)

RANKING_TO_PLAN = Lesson(
    slug="from-ranking-to-plan",
    title="From a ranking to a plan",
    summary="Dependencies, strategic bets and capacity turn a scored list into a plan people trust.",
    minutes=15,
    key_phrases=("What depends on what?", "strategic bets", "share the reasoning"),
    body=[
        p(
            "<p>A ranked list is an input to a decision, not the decision itself. Before it "
            "becomes next quarter's plan, three questions need an answer.</p>"
        ),
        h("Three questions before committing"),
        p(
            "<ol><li><b>What depends on what?</b> An item near the top may need a platform change "
            "further down. Pull the prerequisite forward or move the item back; never schedule "
            "work that cannot start.</li><li><b>Does it serve the strategy?</b> Scores favour "
            "quick wins. Reserve some capacity for <b>strategic bets</b> that score poorly today "
            "because their payoff is far away or uncertain, and say openly that they are "
            "bets.</li><li><b>Does it fit?</b> Add items down the list until the team's capacity "
            "for the period is used, leaving room for bugs and surprises.</li></ol>"
        ),
        h("Share the reasoning, not just the result"),
        p(
            "<p>Stakeholders accept a ranking they can inspect. Publish the scored backlog with "
            "its estimates and sources, explain any place where you departed from the scores, "
            "and invite corrections to the numbers. When you <b>share the reasoning</b>, a "
            "disagreement becomes a discussion about one estimate instead of a contest of "
            "opinions.</p>"
        ),
        callout(
            "tip",
            "Keep a decision log",
            "<p>One line per decision: what was chosen, what was left out, and why. Three months "
            "later it answers \u201cwhy didn\u2019t we build X?\u201d in seconds.</p>",
        ),
        check(
            "dependency",
            "The highest-scoring item needs an API that another team will deliver next quarter. "
            "What should the plan do?",
            [
                (
                    "Schedule it after the API lands, and fill this quarter with the next items "
                    "that can start now",
                    True,
                    "Yes: respect the dependency and use the capacity on work that is ready.",
                ),
                (
                    "Start it now, since it has the highest score",
                    False,
                    "A score does not remove a dependency; the team would be blocked halfway.",
                ),
                (
                    "Drop it from the backlog",
                    False,
                    "It is still valuable; only its timing changes.",
                ),
            ],
        ),
    ],
)

SCORING_MODULES = (
    Module(
        slug="scoring-models",
        title="Scoring models",
        summary="RICE and ICE, estimated with care and scored consistently.",
        lessons=(RICE_IN_PRACTICE, ICE_FOR_TRIAGE),
    ),
    Module(
        slug="scores-to-decisions",
        title="From scores to decisions",
        summary="Feed the scores with evidence, then turn the ranking into a plan.",
        lessons=(EVIDENCE, RANKING_TO_PLAN),
    ),
)

# Roadmaps and Stakeholders ---------------------------------------------------------------------

THEMES = Lesson(
    slug="themes-not-features",
    title="Themes, not feature lists",
    summary="Why roadmaps organised around problems and outcomes age better than feature lists.",
    minutes=15,
    key_phrases=("outcome", "theme", "measurable change"),
    body=[
        p(
            "<p>A roadmap shows where a product is heading and why. It links the product's "
            "vision and strategy to the work of the coming months, and it is the document most "
            "people outside the team will read to understand what the product is for.</p>"
        ),
        p(
            "<p>A feature list promises solutions before anyone has tested them. When the first "
            "one turns out wrong, the roadmap becomes a list of broken promises. A roadmap of "
            "<b>themes</b> promises to work on problems instead, and leaves the team free to find "
            "the best answer to each.</p>"
        ),
        h("Write items as outcomes"),
        table(
            [
                ["Feature-list item", "Outcome item"],
                ["Add a PDF export button", "Managers share monthly results without rework"],
                ["Build a mobile app", "Field staff log visits the same day they happen"],
                ["Redesign settings", "Half as many support tickets about configuration"],
            ],
            first_col_is_header=False,
        ),
        p(
            "<p>A good <b>outcome</b> item names a user, a <b>measurable change</b> in their "
            "behaviour or results, and ideally the metric that will show it. The features that "
            "deliver it appear in the team's backlog, where they can change weekly without "
            "changing the promise.</p>"
        ),
        callout(
            "tip",
            "One theme, several bets",
            "<p>Under each theme, list the two or three ideas you will try first. If the first "
            "bet fails, the theme stays and the next bet takes its place.</p>",
        ),
        check(
            "outcome",
            "Which roadmap item is written as an outcome?",
            [
                (
                    "Cut the time to a first report from three days to one",
                    True,
                    "Yes: it names a measurable change for users and leaves the solution open.",
                ),
                (
                    "Build a PDF export button",
                    False,
                    "That is a feature: it names a solution, not the result it should bring.",
                ),
                (
                    "Q3: analytics improvements",
                    False,
                    "That is a vague label; it says neither what changes for users nor how you "
                    "would measure it.",
                ),
            ],
        ),
    ],
)

NOW_NEXT_LATER = Lesson(
    slug="now-next-later",
    title="Now, next, later",
    summary="Time horizons instead of dates: detail where you know most, direction where you know less.",
    minutes=15,
    key_phrases=("Now", "Next", "Later", "certainty falls"),
    body=[
        p(
            "<p>Exact dates far in the future are guesses dressed up as commitments. A "
            "now-next-later roadmap replaces them with three horizons whose detail matches what "
            "the team actually knows: as the horizon moves out, <b>certainty falls</b> and so "
            "does the level of detail.</p>"
        ),
        table(
            [
                ["Horizon", "What it holds", "How firm"],
                [
                    "Now",
                    "Outcomes the team is working on this cycle, with the bets in progress.",
                    "Committed; changes are rare and announced.",
                ],
                [
                    "Next",
                    "Problems being researched and shaped for the coming cycle or two.",
                    "Likely, but open to what discovery finds.",
                ],
                [
                    "Later",
                    "Themes that follow from the strategy, stated as problems.",
                    "Direction only; expect change.",
                ],
            ]
        ),
        h("Connecting to the long view"),
        p(
            "<p>Product strategy often looks several years ahead: how the product will grow, be "
            "packaged, launched in new markets and expanded. The Later column is where that long "
            "view meets the roadmap. Each Later theme should trace back to a strategic goal, so "
            "anyone can see why it is there.</p>"
        ),
        callout(
            "info",
            "When a date is real",
            "<p>Some dates are fixed from outside: a regulation, a contract, a trade fair. Mark "
            "those explicitly as deadlines so they are not confused with estimates.</p>",
        ),
        check(
            "horizons",
            "A sales director asks for the exact release date of an item in the Later column. "
            "What is the most honest answer?",
            [
                (
                    "Explain that Later items are direction, not commitments, and say what would "
                    "move it to Next",
                    True,
                    "Right: it keeps trust by being clear about certainty and gives them a way to "
                    "influence the order.",
                ),
                (
                    "Give a date anyway to keep the relationship good",
                    False,
                    "A guessed date becomes a promise that is likely to break, which costs more "
                    "trust later.",
                ),
                (
                    "Refuse to discuss the roadmap with sales",
                    False,
                    "Sales is a key stakeholder; the roadmap exists to align people like them.",
                ),
            ],
        ),
    ],
)

STAKEHOLDER_MAP = Lesson(
    slug="mapping-stakeholders",
    title="Mapping your stakeholders",
    summary="Who cares about the roadmap, how much they can shape it, and what each of them needs.",
    minutes=15,
    key_phrases=("influence", "interest", "when they need it", "cadence"),
    body=[
        p(
            "<p>A product manager rarely manages the people who build, sell or support the "
            "product, yet must keep all of them pulling in one direction. That starts with "
            "knowing who they are: leadership, engineering, design, marketing, sales, customer "
            "support, and of course the customers themselves.</p>"
        ),
        h("Influence and interest"),
        p(
            "<p>Place each group on two axes: how much <b>influence</b> they have over the "
            "product's direction, and how much <b>interest</b> they take in it. The quadrant "
            "suggests how to work with them.</p>"
        ),
        table(
            [
                ["", "Low interest", "High interest"],
                [
                    "High influence",
                    "Keep satisfied: short, regular summaries",
                    "Partner closely: involve them in decisions",
                ],
                [
                    "Low influence",
                    "Keep informed: the published roadmap",
                    "Consult: ask for their knowledge and feedback",
                ],
            ]
        ),
        h("The right message, at the right time"),
        p(
            "<p>Good communication gives each group the information it needs, <b>when they need "
            "it</b>, in a form they can use. Executives want outcomes and risks; "
            "engineers want the problem and the constraints; support wants to know what changes "
            "for customers and when. Agree a <b>cadence</b> with each group, such as a monthly "
            "review with leadership and a short note to support before every release, so "
            "nobody has to chase you for news.</p>"
        ),
        callout(
            "tip",
            "No surprises",
            "<p>Tell anyone whose plans depend on yours about a change before it becomes public. "
            "A stakeholder who hears bad news early becomes a partner in the fix.</p>",
        ),
        check(
            "quadrant",
            "The head of customer support has little say over the roadmap but cares a lot about "
            "it. How should the product manager work with them?",
            [
                (
                    "Consult them: ask what customers struggle with and tell them what changes "
                    "before each release",
                    True,
                    "Yes: high interest and low influence calls for consulting and keeping them "
                    "informed, and support sees problems first.",
                ),
                (
                    "Leave them out, since they cannot change the plan",
                    False,
                    "Support talks to customers every day; ignoring them loses evidence and "
                    "goodwill.",
                ),
                (
                    "Give them a vote on every roadmap decision",
                    False,
                    "Decisions still belong with those accountable for the product; consulting is "
                    "not handing over the decision.",
                ),
            ],
        ),
    ],
)

SAYING_NO = Lesson(
    slug="saying-no-and-roadmap-reviews",
    title="Saying no, and running a roadmap review",
    summary="Decline requests without losing allies, and review the roadmap so that people leave aligned.",
    minutes=15,
    key_phrases=("not now", "trade-off", "roadmap review"),
    body=[
        p(
            "<p>Every roadmap is mostly a list of things the team will not do yet. Saying no is "
            "therefore a daily part of the job, and doing it well keeps trust intact.</p>"
        ),
        h("Saying no well"),
        p(
            "<ul><li><b>Listen first.</b> Ask what problem the request solves and for whom; the "
            "underlying need may already be covered by a theme.</li><li><b>Frame the "
            "trade-off.</b> Show what would have to move out to make room, and let the requester "
            "see the cost.</li><li><b>Prefer \u201cnot now\u201d to \u201cnever\u201d</b> when "
            "it is true, and say what evidence would change the order.</li><li><b>Record "
            "it.</b> Add the request to the backlog with its source so it is scored like "
            "everything else.</li></ul>"
        ),
        h("Running a roadmap review"),
        p(
            "<p>A <b>roadmap review</b> is a regular meeting, often quarterly, where leadership "
            "and team leads look at the roadmap together. A simple agenda works:</p>"
            "<ol><li>What we learned since last time, including bets that failed.</li>"
            "<li>Progress on the Now outcomes, measured by their metrics.</li>"
            "<li>Proposed changes to Next and Later, each with its reason.</li>"
            "<li>Decisions and owners, written down before everyone leaves.</li></ol>"
        ),
        callout(
            "warning",
            "Avoid the status parade",
            "<p>If the review is a list of features shipped, it teaches people to value output. "
            "Keep the conversation on outcomes and on the decisions that need the room.</p>",
        ),
        check(
            "saying-no",
            "A senior executive asks for a feature that does not fit any current theme. What is "
            "the best first response?",
            [
                (
                    "Ask which problem it solves, then show what it would displace if it moved up",
                    True,
                    "Right: understanding the need and making the trade-off visible lets the "
                    "executive decide with you, not against you.",
                ),
                (
                    "Add it to the Now column, since the request comes from an executive",
                    False,
                    "Rank alone is not evidence; unexamined requests crowd out the outcomes the "
                    "team committed to.",
                ),
                (
                    "Say no and close the topic",
                    False,
                    "A flat refusal loses an ally and perhaps a real need; record it and explain "
                    "the trade-off instead.",
                ),
            ],
        ),
    ],
)

ROADMAP_MODULES = (
    Module(
        slug="outcome-roadmaps",
        title="Outcome roadmaps",
        summary="Plans that survive contact with reality.",
        lessons=(THEMES, NOW_NEXT_LATER),
    ),
    Module(
        slug="working-with-stakeholders",
        title="Working with stakeholders",
        summary="Keep leadership, teams and customers aligned on the roadmap.",
        lessons=(STAKEHOLDER_MAP, SAYING_NO),
    ),
)
