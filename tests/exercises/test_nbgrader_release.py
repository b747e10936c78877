"""Releases hold nothing the author hid: mark schemes, markers, Otter's marks; locked cells and attachments as nbgrader releases them."""

import json

import nbformat
import pytest

from exercises.format import (
    CellKind,
    ExerciseSource,
    SourceCell,
    SourceInvalid,
    parse_source,
    release_notebook,
)
from exercises.format import release as release_module
from exercises.format.release import release_problems

from .nbgrader_cells import readonly, squares, task, written

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


def _release(nb):
    release = release_notebook(parse_source(nb))
    nbformat.validate(release)
    return release


def _problems(nb):
    with pytest.raises(SourceInvalid) as caught:
        parse_source(nb)
    return [str(p) for p in caught.value.problems]


def test_a_task_cells_mark_scheme_is_removed_from_the_release():
    essay = task(
        "wsjf_essay",
        "Argue for WSJF over RICE for this backlog.\n\n=== BEGIN MARK SCHEME ===\n"
        "- 1 mark: names cost of delay\n- 1 mark: job size, not effort\n=== END MARK SCHEME ===\n\n"
        "Write at most 200 words.",
    )

    release = _release(squares(essay))

    assert release.cells[3].source == (
        "Argue for WSJF over RICE for this backlog.\n\n\nWrite at most 200 words."
    )
    assert "MARK SCHEME" not in json.dumps(release)
    assert "cost of delay" not in json.dumps(release)


def test_locked_cells_are_marked_as_nbgraders_lockcells_marks_them():
    nb = squares(
        readonly("backlog", "backlog = [('SSO', 2000)]"),
        written("explain", "Because..."),
        task("essay", "Discuss."),
        nbformat.v4.new_code_cell("print('scratch')"),
    )

    release = _release(nb)

    locks = [(c.metadata.get("editable"), c.metadata.get("deletable")) for c in release.cells]
    assert locks == [
        (None, None),  # markdown without nbgrader metadata
        (None, False),  # autograded answer: editable, not deletable
        (False, False),  # autograder tests
        (False, False),  # read-only
        (None, False),  # manually graded answer
        (False, False),  # task
        (None, None),  # ordinary code
    ]
    assert [c.metadata.get("nbgrader", {}).get("cell_type") for c in release.cells] == [
        None,
        "code",
        "code",
        "code",
        "markdown",
        "markdown",
        None,
    ]


def test_sealed_notices_are_locked(rice_sealed):
    release = release_notebook(parse_source(rice_sealed))

    notice = next(c for c in release.cells if c.metadata.get("pma", {}).get("sealed_notice"))
    assert (notice.metadata["editable"], notice.metadata["deletable"]) == (False, False)


def test_attachments_shown_in_the_release_survive_and_hidden_ones_stay_behind():
    picture = {"image/png": PNG}
    intro = nbformat.v4.new_markdown_cell("The board:\n\n![board](attachment:board.png)")
    intro["attachments"] = {"board.png": picture}
    answer = written("sketch", "My sketch:\n\n![mine](attachment:solution.png)")
    answer["attachments"] = {"solution.png": picture}
    essay = task(
        "essay",
        "Discuss ![chart](attachment:chart.png).\n=== BEGIN MARK SCHEME ===\n"
        "![key](attachment:key.png)\n=== END MARK SCHEME ===",
    )
    essay["attachments"] = {"chart.png": picture, "key.png": picture}

    release = _release(squares(intro, answer, essay))

    assert release.cells[3].attachments == {"board.png": picture}
    assert "attachments" not in release.cells[4]
    assert release.cells[5].attachments == {"chart.png": picture}
    assert "key.png" not in json.dumps(release)
    assert "solution.png" not in json.dumps(release)


def test_a_marker_with_text_after_it_is_stripped_as_nbgrader_strips_it():
    """The old marker pattern wanted the delimiter alone on its line and released this solution."""
    nb = squares()
    nb.cells[1].source = (
        "def squares(n):\n    ### BEGIN SOLUTION - a comprehension works\n"
        "    return [i * i for i in range(1, n + 1)]\n    ### END SOLUTION ###"
    )

    release = _release(nb)

    assert release.cells[1].source == (
        "def squares(n):\n    # YOUR CODE HERE\n    raise NotImplementedError()"
    )


@pytest.mark.parametrize(
    ("line", "what", "fix"),
    [
        (
            "answer = 42  # SOLUTION",
            "Otter's '# SOLUTION' mark",
            "put the solution in an 'Autograded answer' cell between '### BEGIN SOLUTION' and "
            "'### END SOLUTION' lines, or remove the marker.",
        ),
        (
            "np.random.seed(42)  # SEED",
            "Otter's '# SEED' mark",
            "nbgrader sources do not use Otter's marks: remove the line, or the mark, before uploading.",
        ),
        (
            "# BEGIN TESTS",
            "Otter's question marker",
            "nbgrader sources do not use Otter's marks: remove the line, or the mark, before uploading.",
        ),
    ],
)
def test_otter_marks_in_an_nbgrader_source_are_refused(line, what, fix):
    nb = squares(nbformat.v4.new_code_cell(f"import numpy as np\n{line}"))

    assert _problems(nb) == [
        f"Cell 4: its release would still hold line 2, '{line}', {what}, so learners would see it and "
        f"what it marks. Fix: {fix}"
    ]


def test_otter_marks_in_markdown_prose_are_not_markers():
    nb = squares(
        nbformat.v4.new_markdown_cell("# Begin tests\n\nRun the cell with `# SEED` in it.")
    )

    assert parse_source(nb).cells[3].kind is CellKind.TEXT


def _otter_source(*cells, numbers=()):
    return ExerciseSource(
        cells=tuple(cells), origin="otter", sha256="0" * 64, cell_numbers=tuple(numbers)
    )


def test_the_guard_reads_the_release_of_any_format():
    """A parser that let a question marker and a hidden-test mark through is caught by the guard,
    which names the cells as their author numbers them (Otter's boundary cells count)."""
    source = _otter_source(
        SourceCell(0, "raw", CellKind.TEXT, "# BEGIN QUESTION\nname: q1"),
        SourceCell(1, "code", CellKind.CODE, "# HIDDEN\nassert rice(1, 1, 1, 1) == 1"),
        numbers=(2, 5),
    )

    assert [str(p) for p in release_problems(source)] == [
        "Cell 2: its release would still hold line 1, '# BEGIN QUESTION', Otter's question marker, so "
        "learners would see it and what it marks. Fix: check the question's '# BEGIN …' and '# END …' raw "
        "cells around it, or remove the line.",
        "Cell 5: its release would still hold line 1, '# HIDDEN', Otter's '# HIDDEN' mark, so learners "
        "would see it and what it marks. Fix: put the test in a question's test cells (between the "
        "'# BEGIN TESTS' and '# END TESTS' raw cells), or remove the marker.",
    ]


def test_a_written_prompt_may_repeat_the_answers_scaffolding():
    answer = SourceCell(
        0,
        "markdown",
        CellKind.MANUAL_ANSWER,
        "<!-- BEGIN SOLUTION -->\n$$\n\\begin{aligned}\nx &= 2\n\\end{aligned}\n$$\n<!-- END SOLUTION -->",
        "q2",
        release="$$\n\\begin{aligned}\nx &= \\texttt{YOUR MATH HERE}\n\\end{aligned}\n$$",
    )

    assert release_problems(_otter_source(answer)) == []


def test_the_guard_refuses_hidden_lines_a_release_step_let_through(monkeypatch):
    source = parse_source(squares())
    monkeypatch.setattr(
        release_module, "released_text", lambda cell: cell.source.replace("###", "#")
    )

    problems = [str(p) for p in release_problems(source)]

    assert problems[-1] == (
        "Cell 3 ('squares_tests'): its release would still show line 3, 'assert squares(1) == [1]', from "
        "its hidden tests. Fix: check the BEGIN/END markers around that text; if they are right, report "
        "this notebook to the PM Academy maintainers."
    )
    assert any("from its solution" in p for p in problems)


def test_nbgraders_user_guide_style_release_is_clean(rice_schema3):
    release = release_notebook(parse_source(rice_schema3))

    assert release_problems(parse_source(rice_schema3)) == []
    assert all("editable" not in c.metadata for c in release.cells if "nbgrader" not in c.metadata)
