"""The release notebook a learner downloads: solutions stubbed, hidden tests and outputs removed."""

from __future__ import annotations

import copy

import nbformat
from nbformat.notebooknode import NotebookNode

from . import markers
from .model import CellKind, ExerciseSource, SourceCell, format_points


def released_text(cell: SourceCell) -> str:
    """The text a learner sees for one source cell (also what assembly compares locked cells with)."""
    if cell.kind in (CellKind.ANSWER, CellKind.MANUAL_ANSWER):
        return markers.strip_solutions(cell.source, cell_type=cell.cell_type)
    if cell.kind is CellKind.TEST:
        return markers.strip_hidden(cell.source)
    if cell.kind is CellKind.SEALED:
        return sealed_notice(cell)
    return cell.source


def sealed_notice(cell: SourceCell) -> str:
    call = cell.sealed.call if cell.sealed else "your code"
    return (
        f"**Sealed check `{cell.grade_id}` ({format_points(cell.points)} points).** When you submit, the grader calls "
        f"`{call}` on hidden inputs that are different for every submission, and compares the result "
        "with the reference solution's. Nothing in your notebook can see those inputs or answers in advance."
    )


def release_notebook(source: ExerciseSource) -> NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = copy.deepcopy(source.notebook_metadata)
    for cell in source.cells:
        text = released_text(cell)
        metadata = copy.deepcopy(cell.metadata)
        if cell.nbgrader:
            metadata["nbgrader"] = copy.deepcopy(cell.nbgrader)
        if cell.kind is CellKind.SEALED:
            # The generator stays with the instructor; the learner gets a locked explanation.
            metadata.pop("pma", None)
            metadata["pma"] = {"sealed_notice": True}
            metadata["nbgrader"] = {
                "grade": False,
                "solution": False,
                "locked": True,
                "grade_id": cell.grade_id,
                "schema_version": 3,
            }
            new = nbformat.v4.new_markdown_cell(text, metadata=metadata)
        elif cell.cell_type == "code":
            new = nbformat.v4.new_code_cell(text, metadata=metadata)
        elif cell.cell_type == "raw":
            new = nbformat.v4.new_raw_cell(text, metadata=metadata)
        else:
            new = nbformat.v4.new_markdown_cell(text, metadata=metadata)
        nb.cells.append(new)
    return nb
