"""The flagship course's prioritization module and final assessment.

Each framework lesson says what the method is, when it fits and how it goes wrong, then embeds
its graded notebook (see notebook_exercises.py). The final assessment is a graded quiz and the
capstone notebook; the course's pass rules require both.
"""

from .authoring import Lesson, Module, Quiz, callout, check, code, exercise, h, p, table

FINAL_QUIZ_PASS_PERCENT = 80
FINAL_QUIZ_ATTEMPTS = 3
CAPSTONE_PASS_PERCENT = 60

RICE = Lesson(
    slug="rice",
    title="RICE: reach, impact, confidence, effort",
    summary="Rank a backlog by the value each feature delivers per unit of work.",
    minutes=40,
    key_phrases=("reach × impact × confidence / effort", "Confidence", "person-months"),
    body=[
        h("What it is"),
        p(
            "<p>RICE turns four estimates into one number you can compare across a backlog. "
            "<b>Reach</b> is how many people or accounts a feature touches in a period. "
            "<b>Impact</b> is how much it helps each of them, on a fixed scale (3 massive, 2 high, "
            "1 medium, 0.5 low, 0.25 minimal). <b>Confidence</b> is how sure you are of those two "
            "estimates (1.0 high, 0.8 medium, 0.5 low). <b>Effort</b> is the cost to build, for "
            "example in person-months. The score is reach × impact × confidence / effort: value "
            "delivered per unit of work.</p>"
        ),
        code(
            """
def rice(feature):
    return feature["reach"] * feature["impact"] * feature["confidence"] / feature["effort"]

# A loud, unproven idea: big reach and impact, but only 50% confidence.
rice({"reach": 4000, "impact": 2, "confidence": 0.5, "effort": 4})  # 1000.0
"""
        ),
        h("When to use it"),
        p(
            "<p>Use RICE when ideas differ a lot in how many people they reach and in how much "
            "they cost, and when you have at least rough data for both. It shines in planning "
            "meetings: when someone disagrees with the ranking, the conversation moves to "
            "<i>which estimate</i> they dispute, which is far more productive than arguing about "
            "whose feature matters more.</p>"
        ),
        h("Pitfalls"),
        callout(
            "warning",
            "Where RICE goes wrong",
            "<ul><li>Mixing units: reach per month for one feature and per year for another "
            "makes the scores meaningless.</li><li>Inflated confidence: if everything is 100%, "
            "the factor stops protecting you from hunches.</li><li>Treating the score as the "
            "decision: dependencies, deadlines and strategy still need judgement.</li></ul>",
        ),
        exercise("pmf-rice"),
        check(
            "effort",
            "Two features have the same reach, impact and confidence. One takes twice the effort. "
            "How do their RICE scores compare?",
            [
                (
                    "The cheaper feature scores twice as high",
                    True,
                    "Right: effort divides the score, so halving the effort doubles it.",
                ),
                (
                    "They score the same, because effort is only a tie-breaker",
                    False,
                    "Effort is part of the formula itself, not a tie-breaker.",
                ),
                (
                    "The more expensive feature scores higher, because it is bigger",
                    False,
                    "A bigger job is not more valuable by itself; RICE rewards value per unit of "
                    "work.",
                ),
            ],
        ),
    ],
)

ICE = Lesson(
    slug="ice",
    title="ICE: impact, confidence, ease",
    summary="A five-minute triage score, and why it can disagree with RICE.",
    minutes=35,
    key_phrases=("impact × confidence × ease", "no reach term", "triage"),
    body=[
        h("What it is"),
        p(
            "<p>ICE scores each idea from 1 to 10 on three questions: how much it would move the "
            "goal if it works (<b>impact</b>), how much evidence you have that it will "
            "(<b>confidence</b>), and how easy it is to ship (<b>ease</b>). The score is impact "
            "× confidence × ease.</p>"
        ),
        code(
            """
def ice(idea):
    return idea["impact"] * idea["confidence"] * idea["ease"]

ice({"impact": 8, "confidence": 5, "ease": 9})  # 360
"""
        ),
        h("When to use it"),
        p(
            "<p>ICE is built for speed: a growth team can <b>triage</b> dozens of small "
            "experiments in one meeting. It works best when the ideas reach roughly the same "
            "people and cost roughly the same, so the missing detail does not matter.</p>"
        ),
        h("Pitfalls"),
        callout(
            "warning",
            "Where ICE goes wrong",
            "<p>ICE has <b>no reach term</b>: a feature that delights a handful of customers can "
            "score as well as one everybody uses. Its 1\u201310 scales are also subjective and "
            "ties are frequent. When stakes are high, check the top of an ICE ranking with RICE, "
            "as the exercise asks you to do.</p>",
        ),
        exercise("pmf-ice"),
        check(
            "ice-vs-rice",
            "A report that only a few hundred customers need ranks high with ICE and low with "
            "RICE. What is the most likely reason?",
            [
                (
                    "ICE ignores how many people a feature reaches",
                    True,
                    "Right: RICE multiplies by reach, ICE does not, so niche features rank higher "
                    "under ICE.",
                ),
                (
                    "RICE ignores confidence",
                    False,
                    "Both methods include confidence; the difference here is reach.",
                ),
                (
                    "ICE divides by effort and RICE does not",
                    False,
                    "It is the other way round: RICE divides by effort, while ICE uses ease as a "
                    "multiplier.",
                ),
            ],
        ),
    ],
)

MOSCOW = Lesson(
    slug="moscow",
    title="MoSCoW: must, should, could, won't",
    summary="Turn labels into a release scope that fits the capacity you have.",
    minutes=35,
    key_phrases=("Must", "value density", "60%"),
    body=[
        h("What it is"),
        p(
            "<p>MoSCoW sorts requests into four groups: <b>Must</b> have (the release is "
            "pointless, unsafe or illegal without it), <b>Should</b> have, <b>Could</b> have and "
            "<b>Won't</b> have this time. It comes from the DSDM agile method.</p>"
        ),
        h("When to use it"),
        p(
            "<p>Use it for a release with a fixed date and team, where stakeholders need to agree "
            "on scope quickly. Labels alone are not a plan, though: capacity is. Put all Musts "
            "in first, then fill the rest with Shoulds and then Coulds in order of <b>value "
            "density</b> (value divided by effort).</p>"
        ),
        code(
            """
capacity = 40  # developer-days
musts = 19
print(f"Musts use {musts / capacity:.0%} of the release")  # Musts use 48% of the release
"""
        ),
        h("Pitfalls"),
        callout(
            "warning",
            "Where MoSCoW goes wrong",
            "<ul><li>Everything becomes a Must. DSDM suggests Musts take no more than about "
            "<b>60%</b> of the capacity, leaving room for surprises.</li><li>When the Musts alone "
            "do not fit, there is no plan: say so and renegotiate the scope or the date, rather "
            "than quietly dropping a Must.</li><li>Won't is not never: make clear it means not in "
            "this release.</li></ul>",
        ),
        exercise("pmf-moscow"),
        check(
            "musts-overrun",
            "The Musts alone need 46 developer-days and the release has 40. What should the "
            "product manager do?",
            [
                (
                    "Tell stakeholders the plan does not fit and renegotiate scope or date",
                    True,
                    "Right: an overrun of Musts is a planning problem to raise openly, with the "
                    "number of days it overruns.",
                ),
                (
                    "Drop the largest Must so the rest fits",
                    False,
                    "A Must is by definition something the release cannot do without; dropping one "
                    "silently breaks that promise.",
                ),
                (
                    "Replace two Musts with Coulds that fit",
                    False,
                    "Swapping essentials for nice-to-haves makes the numbers fit and the release "
                    "useless.",
                ),
            ],
        ),
    ],
)

KANO = Lesson(
    slug="kano",
    title="Kano: what customers expect, love and ignore",
    summary="Classify features by the kind of satisfaction they create, from survey answers.",
    minutes=40,
    key_phrases=("Must-be (M)", "One-dimensional (O)", "Attractive (A)", "Indifferent (I)"),
    body=[
        h("What it is"),
        p(
            "<p>The Kano model asks each respondent two questions about a feature: how would you "
            "feel if the product had it, and how would you feel if it did not? The pair of "
            "answers places the feature in a category for that person.</p>"
        ),
        table(
            [
                ["Category", "What it means", "What to do"],
                [
                    "Must-be (M)",
                    "Missing it makes customers leave; having it earns no praise.",
                    "Ship first.",
                ],
                ["One-dimensional (O)", "The more, the better.", "Compete on it."],
                ["Attractive (A)", "Nobody asked, but it delights.", "Pick a few to stand out."],
                ["Indifferent (I)", "Nobody cares either way.", "Skip."],
                ["Reverse (R)", "Some would rather not have it.", "Make it optional, or drop it."],
            ],
        ),
        p(
            "<p>Counting categories across respondents also gives two coefficients: "
            "<i>better</i> (how much satisfaction rises if you build it) and <i>worse</i> (how "
            "much it falls if you do not).</p>"
        ),
        code(
            """
def better_worse(a, o, m, i):
    counted = a + o + m + i
    return (a + o) / counted, -(o + m) / counted

better_worse(a=12, o=30, m=48, i=10)  # (0.42, -0.78): a basic customers expect
"""
        ),
        h("When to use it"),
        p(
            "<p>Use Kano when a ranking method tells you how <i>much</i> value a feature has but "
            "not what <i>kind</i>: before a redesign, when entering a new segment, or when the "
            "team argues whether a feature is a basic or a differentiator.</p>"
        ),
        h("Pitfalls"),
        callout(
            "warning",
            "Where Kano goes wrong",
            "<ul><li>Small or skewed samples: ask enough of the right users.</li><li>Categories "
            "drift: today's delighter becomes tomorrow's must-be.</li><li>Contradictory answers "
            "(questionable) usually mean the question was misread; fix the survey.</li></ul>",
        ),
        exercise("pmf-kano"),
        check(
            "kano-must-be",
            "Most runners say they would dislike an app without GPS tracking but feel neutral "
            "about having it. Which category is GPS tracking?",
            [
                (
                    "Must-be",
                    True,
                    "Right: its absence causes dissatisfaction, its presence is taken for granted.",
                ),
                (
                    "Attractive",
                    False,
                    "An attractive feature delights when present and is not missed when absent; "
                    "here it is the other way round.",
                ),
                (
                    "Indifferent",
                    False,
                    "Runners are not indifferent: they would dislike the app without it.",
                ),
            ],
        ),
    ],
)

WSJF = Lesson(
    slug="wsjf-and-cost-of-delay",
    title="WSJF and cost of delay",
    summary="Sequence work by what it costs to wait, divided by the size of the job.",
    minutes=40,
    key_phrases=("cost of delay", "weighted shortest job first", "CD3"),
    body=[
        h("What it is"),
        p(
            "<p><b>Cost of delay</b> asks what it costs, per unit of time, not to have something "
            "yet. SAFe's <b>weighted shortest job first</b> (WSJF) estimates it in relative "
            "points as user-business value plus time criticality plus risk reduction or "
            "opportunity enablement, then divides by job size. When you can put money on the cost "
            "of delay, the same idea is called <b>CD3</b>: cost of delay divided by duration.</p>"
        ),
        code(
            """
def wsjf(item):
    cost_of_delay = item["business_value"] + item["time_criticality"] + item["risk_reduction"]
    return cost_of_delay / item["job_size"]

wsjf({"business_value": 8, "time_criticality": 13, "risk_reduction": 5, "job_size": 2})  # 13.0
"""
        ),
        h("When to use it"),
        p(
            "<p>Use WSJF to order work a team will do one item after another, especially when "
            "deadlines, switch-offs or enabling work compete with big bets. Doing a small, urgent "
            "job first stops its cost of delay sooner, while the big job barely moves.</p>"
        ),
        h("Pitfalls"),
        callout(
            "warning",
            "Where WSJF goes wrong",
            "<ul><li>Estimating in absolute numbers: the scale (1, 2, 3, 5, 8, 13, 20) is "
            "relative, so compare items with each other.</li><li>Forgetting dependencies: a high "
            "score cannot start before the work it depends on.</li><li>Gaming job size by "
            "splitting work artificially.</li></ul>",
        ),
        exercise("pmf-wsjf"),
        check(
            "wsjf-order",
            "Two jobs have the same cost of delay. One takes two weeks, the other eight. Which "
            "should usually go first?",
            [
                (
                    "The two-week job",
                    True,
                    "Right: finishing the short job first stops its cost of delay after two weeks, "
                    "and delays the long one only a little.",
                ),
                (
                    "The eight-week job, to get the hard part done",
                    False,
                    "Doing the long job first makes the short one wait eight weeks, running up its "
                    "cost of delay for nothing.",
                ),
                (
                    "It does not matter, because their cost of delay is the same",
                    False,
                    "Order matters: total cost depends on how long each job waits.",
                ),
            ],
        ),
    ],
)

WEIGHTED_SCORING = Lesson(
    slug="weighted-scoring",
    title="Weighted scoring and the value-versus-effort map",
    summary="Agree what matters first, score against it, and map value against effort.",
    minutes=40,
    key_phrases=("weighted average", "quick win", "money pit"),
    body=[
        h("What it is"),
        p(
            "<p>Weighted scoring starts by agreeing the criteria that matter this year and how "
            "much each counts, before anyone looks at a feature. Each feature is scored, say 1 to "
            "5, on every criterion, and its score is the <b>weighted average</b>: the sum of "
            "weight × score divided by the sum of the weights.</p>"
        ),
        code(
            """
weights = {"revenue": 35, "retention": 25, "strategic_fit": 20, "customer_demand": 20}
scores = {"revenue": 4, "retention": 3, "strategic_fit": 5, "customer_demand": 2}
sum(weights[c] * scores[c] for c in weights) / sum(weights.values())  # 3.55
"""
        ),
        p("<p>A score hides cost, so place every feature on a value-versus-effort map too:</p>"),
        table(
            [
                ["", "Low effort", "High effort"],
                ["High value", "Quick win: do now", "Big bet: plan and de-risk"],
                ["Low value", "Fill-in: when there is slack", "Money pit: avoid"],
            ],
        ),
        h("When to use it"),
        p(
            "<p>Use it for roadmap reviews with leadership, when many stakeholders need to see "
            "why a request ranks where it does. Agreeing the weights first separates what we "
            "value from which feature I like.</p>"
        ),
        h("Pitfalls"),
        callout(
            "warning",
            "Where weighted scoring goes wrong",
            "<ul><li>Changing the weights after seeing the results, to get the answer someone "
            "wanted.</li><li>Too many criteria: the scores converge and nothing stands out."
            "</li><li>Negative or zero weights: a mistake in the review, not something to score "
            "with.</li></ul>",
        ),
        exercise("pmf-weighted-scoring"),
        check(
            "quadrant",
            "A feature has a high weighted score and a high effort. Which quadrant is it in, and "
            "what do you do with it?",
            [
                (
                    "A big bet: plan it carefully and reduce its risk",
                    True,
                    "Right: valuable but expensive work deserves a plan, not an impulse.",
                ),
                (
                    "A quick win: do it now",
                    False,
                    "Quick wins are high value and low effort; this one is expensive.",
                ),
                (
                    "A money pit: avoid it",
                    False,
                    "Money pits are low value and high effort; this feature is valuable.",
                ),
            ],
        ),
    ],
)

FINAL_QUIZ = Lesson(
    slug="final-quiz",
    title="Final quiz",
    summary=f"Five questions drawn from across the course. Get at least {FINAL_QUIZ_PASS_PERCENT}% "
    f"right to pass; you have {FINAL_QUIZ_ATTEMPTS} attempts and your best score counts.",
    minutes=15,
    pass_check_percent=FINAL_QUIZ_PASS_PERCENT,
    key_phrases=("at least four of the five questions", "after your last attempt"),
    body=[
        callout(
            "info",
            "How this quiz counts",
            "<p>This quiz is part of your final assessment. You get five questions drawn from a "
            "pool, and you need to answer <b>at least four of the five questions</b> correctly "
            f"to complete the course. You have {FINAL_QUIZ_ATTEMPTS} attempts and your best "
            "score counts. After each attempt you see your score; which answers were right, "
            "with the feedback on every option, is shown after your last attempt.</p>",
        ),
        Quiz(
            key="final",
            questions_per_learner=5,
            max_attempts=FINAL_QUIZ_ATTEMPTS,
            reveal="after_last_attempt",
            questions=(
                check(
                    "final-role",
                    "Which statement best describes the product manager's role?",
                    [
                        (
                            "They define what the product should do and why, and own its success in the "
                            "market",
                            True,
                            "Right: direction and outcomes are the product manager's.",
                        ),
                        (
                            "They make sure the agreed work is delivered on time and within budget",
                            False,
                            "That describes the project manager.",
                        ),
                        (
                            "They design the screens and write the code for the first version",
                            False,
                            "Designers and engineers do that; the product manager works with them on what "
                            "is worth building.",
                        ),
                    ],
                ),
                check(
                    "final-pillar",
                    "Gathering user feedback and monitoring performance after launch belongs to which "
                    "pillar of the life cycle?",
                    [
                        (
                            "Market success",
                            True,
                            "Right: it checks the product works for customers and the business.",
                        ),
                        (
                            "Strategy and vision",
                            False,
                            "Strategy comes before building; this happens after launch.",
                        ),
                        (
                            "Execution and delivery",
                            False,
                            "Delivery is about shipping; this is about what happens next.",
                        ),
                    ],
                ),
                check(
                    "final-tools",
                    "Which pairing of tool and category is right?",
                    [
                        (
                            "Amplitude for user tracking",
                            True,
                            "Right: Amplitude records what users do in a product.",
                        ),
                        (
                            "Figma for issue tracking",
                            False,
                            "Figma is a design and prototyping tool.",
                        ),
                        (
                            "Jira for customer surveys",
                            False,
                            "Jira tracks issues and tasks, not survey answers.",
                        ),
                    ],
                ),
                check(
                    "final-framework",
                    "You must sequence a regulatory deadline, a carrier API switch-off and two big "
                    "features for a team that works on one thing at a time. Which method fits best?",
                    [
                        (
                            "WSJF, because it weighs time criticality against job size",
                            True,
                            "Right: cost of delay captures the deadlines, and dividing by size sequences the "
                            "work.",
                        ),
                        (
                            "Kano, because it shows what customers love",
                            False,
                            "Kano classifies kinds of satisfaction; it says nothing about deadlines.",
                        ),
                        (
                            "ICE, because it is the quickest",
                            False,
                            "ICE has no notion of time criticality, which is what this decision turns on.",
                        ),
                    ],
                ),
                check(
                    "final-figures",
                    "How should you quote the figure that 72.2% of product managers hold a bachelor's "
                    "degree?",
                    [
                        (
                            "With its source, Zippia, and the date it was accessed, January 21, 2025",
                            True,
                            "Right: a figure without its source and date cannot be checked or put in "
                            "context.",
                        ),
                        (
                            "As a plain fact; percentages speak for themselves",
                            False,
                            "Figures change and sources differ; readers need to know where and when it "
                            "came from.",
                        ),
                    ],
                ),
                check(
                    "final-rice-score",
                    "A feature reaches 2,000 users a quarter, with impact 1 (medium), confidence 0.8 "
                    "(medium) and an effort of 4 person-months. What is its RICE score?",
                    [
                        ("400", True, "Right: 2,000 × 1 × 0.8 / 4 = 400."),
                        (
                            "6,400",
                            False,
                            "That multiplies by the effort; RICE divides by it, so more work lowers "
                            "the score.",
                        ),
                        (
                            "1,600",
                            False,
                            "That leaves the effort out; divide by the 4 person-months.",
                        ),
                    ],
                ),
                check(
                    "final-moscow-wont",
                    "In MoSCoW, what does a Won't label tell stakeholders about a request?",
                    [
                        (
                            "It is not in this release, and may come in a later one",
                            True,
                            "Right: Won't means not this time, and saying so keeps expectations honest.",
                        ),
                        (
                            "It will never be built",
                            False,
                            "Won't is not never: it means not in this release.",
                        ),
                        (
                            "It gets built if the Musts finish early",
                            False,
                            "That is what Could haves are for; a Won't is out of this release's scope.",
                        ),
                    ],
                ),
            ),
        ),
    ],
)

CAPSTONE = Lesson(
    slug="capstone-roadmap",
    title="Capstone: plan a year's roadmap",
    summary=f"Score, sequence and schedule a real backlog. You need at least "
    f"{CAPSTONE_PASS_PERCENT}% of the capstone's points to complete the course.",
    minutes=90,
    key_phrases=("dependencies", f"at least {CAPSTONE_PASS_PERCENT}% of its points"),
    body=[
        p(
            "<p>The capstone brings the course together. You are the product manager of a "
            "travel-booking app preparing for the leadership offsite. You have the backlog, each "
            "quarter's engineering capacity and the <b>dependencies</b> the tech leads flagged. "
            "Score the backlog with WSJF, order it so nothing starts before what it depends on, "
            "fit it into the quarters, and write the note to a stakeholder whose favourite "
            "feature did not make it.</p>"
        ),
        callout(
            "warning",
            "This exercise decides your certificate",
            f"<p>You need <b>at least {CAPSTONE_PASS_PERCENT}% of its points</b> to complete the "
            "course, whatever your other scores. Use <i>Check</i> as often as you like before you "
            "submit; your best submission counts.</p>",
        ),
        exercise("pmf-capstone"),
        check(
            "capstone-cycle",
            "Two features in your backlog depend on each other. What should your plan do?",
            [
                (
                    "Stop and report the cycle to the tech leads",
                    True,
                    "Right: a dependency cycle is a planning error to resolve with the people who "
                    "flagged it, not something to guess around.",
                ),
                (
                    "Schedule the one with the higher WSJF first",
                    False,
                    "It cannot start before the other, and neither can the other; picking one "
                    "hides the problem.",
                ),
                (
                    "Leave both out of the roadmap without telling anyone",
                    False,
                    "Silently dropping work surprises stakeholders later; raise the problem.",
                ),
            ],
        ),
    ],
)

PRIORITIZATION_MODULES = (
    Module(
        slug="prioritization",
        title="Prioritization in practice",
        summary="Six frameworks for deciding what to build next, each with a graded notebook.",
        lessons=(RICE, ICE, MOSCOW, KANO, WSJF, WEIGHTED_SCORING),
    ),
    Module(
        slug="final-assessment",
        title="Final assessment",
        summary="A graded quiz and the capstone roadmap: pass both to earn the certificate.",
        lessons=(FINAL_QUIZ, CAPSTONE),
    ),
)
