"""Otter v1 releases hold what Otter's student notebook holds, and nothing the author hid."""

import json
from fractions import Fraction

import nbformat
import pytest

from exercises.format import CellKind, SourceInvalid, parse_source, release_notebook
from exercises.format.otter.solutions import OTTER_ASSIGNMENT, assignment_prefix

from .otter_masters import code, fenced, master, md, question, square_question


def _release(nb):
    source = parse_source(nb)
    release = release_notebook(source)
    nbformat.validate(release)
    # Cell ids are random hex ("6e242075"): left in, a short secret like "42" could match one.
    cells = [{k: v for k, v in cell.items() if k != "id"} for cell in release.cells]
    return source, release, json.dumps({**release, "cells": cells})


def _cell(release, grade_id):
    return next(
        c for c in release.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id
    )


def test_solution_lines_become_otters_ellipsis_and_assignments_keep_their_names():
    solution = code(
        "pi = 3.14\n"
        "def square(x):\n"
        "    y = x * x  # SOLUTION\n"
        "    return y # SOLUTION\n"
        "nine = square(3) # SOLUTION\n"
        "def area(r):\n"
        "    # BEGIN SOLUTION\n"
        "    return pi * r * r\n"
        "    # END SOLUTION\n"
        "def circumference(r):\n"
        "    # BEGIN SOLUTION NO PROMPT\n"
        "    return 2 * pi * r\n"
        "    # END SOLUTION\n"
        "    helper = 2 * r  # SOLUTION NO PROMPT"
    )
    nb = master(question("name: q1", solution=[solution], tests=[code("nine", shows="9")]))

    source, release, text = _release(nb)

    assert _cell(release, "q1").source == (
        "pi = 3.14\n"
        "def square(x):\n"
        "    y = ...\n"
        "    ...\n"
        "nine = ...\n"
        "def area(r):\n"
        "    ...\n"
        "def circumference(r):"
    )
    for secret in ("x * x", "return y", "square(3)", "pi * r * r", "2 * pi", "2 * r", "SOLUTION"):
        assert secret not in text
    # The reference still runs the whole solution.
    assert "return 2 * pi * r" in source.by_grade_id()["q1"].source


def test_a_prompt_inside_solution_code_is_released_in_its_place():
    solution = code(
        '# BEGIN SOLUTION NO PROMPT\ndata = [3, 1, 2]\n# END SOLUTION\n""" # BEGIN PROMPT\ndata = ...\n""" # END PROMPT\ndata'
    )
    nb = master(question("name: q1", solution=[solution], tests=[code("len(data)", shows="3")]))

    _, release, text = _release(nb)

    assert _cell(release, "q1").source == "data = ...\ndata"
    assert "[3, 1, 2]" not in text
    assert "PROMPT" not in text


def test_a_manual_questions_prompt_block_is_released_and_its_written_solution_is_not():
    nb = master(
        square_question(),
        question(
            "name: q2\nmanual: true\npoints: 2",
            text="**Question 2.** Why does squaring lose the sign?",
            prompt=[md("_Explain in one sentence._")],
            solution=[md("Because (-x)² = x² for every x.")],
        ),
    )

    source, release, text = _release(nb)

    answer = _cell(release, "q2")
    assert (answer.cell_type, answer.source) == ("markdown", "_Explain in one sentence._")
    assert "(-x)²" not in text
    assert source.by_grade_id()["q2"].kind is CellKind.MANUAL_ANSWER
    # The instructor's copy keeps the written solution as the answer's reference.
    assert "Because (-x)² = x² for every x." in source.by_grade_id()["q2"].source


def test_a_manual_question_without_prompt_gets_otters_response_cell_before_its_solution():
    nb = master(
        square_question(),
        question(
            "name: q2\nmanual: true\npoints: 1",
            text="**Question 2.** Plot it and say what you see.",
            solution=[code("plot(square)  # SOLUTION"), md("**SOLUTION:** a parabola.")],
        ),
    )

    _, release, text = _release(nb)

    texts = [(c.cell_type, c.source) for c in release.cells[-3:]]
    assert texts == [
        ("markdown", "**Question 2.** Plot it and say what you see."),
        ("markdown", "_Type your answer here, replacing this text._"),
        ("code", "..."),
    ]
    assert "parabola" not in text
    assert "plot(square)" not in text


def test_a_prompt_only_manual_question_releases_its_prompt_as_the_answer_cell():
    nb = master(
        square_question(),
        question(
            "name: essay\nmanual: true\npoints: 100",
            text="Write something.",
            prompt=[md("_Write your thing here._")],
        ),
    )

    source, release, _ = _release(nb)

    assert _cell(release, "essay").source == "_Write your thing here._"
    assert source.by_grade_id()["essay"].points == 100


def test_hidden_tests_and_their_recorded_output_stay_out_of_the_release():
    nb = master(
        question(
            "name: q1",
            solution=[code("def area(w, h):\n    return w * h  # SOLUTION")],
            tests=[
                code("area(2, 3)", shows="6"),
                code("# HIDDEN\narea(7, 11)", shows="77"),
                code(
                    '""" # BEGIN TEST CONFIG\nhidden: true\n""" # END TEST CONFIG\narea(13, 17)',
                    shows="221",
                ),
            ],
        )
    )

    _, release, text = _release(nb)

    for secret in ("area(7, 11)", "77", "area(13, 17)", "221", "TEST CONFIG", "HIDDEN"):
        assert secret not in text
    assert "area(2, 3)" in _cell(release, "q1_test_1").source
    assert _cell(release, "q1_test_2").source == (
        "# The tests of 'q1' here are hidden; they run when you submit."
    )


def test_markdown_fenced_markers_are_read_as_otter_reads_raw_cells():
    nb = master(
        fenced("# ASSIGNMENT CONFIG\nexport_cell: false"),
        fenced("# BEGIN QUESTION\nname: q1\npoints: 3"),
        md("**Question 1.** Define `square`."),
        fenced("# BEGIN SOLUTION"),
        code("def square(x):\n    return x * x  # SOLUTION"),
        fenced("# END SOLUTION"),
        md("Tests follow.\n\n```otter\n# BEGIN TESTS\n```"),
        code("square(3)", shows="9"),
        code("# HIDDEN\nsquare(-4)", shows="16"),
        fenced("# END TESTS"),
        fenced("# END QUESTION"),
    )

    source, release, text = _release(nb)

    assert [(c.grade_id, c.kind, c.points) for c in source.cells if c.grade_id] == [
        ("q1", CellKind.ANSWER, 0),
        ("q1_test_1", CellKind.TEST, Fraction(3, 2)),
        ("q1_test_2", CellKind.TEST, Fraction(3, 2)),
    ]
    assert "square(-4)" not in text and "x * x" not in text and "```otter" not in text
    # The text around a fenced block stays, as its own markdown cell.
    assert any(c.source.strip() == "Tests follow." for c in release.cells)


def test_ignored_cells_lines_and_blocks_are_in_neither_notebook():
    nb = master(
        code("# IGNORE\nprint('only for the author')"),
        md("## ignore ##\nNotes to self."),
        code(
            "import math\nDEBUG = True  # IGNORE\n# BEGIN IGNORE\nprint('checking')\n# END IGNORE"
        ),
        square_question(),
    )

    source, release, text = _release(nb)

    for secret in ("only for the author", "Notes to self", "DEBUG", "checking", "IGNORE"):
        assert secret not in text
        assert all(secret not in c.source for c in source.cells)
    assert release.cells[0].source == "import math"


def test_seed_lines_are_not_released():
    nb = master(
        code("import random"),
        question(
            "name: q1",
            solution=[code("random.seed(42)  # SEED\nroll = random.randint(1, 6)  # SOLUTION")],
            tests=[code("# HIDDEN\nroll", shows="6")],
        ),
    )

    source, release, text = _release(nb)

    assert _cell(release, "q1").source == "roll = ..."
    assert "seed(42)" not in text
    assert "random.seed(42)  # SEED" in source.by_grade_id()["q1"].source


def test_the_seed_variable_has_the_students_value_in_the_release_and_the_autograders_in_the_source():
    nb = master(
        code("import random\nrng_seed = 42"),
        question(
            "name: q1",
            solution=[code("rng = random.Random(rng_seed)\nroll = rng.randint(1, 6)  # SOLUTION")],
            tests=[code("1 <= roll <= 6", shows="True")],
        ),
        config="seed:\n    variable: rng_seed\n    autograder_value: 42\n    student_value: 713",
    )

    source, release, _ = _release(nb)

    assert release.cells[0].source == "import random\nrng_seed = 713"
    assert source.cells[0].source == "import random\nrng_seed = 42"


def test_otter_include_markdown_in_a_solution_is_released_and_other_solution_markdown_is_not():
    nb = master(
        question(
            "name: q9",
            solution=[
                code("def add(a, b):\n    return a + b # SOLUTION"),
                md("Then call your function below.", tags=["otter_include"]),
                code("s = add(1, 2) # SOLUTION"),
                md("The worked answer: 3."),
            ],
            tests=[code("s == 3", shows="True")],
        )
    )

    source, release, text = _release(nb)

    assert "Then call your function below." in text
    assert "The worked answer" not in text
    assert [c.grade_id for c in source.answer_cells] == ["q9", "q9_2"]


def test_a_solution_mark_outside_a_solution_block_is_refused_with_the_authors_cell_number():
    nb = master(
        code("import math"),
        code("answer = 42  # SOLUTION"),
        square_question(),
    )

    with pytest.raises(SourceInvalid) as refused:
        parse_source(nb)

    assert [str(p) for p in refused.value.problems] == [
        "Cell 2: Line 1, 'answer = 42  # SOLUTION', is marked for Otter to remove from the "
        "student notebook, but the cell is not in a solution block, so Otter releases it as "
        "written. Fix: move the cell into its question's '# BEGIN SOLUTION' block, remove the "
        "mark, or set 'strip_solutions_from_all_cells: true' in the assignment config."
    ]


def test_strip_solutions_from_all_cells_strips_cells_outside_questions_and_lets_learners_fill_them():
    nb = master(
        code("import math"),
        code("answer = 42  # SOLUTION"),
        square_question(),
        config="strip_solutions_from_all_cells: true",
    )

    source, release, text = _release(nb)

    assert release.cells[1].source == "answer = ..."
    assert "42" not in text
    assert source.cells[1].kind is CellKind.ANSWER
    assert source.cells[1].grade_id == "cell_3"  # the author's cell 3 (after the config cell)


def test_question_text_cells_are_locked_as_otter_locks_them():
    nb = master(square_question())

    _, release, _ = _release(nb)

    text = next(c for c in release.cells if c.source.startswith("**Question 1.**"))
    assert (text.metadata["editable"], text.metadata["deletable"]) == (False, False)
    assert "otter_answer_cell" in _cell(release, "q1").metadata["tags"]


def test_an_unbalanced_ignore_block_is_refused():
    nb = master(code("x = 1\n# BEGIN IGNORE\ny = 2"), square_question())

    with pytest.raises(SourceInvalid) as refused:
        parse_source(nb)

    assert [str(p) for p in refused.value.problems] == [
        "Cell 1: '# BEGIN IGNORE' is never closed by '# END IGNORE'. "
        "Fix: balance every '# BEGIN IGNORE' with '# END IGNORE'."
    ]


@pytest.mark.parametrize(
    "line",
    [
        "x = 2 # SOLUTION",
        "    y = x * x  # SOLUTION",
        "a, b = 1, 2 # SOLUTION",
        "d['key'] = value # SOLUTION",
        "df.loc[df['a'] == 1, 'b'] = 3 # SOLUTION",
        "obj.attr[0][1] = f(x) #SOLUTION",
        "print(x) # SOLUTION",
        "x == 2 # SOLUTION",
        "# SOLUTION",
    ],
)
def test_assignments_are_found_as_otters_regex_finds_them(line):
    match = OTTER_ASSIGNMENT.match(line)

    assert assignment_prefix(line) == (match.group(1) if match else None)


def test_a_line_that_makes_otters_regex_backtrack_for_ever_is_stripped_at_once():
    # Otter's regex takes minutes on this line (it doubles with every subscript); ours is linear.
    line = "table" + "[i]" * 60 + "  # SOLUTION"

    assert assignment_prefix(line) is None
    nb = master(question("name: q1", solution=[code(line)], tests=[code("1", shows="1")]))
    assert parse_source(nb).by_grade_id()["q1"].release == "..."


def test_a_pasted_image_in_an_otter_master_travels_with_its_cell_into_the_release():
    chart = md("The backlog by RICE score: ![chart](attachment:chart.png)")
    chart["attachments"] = {"chart.png": {"image/png": "iVBORw0KGgo="}}

    released = release_notebook(parse_source(master(chart, square_question())))

    shown = [c for c in released.cells if "attachment:chart.png" in c.source]
    assert [c.get("attachments") for c in shown] == [{"chart.png": {"image/png": "iVBORw0KGgo="}}]
