"""Assembly takes only answer cells from the learner; everything else comes from the source."""

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exercises.format import CODE_STUB, release_notebook
from grading.engine.assemble import assemble, hidden_lines

from .conftest import answer, rice_source_from_fixture


@pytest.fixture(scope="module")
def rice_source_module():
    return rice_source_from_fixture()


def _flag_codes(assembly):
    return [(f.code, f.grade_id, f.review) for f in assembly.flags]


def test_release_notebook_assembles_to_stubs_and_full_tests(rice_source):
    assembly = assemble(rice_source, release_notebook(rice_source))

    assert [s.cell.grade_id for s in assembly.steps] == [
        "setup",
        "rice_answer",
        "rice_tests",
        "rank_answer",
        "rank_tests",
    ]
    assert CODE_STUB.splitlines()[1] in assembly.steps[1].code
    assert "Audit log' is wrong" in assembly.steps[2].code  # hidden tests run on submit
    assert "BEGIN HIDDEN TESTS" not in assembly.steps[2].code
    assert assembly.unanswered == {"rice_answer", "rank_answer", "explain_answer"}
    assert assembly.flags == []


def test_check_mode_runs_visible_tests_only(rice_source):
    assembly = assemble(rice_source, release_notebook(rice_source), mode="check")

    assert "Audit log' is wrong" not in assembly.steps[2].code
    assert "'SSO' is wrong" in assembly.steps[2].code


def test_learner_answers_are_taken_and_locked_edits_ignored_and_flagged(rice_source):
    nb = release_notebook(rice_source)
    nb = answer(nb, "rice_answer", "def rice_score(r, i, c, e):\n    return 0")
    nb = answer(nb, "setup", "features = []")
    nb = answer(nb, "rice_tests", "pass")
    nb.cells = [
        c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "rank_tests"
    ]
    nb.cells.append(copy.deepcopy(nb.cells[3]))  # the answer cell twice
    extra = copy.deepcopy(nb.cells[4])
    extra.metadata.nbgrader = {
        "grade": True,
        "grade_id": "bonus",
        "points": 100,
        "locked": True,
        "solution": False,
    }
    extra.source = "print('full marks')"
    nb.cells.append(extra)

    assembly = assemble(rice_source, nb)

    assert assembly.steps[1].code == "def rice_score(r, i, c, e):\n    return 0"
    assert assembly.steps[1].from_learner
    assert assembly.steps[0].code.startswith("features = [\n")
    assert assembly.steps[2].code.startswith("assert rice_score(2000, 2, 0.8, 4) == 800")
    assert [s.cell.grade_id for s in assembly.steps] == [
        "setup",
        "rice_answer",
        "rice_tests",
        "rank_answer",
        "rank_tests",
    ]
    assert _flag_codes(assembly) == [
        ("locked_cell_edited", "setup", False),
        ("answer_duplicated", "rice_answer", False),
        ("locked_cell_edited", "rice_tests", False),
        ("locked_cell_deleted", "rank_tests", False),
        ("cells_added", "", False),
    ]


def test_answer_relabelled_as_a_test_cell_is_still_an_answer(rice_source):
    nb = release_notebook(rice_source)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "rice_tests":
            cell.metadata.nbgrader = {"grade_id": "rice_tests", "solution": True}
            cell.source = "rice_score = lambda *a: 800"

    assembly = assemble(rice_source, nb)

    assert assembly.steps[2].code != "rice_score = lambda *a: 800"
    assert ("locked_cell_edited", "rice_tests", False) in _flag_codes(assembly)


def test_missing_answers_use_the_stub_and_foreign_metadata_is_ignored(rice_source):
    nb = {"cells": [], "metadata": {"kernelspec": {"name": "bash", "language": "bash"}}}

    assembly = assemble(rice_source, nb)

    assert assembly.answers["rice_answer"].endswith("raise NotImplementedError()")
    assert [f.code for f in assembly.flags].count("answer_missing") == 3
    assert [f.code for f in assembly.flags].count("locked_cell_deleted") == 3


def test_kernel_internals_in_answers_are_flagged_for_review(rice_source):
    nb = answer(
        release_notebook(rice_source),
        "rice_answer",
        "import sys\nget_ipython().showtraceback = None\nsys.modules['x'] = 1\ndef rice_score(*a):\n    return 1",
    )

    assembly = assemble(rice_source, nb)

    assert [(f.code, f.review, f.message) for f in assembly.flags] == [
        (
            "kernel_internals",
            True,
            "Answer cell 'rice_answer' uses get_ipython, sys.modules, which reach into the notebook kernel "
            "rather than solve the task; an instructor should review it.",
        )
    ]


def test_hidden_lines_are_the_hidden_test_source(rice_source):
    assert (
        "assert abs(rice_score(300, 3, 0.8, 3) - 240) < 1e-9, \"rice score for 'Audit log' is wrong\""
        in hidden_lines(rice_source)
    )
    assert all(len(line) >= 6 for line in hidden_lines(rice_source))


hostile = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "cells",
                    "metadata",
                    "nbgrader",
                    "grade_id",
                    "source",
                    "cell_type",
                    "rice_answer",
                    "setup",
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(hostile)
def test_any_submission_shape_assembles(rice_source_module, submission):
    assembly = assemble(rice_source_module, submission)

    assert [s.cell.grade_id for s in assembly.steps] == [
        "setup",
        "rice_answer",
        "rice_tests",
        "rank_answer",
        "rank_tests",
    ]
    assert all(isinstance(s.code, str) for s in assembly.steps)
