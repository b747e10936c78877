"""Assembling notebooks Otter-Grader itself released, and answers whose cell type a learner changed.

Otter's student notebook has no nbgrader grade_ids: answers are found by question name and cell
position. The sandbox tests at the end grade such notebooks end to end.
"""

from fractions import Fraction

import nbformat
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exercises.format import parse_source, release_notebook
from grading.engine.assemble import assemble
from grading.engine.pipeline import grade_submission
from grading.engine.sandbox.pool import KernelPool
from grading.engine.validate import validate_exercise
from tests.exercises.otter_masters import code, master, md, question

from .conftest import answer
from .engine_support import TEST_LIMITS

OTTER_MASTER = master(
    code("import random"),
    question(
        "name: q1\npoints: 2",
        text="**Question 1.** Define `square`.",
        solution=[code("def square(x):\n    return x * x  # SOLUTION")],
        tests=[code("square(3)", shows="9"), code("# HIDDEN\nsquare(-4)", shows="16")],
    ),
    question(
        "name: q2\nmanual: true\npoints: 1",
        text="**Question 2.** Why is a square never negative?",
        solution=[md("Because (-x)(-x) = x * x.")],
    ),
    question(
        "name: q3",
        text="**Question 3.** Roll a die (seeded), then add.",
        solution=[
            code("random.seed(7)  # SEED\nroll = random.randint(1, 10**6)  # SOLUTION"),
            md("Then add.", tags=["otter_include"]),
            code("total = roll + 1  # SOLUTION"),
        ],
        tests=[code("# HIDDEN\nroll", shows="339564"), code("total == roll + 1", shows="True")],
    ),
)


def _locked(cell):
    cell.metadata.update(editable=False, deletable=False)
    return cell


def _answer(text, cell_type="code"):
    make = nbformat.v4.new_code_cell if cell_type == "code" else nbformat.v4.new_markdown_cell
    return make(text, metadata={"tags": ["otter_answer_cell"]})


def otter_student_notebook(q1: str, q2: str, q3: tuple[str, str]):
    """The notebook Otter Assign writes for OTTER_MASTER (its layout and cells), with these answers."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        _locked(code('# Initialize Otter\nimport otter\ngrader = otter.Notebook("master.ipynb")')),
        code("import random"),
        _locked(md("**Question 1.** Define `square`.\n\n_Points:_ 2")),
        _answer(q1),
        _locked(code('grader.check("q1")')),
        _locked(md("<!-- BEGIN QUESTION -->\n\n**Question 2.** Why is a square never negative?")),
        _answer(q2, "markdown"),
        _locked(md("<!-- END QUESTION -->\n\n**Question 3.** Roll a die (seeded), then add.")),
        _answer(q3[0]),
        _answer("Then add.", "markdown"),
        _answer(q3[1]),
        _locked(code('grader.check("q3")')),
        _locked(md("## Submission\n\nMake sure you have run all cells in your notebook.")),
        _locked(code("grader.export(run_tests=True)")),
        md(" "),
    ]
    return nb


@pytest.fixture(scope="module")
def otter_source():
    return parse_source(OTTER_MASTER)


def test_an_otter_released_notebook_is_matched_by_question_and_position(otter_source):
    nb = otter_student_notebook(
        "def square(x):\n    return x ** 2", "It is x times itself.", ("roll = 3", "total = 4")
    )

    assembly = assemble(otter_source, nb)

    assert assembly.answers == {
        "q1": "def square(x):\n    return x ** 2",
        "q2": "It is x times itself.",
        "q3": "roll = 3",
        "q3_2": "total = 4",
    }
    assert assembly.unanswered == set()
    # Otter's releases have no test cells: their absence is not a deleted read-only cell.
    assert assembly.flags == []


def test_an_untouched_otter_release_is_unanswered_everywhere(otter_source):
    nb = otter_student_notebook(
        "def square(x):\n    ...",
        "_Type your answer here, replacing this text._",
        ("roll = ...", "total = ..."),
    )

    assembly = assemble(otter_source, nb)

    assert assembly.unanswered == {"q1", "q2", "q3", "q3_2"}


def test_an_older_otter_release_without_tags_is_matched_by_check_cells_and_question_texts(
    otter_source,
):
    nb = otter_student_notebook(
        "def square(x):\n    return x * x", "Signs cancel.", ("roll = 3", "total = 4")
    )
    for cell in nb.cells:
        cell.metadata = {}
    # Older Otter put its set-up in the first code cell and reworded nothing we rely on.
    nb.cells[1].source = "import random\nimport otter\ngrader = otter.Notebook()"
    del nb.cells[0]
    nb.cells[
        6
    ].source = "<!-- END QUESTION -->\n\n**Question 3.** Roll a die (with a seed), then add."

    assembly = assemble(otter_source, nb)

    assert assembly.answers == {
        "q1": "def square(x):\n    return x * x",
        "q2": "Signs cancel.",
        "q3": "roll = 3",
        "q3_2": "total = 4",
    }
    assert assembly.flags == []


def test_a_cell_a_learner_adds_to_an_otter_release_is_not_run_and_flagged(otter_source):
    nb = otter_student_notebook("def square(x):\n    return x * x", "x", ("roll = 3", "total = 4"))
    nb.cells.insert(4, code("print(square(12))"))

    assembly = assemble(otter_source, nb)

    assert assembly.answers["q1"] == "def square(x):\n    return x * x"
    assert [f.code for f in assembly.flags] == ["cells_added"]
    assert all("square(12)" not in step.code for step in assembly.steps)


def test_an_otter_answer_runs_after_its_solutions_seed_lines(otter_source):
    nb = otter_student_notebook(
        "def square(x):\n    return x * x",
        "x",
        ("roll = random.randint(1, 10**6)", "total = roll + 1"),
    )

    assembly = assemble(otter_source, nb)

    step = next(s for s in assembly.steps if s.cell.grade_id == "q3")
    assert step.code == "random.seed(7)  # SEED\nroll = random.randint(1, 10**6)"
    assert assembly.answers["q3"] == "roll = random.randint(1, 10**6)"  # the learner's own text


def test_our_release_of_an_otter_exercise_is_matched_by_grade_id(otter_source):
    nb = answer(release_notebook(otter_source), "q1", "def square(x):\n    return x * x")

    assembly = assemble(otter_source, nb)

    assert assembly.answers["q1"] == "def square(x):\n    return x * x"
    assert assembly.unanswered == {"q2", "q3", "q3_2"}
    assert assembly.flags == []


def test_an_answer_changed_to_markdown_is_not_run_and_is_flagged(rice_source):
    nb = answer(
        release_notebook(rice_source), "rice_answer", "def rice_score(r, i, c, e):\n    return 0"
    )
    cell = next(
        c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "rice_answer"
    )
    cell.cell_type = "markdown"
    del cell["outputs"], cell["execution_count"]

    assembly = assemble(rice_source, nb)

    step = next(s for s in assembly.steps if s.cell.grade_id == "rice_answer")
    assert "return 0" not in step.code  # the release stub runs instead
    assert "rice_answer" in assembly.unanswered
    flag = next(f for f in assembly.flags if f.code == "answer_cell_type_changed")
    assert flag.message == (
        "Answer cell 'rice_answer' was changed from a code cell to a Markdown cell, so it was not "
        "run and was graded as unanswered. Change it back to a code cell and submit again."
    )
    assert (flag.cell, flag.grade_id) == (step.cell.index + 1, "rice_answer")


def test_a_written_answer_changed_to_code_is_not_run(rice_source):
    nb = answer(release_notebook(rice_source), "explain_answer", "import os\nos.listdir('/')")
    cell = next(
        c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "explain_answer"
    )
    cell.cell_type, cell["outputs"], cell["execution_count"] = "code", [], None

    assembly = assemble(rice_source, nb)

    assert "explain_answer" in assembly.unanswered
    assert all("listdir" not in step.code for step in assembly.steps)
    assert [f.code for f in assembly.flags] == ["answer_cell_type_changed"]


def test_a_tagged_otter_answer_turned_into_markdown_is_not_run(otter_source):
    nb = otter_student_notebook("def square(x):\n    return x * x", "x", ("roll = 3", "total = 4"))
    nb.cells[3] = _answer("def square(x):\n    return x * x", "markdown")

    assembly = assemble(otter_source, nb)

    assert "q1" in assembly.unanswered
    assert [f.code for f in assembly.flags] == ["answer_cell_type_changed"]


# --- end to end, in the sandbox ----------------------------------------------------------------


@pytest.fixture(scope="module")
def kernels():
    pool = KernelPool(TEST_LIMITS, size=2)
    yield pool
    pool.close()


@pytest.mark.sandbox
def test_otters_own_student_notebook_with_every_answer_right_scores_full_marks(
    otter_source, kernels
):
    # The learner's roll is not seeded by them: the solution's "# SEED" line runs first, as in Otter.
    nb = otter_student_notebook(
        "def square(x):\n    return x * x",
        "Signs cancel.",
        ("roll = random.randint(1, 10**6)", "total = roll + 1"),
    )

    report = grade_submission(otter_source, nb, kernels=kernels, limits=TEST_LIMITS, seed=1)

    assert [(t.grade_id, t.points, t.max_points, t.status.value) for t in report.tests] == [
        ("q1_test_1", 1, 1, "passed"),
        ("q1_test_2", 1, 1, "passed"),
        ("q2", 0, 1, "needs_review"),
        ("q3_test_1", Fraction(1, 2), Fraction(1, 2), "passed"),
        ("q3_test_2", Fraction(1, 2), Fraction(1, 2), "passed"),
    ]
    assert (report.score, report.max_score) == (3, 4)


@pytest.mark.sandbox
def test_a_question_split_three_ways_scores_one_of_one(kernels):
    nb = master(
        question(
            "name: q1\npoints: 1",
            solution=[code("def square(x):\n    return x * x  # SOLUTION")],
            tests=[
                code("square(2)", shows="4"),
                code("square(-3)", shows="9"),
                code("# HIDDEN\nsquare(0.5)", shows="0.25"),
            ],
        )
    )

    report = validate_exercise(nb, kernels=kernels, limits=TEST_LIMITS)

    assert report.valid, [str(p) for p in report.problems]
    assert [(t.points, t.max_points, t.status.value) for t in report.reference.tests] == [
        (Fraction(1, 3), Fraction(1, 3), "passed")
    ] * 3
    assert (report.reference.score, report.reference.max_score) == (1, 1)
    assert report.release.score == 0


_junk = st.one_of(
    st.none(), st.integers(), st.text(max_size=20), st.lists(st.text(max_size=10), max_size=3)
)
_cell = st.one_of(
    _junk,
    st.fixed_dictionaries(
        {
            "cell_type": st.one_of(st.sampled_from(["code", "markdown", "raw"]), _junk),
            "source": st.one_of(
                st.sampled_from(
                    [
                        'grader.check("q1")',
                        'grader.check("q3")',
                        "import random",
                        "**Question 1.** Define `square`.",
                        "<!-- BEGIN QUESTION -->",
                        "def square(x):\n    return x * x",
                        "_Type your answer here, replacing this text._",
                    ]
                ),
                _junk,
            ),
            "metadata": st.one_of(
                st.just({"tags": ["otter_answer_cell"]}), st.just({"tags": "x"}), _junk
            ),
        }
    ),
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(_cell, max_size=20))
def test_any_submission_to_an_otter_exercise_assembles(otter_source, cells):
    assembly = assemble(otter_source, {"cells": cells})

    assert set(assembly.answers) == {"q1", "q2", "q3", "q3_2"}
