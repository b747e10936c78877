"""nbgrader 0.9's static rules (nbgraderformat v3, CheckCellMetadata, enforce_metadata), in words that say the fix."""

from pathlib import Path

import nbformat
import pytest

from exercises.format import CellKind, SourceInvalid, parse_source

from .nbgrader_cells import answer, autotests, meta, squares, task, written


def _problems(nb):
    with pytest.raises(SourceInvalid) as caught:
        parse_source(nb)
    return [str(p) for p in caught.value.problems]


def test_the_two_question_exercise_parses():
    source = parse_source(squares())

    assert [(c.grade_id, c.kind) for c in source.cells if c.grade_id] == [
        ("squares", CellKind.ANSWER),
        ("squares_tests", CellKind.TEST),
    ]


def test_a_grade_id_with_a_space_is_refused_with_a_name_nbgrader_accepts():
    nb = squares()
    nb.cells[1].metadata.nbgrader.grade_id = "squares answer"

    assert _problems(nb) == [
        "Cell 2 ('squares answer'): its grade_id holds characters nbgrader does not allow (a space); "
        "nbgrader's ids use letters, digits, '_' and '-' only. Fix: rename it in nbgrader's toolbar, "
        "e.g. to 'squares_answer'."
    ]


@pytest.mark.parametrize(
    ("grade_id", "shown", "suggested"),
    [('a"b', "'\"'", "a_b"), ("q1.answer", "'.'", "q1_answer"), ("résumé", "'é'", "r_sum")],
)
def test_grade_ids_outside_nbgraders_pattern(grade_id, shown, suggested):
    nb = squares()
    nb.cells[2].metadata.nbgrader.grade_id = grade_id

    assert _problems(nb) == [
        f"Cell 3 ({grade_id!r}): its grade_id holds characters nbgrader does not allow ({shown}); "
        "nbgrader's ids use letters, digits, '_' and '-' only. Fix: rename it in nbgrader's toolbar, "
        f"e.g. to '{suggested}'."
    ]


def test_nbgraders_own_id_characters_are_accepted():
    nb = squares()
    nb.cells[1].metadata.nbgrader.grade_id = "abc-ABC_0"

    assert parse_source(nb).cells[1].grade_id == "abc-ABC_0"


def test_a_markdown_answer_without_grade_is_refused():
    cell = nbformat.v4.new_markdown_cell(
        "Explain RICE.", metadata={"nbgrader": meta("explain", solution=True)}
    )

    assert _problems(squares(cell)) == [
        "Cell 4 ('explain'): it is a markdown answer cell without grade: true, which nbgrader refuses: a "
        "written answer cannot be autograded. Fix: make it a 'Manually graded answer' cell with points "
        "in nbgrader's toolbar."
    ]


def test_a_manually_graded_markdown_answer_is_fine():
    source = parse_source(squares(written("explain", "RICE multiplies reach by impact.", 2)))

    assert source.cells[3].kind is CellKind.MANUAL_ANSWER
    assert source.max_score == 3


@pytest.mark.parametrize("version", [1, 2])
def test_schema_1_and_2_are_told_to_run_nbgrader_update(version):
    nb = squares()
    for cell in nb.cells[1:]:
        cell.metadata.nbgrader.schema_version = version

    assert _problems(nb) == [
        f"Notebook: the nbgrader metadata of cells 2 and 3 uses schema version {version}, from nbgrader "
        "before 0.6; PM Academy reads schema 3, as nbgrader 0.6 to 0.9 do. Fix: back up the notebook, run "
        "`nbgrader update <notebook>.ipynb` on it (nbgrader 0.6 or newer), and upload the updated notebook."
    ]


def test_metadata_without_a_schema_version_is_nbgraders_schema_0():
    nb = squares()
    del nb.cells[2].metadata.nbgrader["schema_version"]

    assert _problems(nb) == [
        "Cell 3 ('squares_tests'): the nbgrader metadata of this cell has no schema_version, so it is "
        "nbgrader's schema 0 (nbgrader before 0.4); PM Academy reads schema 3, as nbgrader 0.6 to 0.9 do. "
        "Fix: back up the notebook, run `nbgrader update <notebook>.ipynb` on it (nbgrader 0.6 or newer), "
        "and upload the updated notebook."
    ]


def test_a_schema_newer_than_nbgraders_is_refused():
    nb = squares()
    nb.cells[1].metadata.nbgrader.schema_version = 10

    assert _problems(nb) == [
        "Cell 2 ('squares'): the nbgrader metadata of this cell says schema version 10, which no nbgrader "
        "release writes (nbgrader 0.6 to 0.9 write schema 3). Fix: set the cells' types again with "
        "nbgrader's Create Assignment toolbar (nbgrader 0.9), which writes schema_version 3."
    ]


def test_schema_4_from_our_earlier_docs_reads_as_3():
    nb = squares()
    for cell in nb.cells[1:]:
        cell.metadata.nbgrader.schema_version = 4

    assert parse_source(nb).max_score == 1


def test_many_outdated_cells_are_listed_once():
    nb = squares(*[autotests(f"more_{n}", "assert True") for n in range(10)])
    for cell in nb.cells[1:]:
        cell.metadata.nbgrader.schema_version = 2

    assert _problems(nb)[0].startswith(
        "Notebook: the nbgrader metadata of cells 2, 3, 4, 5, 6, 7, 8, 9 and 4 more uses schema version 2"
    )


def test_missing_unknown_and_mistyped_metadata_keys():
    nb = squares()
    del nb.cells[1].metadata.nbgrader["locked"]
    nb.cells[1].metadata.nbgrader["owner"] = "ada"
    nb.cells[2].metadata.nbgrader.grade = "yes"

    assert _problems(nb) == [
        "Cell 2 ('squares'): its nbgrader metadata lacks 'locked', which nbgrader requires in every "
        "nbgrader cell. Fix: set the cell type again in nbgrader's Create Assignment toolbar, which writes "
        "schema_version, grade, solution and locked.",
        "Cell 2 ('squares'): its nbgrader metadata holds 'owner', which nbgrader's metadata format does "
        "not have. Fix: remove those keys from metadata.nbgrader (`nbgrader update` removes them too).",
        "Cell 3 ('squares_tests'): its nbgrader 'grade' must be true or false, not \"yes\". Fix: set the "
        "cell type again in nbgrader's Create Assignment toolbar.",
    ]


def test_a_cell_whose_type_changed_since_nbgrader_released_it():
    nb = squares()
    nb.cells[1].metadata.nbgrader["cell_type"] = "markdown"

    assert _problems(nb) == [
        "Cell 2 ('squares'): its type has changed: nbgrader released it as a markdown cell, and it is now "
        "a code cell. Fix: change it back to a markdown cell, or remove cell_type from metadata.nbgrader "
        "if the new type is meant."
    ]


def test_a_grade_id_that_is_not_text():
    nb = squares()
    nb.cells[2].metadata.nbgrader.grade_id = 7

    assert _problems(nb) == [
        "Cell 3 ('7'): its grade_id is 7, not text. Fix: set the ID field in nbgrader's toolbar to text "
        "such as '7'."
    ]


def test_a_mark_scheme_outside_a_task_cell_is_refused():
    nb = squares(
        written(
            "explain",
            "RICE is...\n=== BEGIN MARK SCHEME ===\n1 mark: reach\n=== END MARK SCHEME ===",
        )
    )

    assert _problems(nb) == [
        "Cell 4 ('explain'): it has '=== BEGIN MARK SCHEME ===' but is not a task cell, so the mark scheme "
        "would be released. Fix: mark it as a 'Manually graded task' cell, or remove the mark scheme."
    ]


def test_an_unclosed_mark_scheme():
    nb = squares(
        task("essay", "Argue for WSJF.\n=== BEGIN MARK SCHEME ===\n2 marks: cost of delay")
    )

    assert _problems(nb) == [
        "Cell 4 ('essay'): '### BEGIN MARK SCHEME' on line 2 is never closed by '### END MARK SCHEME'. "
        "Fix: balance each BEGIN marker with its END marker on its own line."
    ]


def test_solution_markers_in_a_cell_without_nbgrader_metadata_are_refused():
    """nbgrader's ClearSolutions refuses them (enforce_metadata); we used to release them as written."""
    stray = nbformat.v4.new_code_cell("### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION")

    assert _problems(squares(stray)) == [
        "Cell 4: it has '### BEGIN SOLUTION' but is not a solution cell, so the solution would be "
        "released. Fix: mark it as an 'Autograded answer' cell, or remove the markers."
    ]


def test_markers_are_found_anywhere_in_a_line_as_nbgrader_finds_them():
    nb = squares()
    nb.cells[
        1
    ].source = "def squares(n):\n    # BEGIN SOLUTION (loop or comprehension)\n    return []"

    assert _problems(nb) == [
        "Cell 2 ('squares'): '### BEGIN SOLUTION' on line 2 is never closed by '### END SOLUTION'. "
        "Fix: balance each BEGIN marker with its END marker on its own line."
    ]


def test_every_rule_reports_at_once_in_cell_order():
    nb = squares(answer("bad id", "x = 1"), autotests("t2", "assert x == 1", points="many"))

    assert _problems(nb) == [
        "Cell 4 ('bad id'): its grade_id holds characters nbgrader does not allow (a space); nbgrader's "
        "ids use letters, digits, '_' and '-' only. Fix: rename it in nbgrader's toolbar, e.g. to 'bad_id'.",
        "Cell 5 ('t2'): it is graded but its points are 'many', not a number. Fix: set the points in "
        "nbgrader's toolbar to a number such as 1.",
    ]


def test_points_beyond_what_the_database_stores_are_refused_at_upload():
    fixture = Path(__file__).resolve().parent.parent / "fixtures" / "exercises"
    nb = nbformat.read(fixture / "rice_nbgrader_schema3.ipynb", as_version=4)
    graded = next(c for c in nb.cells if (c.metadata.get("nbgrader") or {}).get("grade"))
    graded.metadata["nbgrader"]["points"] = 10**12

    with pytest.raises(SourceInvalid) as refused:
        parse_source(nb)

    assert [p.message for p in refused.value.problems] == [
        "it is worth 1000000000004 points in all; an exercise may be worth at most 1,000,000."
    ]
