"""The demo course's prioritization exercises: format, release safety, sealed generators, real-sandbox grading."""

import json
import random
import re

import pytest

from demo.flagship import EXERCISE_NOTEBOOKS, NOTEBOOK_DIR
from exercises.format import CellKind, load_notebook_bytes, markers, parse_source, release_notebook
from grading.engine.limits import Limits
from grading.engine.pipeline import grade_submission
from grading.engine.report import ReportStatus, TestStatus
from grading.engine.sandbox.pool import KernelPool
from grading.engine.sealed import call_expression, case_seed
from grading.engine.validate import solution_notebook, validate_exercise

LIMITS = Limits(cell_timeout_s=10.0, wall_timeout_s=60.0)
NBGRADER_KEYS = {"grade", "grade_id", "locked", "schema_version", "solution", "task"}

#: notebook -> (max score, manually graded points, [(sealed grade_id, comparator, method, points, cases)])
EXPECTED = {
    "rice.ipynb": (
        10,
        0,
        [
            ("rice_scores_sealed", "numeric", "exact", 3, 3),
            ("rice_rank_sealed", "ranking", "kendall", 3, 3),
            ("rice_budget_sealed", "set", "exact", 2, 2),
        ],
    ),
    "ice.ipynb": (
        10,
        1,
        [
            ("ice_scores_sealed", "numeric", "exact", 2, 2),
            ("ice_rank_sealed", "ranking", "kendall", 2, 3),
            ("ice_shift_sealed", "numeric", "exact", 3, 2),
        ],
    ),
    "moscow.ipynb": (
        10,
        0,
        [
            ("moscow_plan_sealed", "categories", "exact", 5, 3),
            ("moscow_share_sealed", "numeric", "exact", 2, 2),
        ],
    ),
    "kano.ipynb": (
        10,
        0,
        [
            ("kano_categories_sealed", "categories", "exact", 4, 3),
            ("kano_coefficients_sealed", "numeric", "exact", 3, 2),
        ],
    ),
    "wsjf.ipynb": (
        10,
        0,
        [
            ("wsjf_scores_sealed", "numeric", "exact", 2, 2),
            ("wsjf_order_sealed", "ranking", "kendall", 2, 3),
            ("cd3_order_sealed", "ranking", "spearman", 2, 2),
            ("delay_cost_sealed", "numeric", "exact", 2, 2),
        ],
    ),
    "weighted_scoring.ipynb": (
        10,
        0,
        [
            ("weighted_scores_sealed", "numeric", "exact", 3, 3),
            ("weighted_rank_sealed", "ranking", "kendall", 2, 2),
            ("weighted_quadrants_sealed", "categories", "exact", 3, 3),
        ],
    ),
    "capstone.ipynb": (
        20,
        2,
        [
            ("capstone_wsjf_sealed", "numeric", "exact", 3, 2),
            ("capstone_order_sealed", "ranking", "kendall", 4, 3),
            ("capstone_roadmap_sealed", "categories", "exact", 5, 3),
        ],
    ),
}


def load(name):
    return load_notebook_bytes((NOTEBOOK_DIR / name).read_bytes(), max_bytes=2 * 2**20)


def source_of(name):
    return parse_source(load(name))


def reference_namespace(source):
    """The instructor's setup and solution code, run here: the notebooks are our own trusted files."""
    namespace = {}
    for cell in source.cells:
        if cell.cell_type == "code" and cell.kind not in (CellKind.TEST, CellKind.SEALED):
            exec(markers.unmark(cell.source), namespace)  # noqa: S102 - trusted source notebook
    return namespace


def sealed_cells(source):
    return [c for c in source.cells if c.kind is CellKind.SEALED]


def generated(cell, seed, case=0):
    namespace = {}
    exec(cell.sealed.generator, namespace)  # noqa: S102 - trusted source notebook
    return namespace["generate"](random.Random(case_seed(seed, cell.grade_id, case)))


def with_answer(nb, grade_id, text):
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            cell.source = text
    return nb


def test_the_course_lists_every_notebook_in_the_folder():
    assert sorted(EXERCISE_NOTEBOOKS) == sorted(p.name for p in NOTEBOOK_DIR.glob("*.ipynb"))
    assert set(EXERCISE_NOTEBOOKS) == set(EXPECTED)


@pytest.mark.parametrize("name", EXERCISE_NOTEBOOKS)
def test_notebook_parses_as_nbgrader_schema_3_with_sealed_checks(name):
    source = source_of(name)
    max_score, manual_points, sealed = EXPECTED[name]

    assert source.max_score == max_score
    assert [
        (
            c.grade_id,
            c.sealed.comparator.kind.value,
            c.sealed.comparator.method.value,
            c.points,
            c.sealed.cases,
        )
        for c in sealed_cells(source)
    ] == sealed
    manual = [c for c in source.cells if c.kind is CellKind.MANUAL_ANSWER]
    assert sum(c.points for c in manual) == manual_points
    assert len(manual) <= 1
    graded = [c for c in source.cells if c.nbgrader]
    for cell in graded:
        assert set(cell.nbgrader) - {"points"} == NBGRADER_KEYS, cell.grade_id
        assert cell.nbgrader["schema_version"] == 3
        assert ("points" in cell.nbgrader) == bool(cell.nbgrader["grade"])
    tests = [c for c in source.cells if c.kind is CellKind.TEST]
    assert tests and all(markers.hidden_regions(c.source) for c in tests)
    assert any(c.kind is CellKind.ANSWER for c in source.cells)
    backlog_sizes = [
        len(v)
        for k, v in reference_namespace(source).items()
        if k in {"backlog", "survey"} and isinstance(v, list | dict)
    ]
    assert backlog_sizes and backlog_sizes[0] >= 12


def _secret_lines(source):
    """Lines of solutions, hidden tests and generators that appear nowhere in the public parts of the source."""
    secret, public = set(), []
    for cell in source.cells:
        lines = cell.source.splitlines()
        if cell.kind is CellKind.SEALED:
            secret.update(lines)
            continue
        regions = (
            markers.solution_regions(cell.source)
            if cell.kind in (CellKind.ANSWER, CellKind.MANUAL_ANSWER)
            else []
        )
        if cell.kind is CellKind.TEST:
            regions = markers.hidden_regions(cell.source)
        inside = {n for begin, end in regions for n in range(begin + 1, end)}
        secret.update(lines[n] for n in inside)
        public.extend(line for n, line in enumerate(lines) if n not in inside)
    public_text = "\n".join(public)
    return sorted(
        line.strip()
        for line in secret
        if len(line.strip()) >= 12 and line.strip() not in public_text
    )


@pytest.mark.parametrize("name", EXERCISE_NOTEBOOKS)
def test_release_notebook_contains_no_solution_hidden_test_or_generator(name):
    source = source_of(name)
    released = json.dumps(release_notebook(source), ensure_ascii=False)
    text = "\n".join(c.source for c in release_notebook(source).cells)

    secrets = _secret_lines(source)
    assert len(secrets) >= 10
    assert [line for line in secrets if line in text] == []
    assert not re.search(
        r"BEGIN (SOLUTION|HIDDEN TESTS)|END (SOLUTION|HIDDEN TESTS)|def generate", released
    )
    assert "raise NotImplementedError()" in text


@pytest.mark.parametrize("name", EXERCISE_NOTEBOOKS)
def test_sealed_generators_are_deterministic_per_seed_and_differ_between_seeds(name):
    for cell in sealed_cells(source_of(name)):
        assert generated(cell, 11) == generated(cell, 11), cell.grade_id
        assert generated(cell, 11) != generated(cell, 12), cell.grade_id
        assert generated(cell, 11, case=0) != generated(cell, 11, case=1), cell.grade_id


@pytest.mark.parametrize("name", EXERCISE_NOTEBOOKS)
def test_the_reference_solution_answers_every_generated_input(name):
    # A reference failure would send a learner's sealed check to review, so 60 seeds per check are tried here.
    source = source_of(name)
    namespace = reference_namespace(source)
    for cell in sealed_cells(source):
        for seed in range(60):
            inputs = generated(cell, seed)
            value = eval(call_expression(cell.sealed.call, inputs), dict(namespace))  # noqa: S307 - trusted source
            assert json.loads(json.dumps(value, allow_nan=False)) is not None, cell.grade_id


def test_capstone_generated_backlogs_are_acyclic_and_dependencies_change_the_order():
    source = source_of("capstone.ipynb")
    namespace = reference_namespace(source)
    order_cell = next(c for c in sealed_cells(source) if c.grade_id == "capstone_order_sealed")
    for seed in range(40):
        backlog = generated(order_cell, seed)["backlog"]
        order = namespace["priority_order"](backlog)
        by_score = sorted(
            order, key=lambda n: -namespace["wsjf"](next(i for i in backlog if i["name"] == n))
        )
        assert order != by_score
        for item in backlog:
            assert all(order.index(dep) < order.index(item["name"]) for dep in item["depends_on"])


@pytest.fixture(scope="module")
def kernels():
    pool = KernelPool(LIMITS, size=2)
    yield pool
    pool.close()


@pytest.mark.sandbox
@pytest.mark.parametrize("name", EXERCISE_NOTEBOOKS)
def test_notebook_validates_in_the_real_sandbox(name, kernels):
    max_score, manual_points, _ = EXPECTED[name]

    report = validate_exercise(load(name), kernels=kernels, limits=LIMITS)

    assert report.valid, [str(p) for p in report.problems]
    assert report.to_dict()["max_score"] == max_score
    assert report.reference.status is ReportStatus.GRADED
    assert report.reference.score == max_score - manual_points
    assert report.reference.flags == []
    assert [t.grade_id for t in report.reference.tests if t.status is not TestStatus.PASSED] == (
        [t.grade_id for t in report.reference.tests if t.kind == "manual"]
    )
    assert report.release.score == 0.0


RICE_WITHOUT_CONFIDENCE = """
def rice_scores(backlog):
    return {f["name"]: f["reach"] * f["impact"] / f["effort"] for f in backlog}


def rank_by_rice(backlog):
    scores = rice_scores(backlog)
    effort = {f["name"]: f["effort"] for f in backlog}
    return sorted(scores, key=lambda name: (-scores[name], effort[name], name))


def fit_to_budget(backlog, budget):
    taken, left = [], budget
    for name in rank_by_rice(backlog):
        effort = next(f["effort"] for f in backlog if f["name"] == name)
        if effort <= left:
            taken.append(name)
            left -= effort
    return taken
"""

CAPSTONE_IGNORING_DEPENDENCIES = """
def wsjf(item):
    return (item["business_value"] + item["time_criticality"] + item["risk_reduction"]) / item["job_size"]


def priority_order(backlog):
    return [i["name"] for i in sorted(backlog, key=lambda i: (-wsjf(i), i["job_size"], i["name"]))]


def plan_roadmap(backlog, capacity):
    left = dict(capacity)
    roadmap = {quarter: [] for quarter in capacity}
    roadmap["unscheduled"] = []
    size = {i["name"]: i["job_size"] for i in backlog}
    for name in priority_order(backlog):
        quarter = next((q for q in capacity if size[name] <= left[q]), "unscheduled")
        roadmap[quarter].append(name)
        if quarter != "unscheduled":
            left[quarter] -= size[name]
    return roadmap
"""


@pytest.mark.sandbox
@pytest.mark.parametrize(
    ("name", "answer_id", "answer", "ranking_check"),
    [
        ("rice.ipynb", "rice_answer", RICE_WITHOUT_CONFIDENCE, "rice_rank_sealed"),
        (
            "capstone.ipynb",
            "capstone_answer",
            CAPSTONE_IGNORING_DEPENDENCIES,
            "capstone_order_sealed",
        ),
    ],
)
def test_a_plausible_mistake_earns_partial_credit_from_the_ranking_check(
    name, answer_id, answer, ranking_check, kernels
):
    source = source_of(name)
    submission = with_answer(solution_notebook(source), answer_id, answer.strip())

    report = grade_submission(source, submission, kernels=kernels, limits=LIMITS, seed=4242)

    ranking = report.test(ranking_check)
    assert ranking.status is TestStatus.PARTIAL
    assert 0 < ranking.points < ranking.max_points
    assert "agreement" in ranking.message
    assert 0 < report.score < report.max_score
