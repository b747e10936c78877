"""Otter master notebooks Otter Assign would refuse, told to the author by their own cell numbers."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exercises.format import SourceInvalid, parse_source, release_notebook

from .otter_masters import code, fenced, master, md, question, raw, square_question


def _problems(nb) -> list[str]:
    with pytest.raises(SourceInvalid) as refused:
        parse_source(nb)
    return [str(p) for p in refused.value.problems]


def test_cells_are_numbered_as_the_author_numbers_them_boundary_cells_included():
    nb = master(
        md("# Title"),  # cell 2, after the config cell
        square_question(),  # cells 3-12
        code("y = 3"),  # cell 13
        config="export_cell: false",
    )

    source = parse_source(nb)

    numbers = {c.grade_id or c.source.splitlines()[0]: source.number_of(c) for c in source.cells}
    assert numbers == {
        "# Title": 2,
        "**Question 1.** Define `square`.": 4,
        "q1": 6,
        "q1_test_1": 9,
        "q1_test_2": 10,
        "y = 3": 13,
    }


def test_a_markdown_cell_in_a_tests_block_is_refused_with_its_number_and_question():
    nb = master(
        code("import math"),
        question(
            "name: q1",
            solution=[code("def square(x):\n    return x * x  # SOLUTION")],
            tests=[code("square(3)", shows="9"), md("A note among the tests.")],
        ),
    )

    assert _problems(nb) == [
        "Cell 8: In question 'q1', a markdown cell is inside the question's tests block; every "
        "cell there is a test and must be code. Fix: make it a code cell, or move it out of the "
        "'# BEGIN TESTS' block."
    ]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (
            [raw("# END SOLUTION"), square_question()],
            "Cell 1: The '# END SOLUTION' cell has no '# BEGIN SOLUTION' cell before it. "
            "Fix: remove it, or add a raw '# BEGIN SOLUTION' cell where the block starts.",
        ),
        (
            [raw("# BEGIN TESTS"), raw("# END TESTS"), square_question()],
            "Cell 1: The '# BEGIN TESTS' cell is outside a question. Fix: put it between a raw "
            "'# BEGIN QUESTION' cell and its '# END QUESTION' cell.",
        ),
        (
            [square_question()[:-1], square_question("name: q2")],
            "Cell 10: In question 'q1', a '# BEGIN QUESTION' cell starts a question inside this "
            "one. Fix: close this question with a raw '# END QUESTION' cell first.",
        ),
        (
            [square_question()[:3] + square_question()[4:-3]],
            "Cell 1: In question 'q1', the question is never closed by a raw '# END QUESTION' "
            "cell. Fix: add the '# END' cells of its open blocks and of the question after its "
            "last cell.",
        ),
        (
            [square_question("points: 1")],
            "Cell 1: The '# BEGIN QUESTION' cell has no 'name:'. Fix: add 'name: q1' (and "
            "'points: 2') under '# BEGIN QUESTION'.",
        ),
        (
            [square_question(), square_question()],
            "Cell 11: The question name 'q1' is also used by the question at cell 1; Otter would "
            "merge their tests. Fix: give every question its own name.",
        ),
        (
            [
                question(
                    "name: q1",
                    solution=[code("x = 1  # SOLUTION")],
                    tests=[code("x ==", shows="True")],
                )
            ],
            "Cell 6: In question 'q1', test 1 cannot be read: the test is not valid Python "
            "(invalid syntax, line 1). Fix: fix the test cell.",
        ),
        (
            [md("Intro\n```otter\n# BEGIN QUESTION\nname: q1"), square_question("name: q2")],
            "Cell 1: A '```otter' block is never closed by a line holding only '```'. Fix: close it.",
        ),
    ],
    ids=[
        "end-without-begin",
        "begin-outside-question",
        "question-inside-question",
        "question-never-closed",
        "question-without-name",
        "duplicate-question-name",
        "test-not-python",
        "unclosed-fence",
    ],
)
def test_structures_otter_assign_refuses_are_refused(cells, expected):
    assert _problems(master(*cells))[0] == expected


def test_a_prompt_after_the_solution_is_refused():
    nb = master(
        [
            raw("# BEGIN QUESTION\nname: q1\nmanual: true\npoints: 1"),
            raw("# BEGIN SOLUTION"),
            md("The answer."),
            raw("# END SOLUTION"),
            raw("# BEGIN PROMPT"),
            md("Your answer."),
            raw("# END PROMPT"),
            raw("# END QUESTION"),
        ],
        square_question("name: q2"),
    )

    assert _problems(nb)[0] == (
        "Cell 5: In question 'q1', a prompt block comes after the question's solution or another "
        "prompt. Fix: put one '# BEGIN PROMPT' block before the question's solution block."
    )


def test_a_notebook_without_questions_to_answer_is_refused_in_otters_terms():
    nb = master(md("Just text."), config="export_cell: false")

    assert _problems(nb) == [
        "Notebook: It has no solution or prompt cells inside a question, so a learner has nowhere "
        "to write. Fix: add a raw '# BEGIN SOLUTION' cell, the solution cells and '# END "
        "SOLUTION' inside a question.",
        "Notebook: No test or manually graded question is worth points (total 0), so every "
        "submission would score 0 of 0. Fix: add test cells between '# BEGIN TESTS' and '# END "
        "TESTS' in a question, or give a manually graded question 'points:'.",
    ]


def test_an_r_master_is_refused():
    nb = master(square_question())
    nb.metadata["kernelspec"] = {"name": "ir", "display_name": "R", "language": "R"}

    assert _problems(nb) == [
        "Notebook: It is written for the 'r' language; the grader runs Python 3 only. Fix: "
        "rewrite the exercise in Python and save it with a Python 3 kernel."
    ]


def test_a_fenced_question_is_numbered_by_the_markdown_cell_that_holds_it():
    nb = master(
        code("import math"),
        fenced("# BEGIN QUESTION\nname: q1"),
        md("text"),
        fenced("# BEGIN TESTS"),
        md("not code"),
        fenced("# END TESTS"),
        fenced("# END QUESTION"),
    )

    assert _problems(nb)[0] == (
        "Cell 5: In question 'q1', a markdown cell is inside the question's tests block; every "
        "cell there is a test and must be code. Fix: make it a code cell, or move it out of the "
        "'# BEGIN TESTS' block."
    )


_FRAGMENTS = [
    "# BEGIN QUESTION\nname: q1",
    "# BEGIN QUESTION\nname: q2\nmanual: true\npoints: 2",
    "# BEGIN QUESTION\nname: q3\npoints: [1, 2]\nall_or_nothing: true",
    "# END QUESTION",
    "# BEGIN SOLUTION",
    "# END SOLUTION",
    "# BEGIN TESTS",
    "# END TESTS",
    "# BEGIN PROMPT",
    "# END PROMPT",
    "# ASSIGNMENT CONFIG\nstrip_solutions_from_all_cells: true",
]
_LINES = [
    "x = 1  # SOLUTION",
    "    return y # SOLUTION",
    "# BEGIN SOLUTION",
    "# END SOLUTION",
    "# BEGIN SOLUTION NO PROMPT",
    "z = 2  # SOLUTION NO PROMPT",
    "np.random.seed(1)  # SEED",
    "# HIDDEN",
    '""" # BEGIN TEST CONFIG',
    '""" # END TEST CONFIG',
    "points: 1",
    "hidden: true",
    "debug()  # IGNORE",
    "# BEGIN IGNORE",
    "# END IGNORE",
    '""" # BEGIN PROMPT',
    '""" # END PROMPT',
    "def f(a):",
    "    pass",
    "x",
    "x == 1",
]


@st.composite
def _otter_cells(draw):
    cells = []
    for _ in range(draw(st.integers(1, 12))):
        kind = draw(st.sampled_from(["raw", "fenced", "code", "md"]))
        if kind in ("raw", "fenced"):
            text = draw(st.sampled_from(_FRAGMENTS))
            cells.append(raw(text) if kind == "raw" else fenced(text))
        else:
            text = "\n".join(draw(st.lists(st.sampled_from(_LINES), min_size=1, max_size=5)))
            cells.append(
                code(text, shows=draw(st.sampled_from([None, "True", "1"])))
                if kind == "code"
                else md(text)
            )
    return cells


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_otter_cells())
def test_any_otter_master_parses_or_is_refused_and_no_accepted_release_shows_a_mark(cells):
    nb = master(square_question(), *cells)
    try:
        source = parse_source(nb)
    except SourceInvalid as exc:
        assert exc.problems
        assert all(p.message and p.fix for p in exc.problems)
        return
    # Otter's marks are code marks: in markdown they are text, and Otter leaves them there.
    text = json.dumps([c.source for c in release_notebook(source).cells if c.cell_type == "code"])
    for mark in (
        "# SOLUTION",
        "#SOLUTION",
        "# SEED",
        "BEGIN SOLUTION",
        "TEST CONFIG",
        "IGNORE",
        "# HIDDEN",
    ):
        assert mark not in text


def test_a_manual_question_with_nowhere_to_answer_states_its_points_as_people_read_them():
    nb = master(
        question("name: q1\nmanual: true\npoints: 0.5", text="Explain your ranking."),
        square_question(),
    )

    problems = _problems(nb)

    assert any(
        "the question is manually graded and worth 0.5 points, but it has no solution or prompt cell"
        in p
        for p in problems
    ), problems
