"""Static validation: every problem names the cell, says what is wrong and what to change."""

import copy

import pytest

from exercises.format import SourceInvalid, parse_source


def _problems(nb):
    with pytest.raises(SourceInvalid) as caught:
        parse_source(nb)
    return [str(p) for p in caught.value.problems]


def test_duplicate_grade_ids_name_both_cells(rice_schema4):
    nb = copy.deepcopy(rice_schema4)
    nb.cells[6].metadata.nbgrader.grade_id = "rice_answer"

    assert _problems(nb) == [
        "Cell 7 ('rice_answer'): its grade_id is also used by cell 4; learners' answers are matched by "
        "grade_id. Fix: give every nbgrader cell a different grade_id."
    ]


def test_graded_cell_without_points(rice_schema4):
    nb = copy.deepcopy(rice_schema4)
    del nb.cells[4].metadata.nbgrader["points"]

    assert _problems(nb) == [
        "Cell 5 ('rice_tests'): it is graded but its points are None, not a number. "
        "Fix: set the points in nbgrader's toolbar to a number such as 1."
    ]


def test_negative_points_and_points_on_an_ungraded_cell(rice_schema4):
    nb = copy.deepcopy(rice_schema4)
    nb.cells[4].metadata.nbgrader.points = -2
    nb.cells[3].metadata.nbgrader.points = 4

    assert _problems(nb) == [
        "Cell 4 ('rice_answer'): it has points but is not a graded cell, so the points would be ignored. "
        "Fix: make it an 'Autograder tests' or 'Manually graded' cell, or remove the points.",
        "Cell 5 ('rice_tests'): its points are negative (-2). Fix: use zero or more points.",
    ]


def test_unclosed_solution_and_misplaced_hidden_markers(rice_schema4):
    nb = copy.deepcopy(rice_schema4)
    nb.cells[3].source = nb.cells[3].source.replace("    ### END SOLUTION", "")
    nb.cells[1].source += "\n### BEGIN HIDDEN TESTS\nsecret = 1\n### END HIDDEN TESTS"

    assert _problems(nb) == [
        "Cell 2 ('setup'): it has '### BEGIN HIDDEN TESTS' but is not a test cell, so the hidden part would "
        "run and be released. Fix: mark it as 'Autograder tests', or remove the markers.",
        "Cell 4 ('rice_answer'): '### BEGIN SOLUTION' on line 3 is never closed by '### END SOLUTION'. "
        "Fix: balance each BEGIN marker with its END marker on its own line.",
    ]


def test_solution_markers_outside_a_solution_cell_would_leak(rice_schema4):
    nb = copy.deepcopy(rice_schema4)
    nb.cells[4].source = "### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n" + nb.cells[4].source

    assert _problems(nb) == [
        "Cell 5 ('rice_tests'): it has '### BEGIN SOLUTION' but is not a solution cell, so the solution "
        "would be released. Fix: mark it as an 'Autograded answer' cell, or remove the markers."
    ]


def test_missing_grade_id_unsupported_schema_and_markdown_test(rice_schema4):
    nb = copy.deepcopy(rice_schema4)
    nb.cells[3].metadata.nbgrader.grade_id = ""
    nb.cells[6].metadata.nbgrader.schema_version = 1
    nb.cells[7].cell_type = "markdown"
    del nb.cells[7]["outputs"], nb.cells[7]["execution_count"]

    assert _problems(nb) == [
        "Cell 7 ('rank_answer'): the nbgrader metadata of this cell uses schema version 1, from nbgrader "
        "before 0.6; PM Academy reads schema 3, as nbgrader 0.6 to 0.9 do. Fix: back up the notebook, run "
        "`nbgrader update <notebook>.ipynb` on it (nbgrader 0.6 or newer), and upload the updated notebook.",
        "Cell 4: it is an nbgrader answer cell without a grade_id. Fix: give it a unique grade_id (ID field "
        "in nbgrader's toolbar), e.g. 'rice_answer'.",
        "Cell 8 ('rank_tests'): it is marked as autograder tests but is not a code cell. Fix: change it to a "
        "code cell, or make it a 'Manually graded answer' cell.",
    ]


def test_notebook_without_answers_or_points(rice_schema4):
    nb = copy.deepcopy(rice_schema4)
    nb.cells = [c for c in nb.cells if "nbgrader" not in c.metadata]

    assert _problems(nb) == [
        "Notebook: it has no answer cells, so a learner has nowhere to write. Fix: mark at least one cell "
        "as 'Autograded answer' with '### BEGIN SOLUTION' markers.",
        "Notebook: no cell carries points, so every submission would score 0 of 0. Fix: add an "
        "'Autograder tests' cell with points, or a sealed check.",
    ]


def test_non_python_kernel_is_rejected(rice_schema4):
    nb = copy.deepcopy(rice_schema4)
    nb.metadata.kernelspec = {"name": "ir", "display_name": "R", "language": "R"}

    assert _problems(nb) == [
        "Notebook: it is written for the 'R' language; the grader runs Python 3 only. Fix: rewrite the "
        "exercise in Python and save it with a Python 3 kernel."
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"call": ""}, "the sealed check does not say which call to make on the learner's code."),
        (
            {"call": "rice_scores(backlog"},
            "the call 'rice_scores(backlog' is not a single Python expression.",
        ),
        ({"points": 0}, "the sealed check's points are 0, not a positive number."),
        ({"cases": 99}, "the sealed check's cases are 99."),
        ({"comparator": {"kind": "fuzzy"}}, "the comparator kind 'fuzzy' is not one we know."),
        (
            {"comparator": {"kind": "ranking", "method": "pearson"}},
            "the ranking method 'pearson' is not one we know.",
        ),
        (
            {"comparator": {"kind": "ranking", "method": "kendall", "threshold": 2}},
            "the ranking threshold 2.0 is above 1.",
        ),
        (
            {"comparator": {"kind": "numeric", "abs": -1}},
            "the sealed check's 'abs' is -1, not a non-negative number.",
        ),
    ],
)
def test_sealed_spec_problems(rice_sealed, change, expected):
    nb = copy.deepcopy(rice_sealed)
    nb.cells[4].metadata.pma.sealed.update(change)

    problems = _problems(nb)

    assert len(problems) == 1
    assert problems[0].startswith(
        f"Cell 5 ('rice_sealed'): {expected[0].upper()}{expected[1:]} Fix: "
    )


def test_sealed_generator_must_define_generate(rice_sealed):
    nb = copy.deepcopy(rice_sealed)
    nb.cells[5].source = "def make(rng):\n    return {}"

    assert _problems(nb) == [
        "Cell 6 ('rank_sealed'): The input generator does not define generate(rng). Fix: define "
        "def generate(rng): return {...} returning a dict of the call's inputs."
    ]
