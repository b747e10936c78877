"""The release notebook a learner downloads, and the guard that it holds nothing the author hid.

The release follows nbgrader 0.9's generate_assignment: ClearSolutions (solutions become stubs),
ClearHiddenTests, ClearMarkScheme, ClearOutput and LockCells (``editable``/``deletable`` in cell
metadata). ``release_problems`` then reads the release it built, whatever format the source came
from, and refuses any solution, hidden-test, mark-scheme or Otter marker, or hidden line, still in it.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

import nbformat
from nbformat.notebooknode import NotebookNode

from exercises.format.texts import gettext_noop

from . import markers
from .model import CellKind, ExerciseSource, Problem, SourceCell, format_points

#: Where a parser leaves a cell's ``attachments`` (images pasted into markdown) for the release.
#: SourceCell has no field of its own for them; only this module reads the key back.
ATTACHMENTS_KEY = "attachments"
#: ``![alt](attachment:name.png)`` in markdown, as nbgrader's ClearMarkScheme looks for it.
_ATTACHMENT_REF = re.compile(r"attachment:([^)\s\"']+)")

#: nbgrader's LockCells with its defaults: answers cannot be deleted; tests, read-only cells, tasks
#: and sealed notices can be neither deleted nor edited.
_ANSWER_LOCK = {"deletable": False}
_FULL_LOCK = {"deletable": False, "editable": False}
_LOCKS = {
    CellKind.ANSWER: _ANSWER_LOCK,
    CellKind.MANUAL_ANSWER: _ANSWER_LOCK,
    CellKind.TEST: _FULL_LOCK,
    CellKind.READONLY: _FULL_LOCK,
    CellKind.TASK: _FULL_LOCK,
    CellKind.SEALED: _FULL_LOCK,
}


def carry_attachments(cell: Any, keep: dict[str, Any]) -> None:
    """Keep a source cell's attachments with the metadata the release is built from."""
    attachments = cell.get("attachments")
    if isinstance(attachments, dict) and attachments:
        keep[ATTACHMENTS_KEY] = copy.deepcopy(attachments)


def released_text(cell: SourceCell) -> str:
    """The text a learner sees for one source cell (also what assembly compares locked cells with)."""
    if cell.release is not None:
        return cell.release  # the source format's own release (Otter's)
    if cell.kind in (CellKind.ANSWER, CellKind.MANUAL_ANSWER):
        return markers.strip_solutions(cell.source, cell_type=cell.cell_type)
    if cell.kind is CellKind.TEST:
        return markers.strip_hidden(cell.source)
    if cell.kind is CellKind.TASK:
        return markers.strip_mark_scheme(cell.source)
    if cell.kind is CellKind.SEALED:
        return sealed_notice(cell)
    return cell.source


def sealed_notice(cell: SourceCell) -> str:
    call = cell.sealed.call if cell.sealed else gettext_noop("your code")
    return gettext_noop(
        "**Sealed check `%(id)s` (%(points)s points).** When you submit, the grader calls "
        "`%(call)s` on hidden inputs that are different for every submission, and compares the result "
        "with the reference solution's. Nothing in your notebook can see those inputs or answers in advance."
    ) % {"id": cell.grade_id, "points": format_points(cell.points), "call": call}


def _released_attachments(attachments: Any, text: str) -> dict[str, Any]:
    """The attachments the released text still shows; one only a solution or mark scheme showed stays behind."""
    if not isinstance(attachments, dict):
        return {}
    shown = set(_ATTACHMENT_REF.findall(text))
    return {name: data for name, data in attachments.items() if name in shown}


def release_notebook(source: ExerciseSource) -> NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = copy.deepcopy(source.notebook_metadata)
    for cell in source.cells:
        text = released_text(cell)
        metadata = copy.deepcopy(cell.metadata)
        attachments = _released_attachments(metadata.pop(ATTACHMENTS_KEY, None), text)
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
        if "nbgrader" in new.metadata:
            # As nbgrader's ComputeChecksums does, so a changed cell type can be told.
            new.metadata["nbgrader"]["cell_type"] = new.cell_type
        new.metadata.update(_LOCKS.get(cell.kind, {}))
        if attachments and new.cell_type in ("markdown", "raw"):
            new["attachments"] = attachments
        nb.cells.append(new)
    return nb


# --- The leak guard -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Mark:
    """A marker that must not survive into a release: how to spot it and what it is."""

    pattern: re.Pattern[str]
    what: str
    topic: str  # "solution" | "hidden" | "mark_scheme" | "otter"
    #: Otter reads its marks only in code and raw cells (and ```otter fences); nbgrader's count anywhere.
    code_only: bool = True


def _nbgrader_mark(word: str, what: str, topic: str) -> _Mark:
    return _Mark(re.compile(re.escape(word)), what, topic, code_only=False)


#: nbgrader's delimiters are matched anywhere in a line, as nbgrader matches them; Otter's as
#: Otter Assign reads them (otter/assign/blocks.py, solutions.py, tests_manager.py, utils.py).
_MARKS = (
    _nbgrader_mark(markers.BEGIN_SOLUTION, "nbgrader's solution marker", "solution"),
    _nbgrader_mark(markers.END_SOLUTION, "nbgrader's solution marker", "solution"),
    _nbgrader_mark(markers.BEGIN_HIDDEN, "nbgrader's hidden-test marker", "hidden"),
    _nbgrader_mark(markers.END_HIDDEN, "nbgrader's hidden-test marker", "hidden"),
    _nbgrader_mark(markers.BEGIN_MARK_SCHEME, "nbgrader's mark-scheme marker", "mark_scheme"),
    _nbgrader_mark(markers.END_MARK_SCHEME, "nbgrader's mark-scheme marker", "mark_scheme"),
    _Mark(
        re.compile(r"^\s*#\s*(BEGIN|END)\s+(QUESTION|TESTS|PROMPT)\b", re.IGNORECASE),
        "Otter's question marker",
        "otter",
    ),
    _Mark(
        re.compile(r"^\s*#\s*ASSIGNMENT\s+CONFIG\b", re.IGNORECASE),
        "Otter's assignment config",
        "otter",
    ),
    _Mark(
        re.compile(r"#\s*(BEGIN|END)\s*TEST\s*CONFIG", re.IGNORECASE),
        "Otter's test config",
        "hidden",
    ),
    _Mark(re.compile(r"#\s?SOLUTION\b"), "Otter's '# SOLUTION' mark", "solution"),
    _Mark(re.compile(r"^\s*#\s*HIDDEN\s*$", re.IGNORECASE), "Otter's '# HIDDEN' mark", "hidden"),
    _Mark(re.compile(r"#\s?SEED\s*$"), "Otter's '# SEED' mark", "otter"),
    _Mark(
        re.compile(r"#\s?IGNORE\s*$|#\s*END IGNORE\s*$|^\s*#\s*(?i:BEGIN\s*IGNORE)"),
        "Otter's '# IGNORE' mark",
        "otter",
    ),
)

_FIXES = {
    ("nbgrader", "solution"): (
        "put the solution in an 'Autograded answer' cell between '### BEGIN SOLUTION' and "
        "'### END SOLUTION' lines, or remove the marker."
    ),
    ("nbgrader", "hidden"): (
        "put hidden tests in an 'Autograder tests' cell between '### BEGIN HIDDEN TESTS' and "
        "'### END HIDDEN TESTS' lines, or remove the marker."
    ),
    ("nbgrader", "mark_scheme"): (
        "put the mark scheme in a 'Manually graded task' cell between '=== BEGIN MARK SCHEME ===' "
        "and '=== END MARK SCHEME ===' lines, or remove the marker."
    ),
    ("nbgrader", "otter"): (
        "nbgrader sources do not use Otter's marks: remove the line, or the mark, before uploading."
    ),
    ("otter", "solution"): (
        "put the solution in a question's solution cells (between the '# BEGIN SOLUTION' and "
        "'# END SOLUTION' raw cells), or remove the marker."
    ),
    ("otter", "hidden"): (
        "put the test in a question's test cells (between the '# BEGIN TESTS' and '# END TESTS' "
        "raw cells), or remove the marker."
    ),
    ("otter", "mark_scheme"): "remove the mark scheme; Otter notebooks do not have them.",
    ("otter", "otter"): (
        "check the question's '# BEGIN …' and '# END …' raw cells around it, or remove the line."
    ),
}


def _fix(origin: str, topic: str) -> str:
    return _FIXES.get(
        (origin if origin == "otter" else "nbgrader", topic), _FIXES[("nbgrader", topic)]
    )


def _excerpt(line: str) -> str:
    text = line.strip()
    return text if len(text) <= 60 else text[:59] + "…"


def _otter_fenced(text: str) -> bool:
    """A markdown cell that is Otter's fenced form of a raw config cell (```otter … ```)."""
    return text.lstrip().startswith("```otter")


def _marker_problems(source: ExerciseSource, cell: SourceCell, released: Any) -> list[Problem]:
    text = str(released.source)
    code = released.cell_type in ("code", "raw") or _otter_fenced(text)
    problems: list[Problem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        mark = next(
            (m for m in _MARKS if (code or not m.code_only) and m.pattern.search(line)), None
        )
        if mark is None:
            continue
        problems.append(
            Problem(
                source.number_of(cell) - 1,
                cell.grade_id,
                gettext_noop(
                    "its release would still hold line %(number)s, '%(excerpt)s', %(what)s, so learners would see it and what it marks."
                )
                % {"number": number, "excerpt": _excerpt(line), "what": mark.what},
                _fix(source.origin, mark.topic),
            )
        )
    return problems


def _regions_of(cell: SourceCell) -> tuple[list[tuple[int, int]], str]:
    """The regions of ``cell`` only the instructor may see (whole cell: one region past its ends), and their name."""
    text = cell.source
    whole = [(-1, len(text.splitlines()))]
    if cell.kind in (CellKind.ANSWER, CellKind.MANUAL_ANSWER):
        return markers.solution_regions(text) or whole, "solution"
    if cell.kind is CellKind.TEST:
        return markers.hidden_regions(text), "hidden tests"
    if cell.kind is CellKind.TASK:
        return markers.mark_scheme_regions(text), "mark scheme"
    if cell.kind is CellKind.SEALED:
        return whole, "input generator"
    return [], ""


def _hidden_text_problems(source: ExerciseSource, cell: SourceCell, released: Any) -> list[Problem]:
    """Lines of the cell's own solution, hidden tests, mark scheme or generator that reached its release."""
    regions, name = _regions_of(cell)
    if not regions or (cell.release is not None and cell.cell_type != "code"):
        # A written prompt the author gave in place of a written answer (Otter's BEGIN PROMPT) is
        # theirs to share; it may repeat the answer's scaffolding ($$, headings) on purpose.
        return []
    lines = [line.strip() for line in cell.source.splitlines()]
    inside = {n for begin, end in regions for n in range(begin + 1, end)}
    secret = {line for n, line in enumerate(lines) if n in inside}
    # A line the author also wrote outside the hidden part (a closing bracket, an import) is public.
    public = {line for n, line in enumerate(lines) if n not in inside}
    stubs = {line.strip() for line in (markers.CODE_STUB + "\n" + markers.TEXT_STUB).splitlines()}
    for number, line in enumerate(str(released.source).splitlines(), start=1):
        text = line.strip()
        substantive = any(ch.isalnum() for ch in text)
        if substantive and text in secret and text not in public and text not in stubs:
            return [
                Problem(
                    source.number_of(cell) - 1,
                    cell.grade_id,
                    gettext_noop(
                        "its release would still show line %(number)s, '%(excerpt)s', from its %(name)s."
                    )
                    % {"number": number, "excerpt": _excerpt(line), "name": name},
                    gettext_noop(
                        "check the BEGIN/END markers around that text; if they are right, report this "
                        "notebook to the PM Academy maintainers."
                    ),
                )
            ]
    return []


def release_problems(source: ExerciseSource) -> list[Problem]:
    """Everything the release of ``source`` would show that its author hid, cell by cell.

    Run over the release actually built, for every source format, so a marker a parser missed is
    caught here rather than shown to learners. Cells are numbered as their author counts them.
    """
    release = release_notebook(source)
    problems: list[Problem] = []
    for cell, released in zip(source.cells, release.cells, strict=True):
        problems.extend(_marker_problems(source, cell, released))
        problems.extend(_hidden_text_problems(source, cell, released))
    return problems
