"""Small nbgrader source notebooks built cell by cell, as nbgrader's Create Assignment toolbar writes them."""

from __future__ import annotations

from typing import Any

import nbformat

PYTHON = {
    "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
    "language_info": {"name": "python"},
}


def meta(grade_id: str, **flags: Any) -> dict[str, Any]:
    """metadata.nbgrader with nbgrader's required keys (schema 3) and ``flags`` on top."""
    return {
        "grade": False,
        "solution": False,
        "locked": False,
        "task": False,
        "grade_id": grade_id,
        "schema_version": 3,
        **flags,
    }


def answer(grade_id: str, source: str) -> Any:
    return nbformat.v4.new_code_cell(source, metadata={"nbgrader": meta(grade_id, solution=True)})


def autotests(grade_id: str, source: str, points: Any = 1) -> Any:
    return nbformat.v4.new_code_cell(
        source, metadata={"nbgrader": meta(grade_id, grade=True, locked=True, points=points)}
    )


def readonly(grade_id: str, source: str, cell_type: str = "code") -> Any:
    new = nbformat.v4.new_code_cell if cell_type == "code" else nbformat.v4.new_markdown_cell
    return new(source, metadata={"nbgrader": meta(grade_id, locked=True)})


def written(grade_id: str, source: str, points: Any = 1) -> Any:
    """A manually graded answer in markdown (solution and grade)."""
    return nbformat.v4.new_markdown_cell(
        source, metadata={"nbgrader": meta(grade_id, solution=True, grade=True, points=points)}
    )


def task(grade_id: str, source: str, points: Any = 2) -> Any:
    return nbformat.v4.new_markdown_cell(
        source, metadata={"nbgrader": meta(grade_id, task=True, locked=True, points=points)}
    )


def notebook(*cells: Any) -> Any:
    nb = nbformat.v4.new_notebook(metadata=dict(PYTHON))
    nb.cells = list(cells)
    return nb


def squares(*extra: Any) -> Any:
    """A one-question exercise: an answer, its tests, and ``extra`` cells after them."""
    return notebook(
        nbformat.v4.new_markdown_cell("Write `squares(n)`: the squares of 1 to n."),
        answer(
            "squares",
            "def squares(n):\n    ### BEGIN SOLUTION\n    return [i * i for i in range(1, n + 1)]\n"
            "    ### END SOLUTION",
        ),
        autotests(
            "squares_tests",
            "assert squares(3) == [1, 4, 9]\n### BEGIN HIDDEN TESTS\nassert squares(1) == [1]\n"
            "### END HIDDEN TESTS",
        ),
        *extra,
    )
