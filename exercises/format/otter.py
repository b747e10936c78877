"""Import Otter-Grader v1 ("otter assign" master) notebooks into the same model as nbgrader sources.

Otter marks structure with raw cells (``# BEGIN QUESTION`` + YAML, ``# BEGIN SOLUTION``,
``# BEGIN TESTS``, ``# END ...``). Each solution cell becomes an answer cell, each test cell a test
cell (``# HIDDEN`` ones wrapped in hidden-test markers), and a question's points are shared among its
tests as Otter shares them.
"""

from __future__ import annotations

import ast
import re
from typing import Any

import yaml
from nbformat.notebooknode import NotebookNode

from . import markers
from .model import CellKind, ExerciseSource, Problem, SourceCell
from .nbgrader import _Checker, _release_metadata, cell_text, check_cells, notebook_sha256

_BOUNDARY = re.compile(r"^\s*#\s*(BEGIN|END)\s+(QUESTION|SOLUTION|TESTS|PROMPT)\b", re.IGNORECASE)
_CONFIG = re.compile(
    r'^\s*"""\s*#\s*BEGIN TEST CONFIG\s*\n(?P<body>.*?)\n\s*"""\s*#\s*END TEST CONFIG\s*\n?',
    re.DOTALL,
)
_LINE_SOLUTION = re.compile(r"^(?P<code>.*?)\s*#\s*SOLUTION\s*$")


def _boundary(cell: Any) -> tuple[str, str] | None:
    if cell.get("cell_type") != "raw":
        return None
    match = _BOUNDARY.match(cell_text(cell))
    return (match.group(1).upper(), match.group(2).upper()) if match else None


def is_otter_v1(nb: NotebookNode) -> bool:
    return any(_boundary(c) == ("BEGIN", "QUESTION") for c in nb.get("cells", []))


def _solution_to_markers(text: str) -> str:
    """Rewrite Otter's solution markers as nbgrader's, so one release step serves both formats."""
    out: list[str] = []
    for line in text.splitlines():
        stripped = line.strip().upper()
        if stripped.startswith("# BEGIN SOLUTION"):
            out.append(line[: len(line) - len(line.lstrip())] + "### BEGIN SOLUTION")
        elif stripped.startswith("# END SOLUTION"):
            out.append(line[: len(line) - len(line.lstrip())] + "### END SOLUTION")
        elif match := _LINE_SOLUTION.match(line):
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(
                [indent + "### BEGIN SOLUTION", match.group("code"), indent + "### END SOLUTION"]
            )
        else:
            out.append(line)
    return "\n".join(out)


def _test_source(cell: Any, name: str, number: int) -> tuple[str, bool, float | None, str]:
    """(code, hidden, points, failure message) of one Otter test cell."""
    text = cell_text(cell)
    points: float | None = None
    hidden = False
    message = f"{name}: test {number} failed"
    if match := _CONFIG.match(text):
        try:
            config = yaml.safe_load(match.group("body")) or {}
        except yaml.YAMLError:
            config = {}
        if isinstance(config, dict):
            hidden = bool(config.get("hidden", False))
            points = _number(config.get("points"))
            message = str(config.get("failure_message") or message)
        text = text[match.end() :]
    lines = text.splitlines()
    if lines and lines[0].strip().upper() == "# HIDDEN":
        hidden = True
        lines = lines[1:]
    code = "\n".join(lines)
    expected = _recorded_value(cell)
    if expected is not None:
        code = _assert_last_expression(code, expected, message)
    return code, hidden, points, message


def _recorded_value(cell: Any) -> str | None:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "execute_result":
            text = (output.get("data") or {}).get("text/plain")
            if isinstance(text, list):
                text = "".join(text)
            return text if isinstance(text, str) else None
    return None


def _assert_last_expression(code: str, expected: str, message: str) -> str:
    """Otter compares a test's output with the master's; here that becomes an assert on the repr."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code
    if not tree.body or not isinstance(tree.body[-1], ast.Expr):
        return code
    last = tree.body[-1]
    lines = code.splitlines()
    head = "\n".join(lines[: last.lineno - 1])
    expr = ast.get_source_segment(code, last) or ""
    check = f"assert repr({expr}).strip() == {expected.strip()!r}, {message!r}"
    return f"{head}\n{check}" if head.strip() else check


def _number(raw: Any) -> float | None:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or raw != raw or raw < 0:
        return None
    return float(raw)


def _question_points(config: dict[str, Any], tests: int) -> list[float]:
    raw = config.get("points", 1)
    if isinstance(raw, list):
        listed = [_number(p) or 0.0 for p in raw][:tests]
        return listed + [0.0] * (tests - len(listed))
    total = _number(raw)
    total = 1.0 if total is None else total
    return [total / tests] * tests if tests else []


class _OtterReader:
    """Walks a master notebook's cells in order, tracking the question and block each one falls in."""

    def __init__(self) -> None:
        self.check = _Checker()
        self.cells: list[SourceCell] = []
        self.question: dict[str, Any] | None = None
        self.block = ""
        self.pending_tests: list[tuple[int, str, bool, float | None]] = []
        self.answers = 0

    def read(self, raw_index: int, cell: Any) -> None:
        """Route one notebook cell: boundaries move the reader on, content becomes a source cell."""
        boundary = _boundary(cell)
        if boundary == ("BEGIN", "QUESTION"):
            self.begin_question(raw_index, cell)
            return
        if boundary is not None:
            verb, what = boundary
            if what == "QUESTION" and verb == "END":
                self.close_question()
                self.question = None
            self.block = what if verb == "BEGIN" else ""
            return
        if cell.get("cell_type") == "raw" and cell_text(cell).lstrip().startswith(
            "# ASSIGNMENT CONFIG"
        ):
            return
        self.add_content(cell)

    def begin_question(self, raw_index: int, cell: Any) -> None:
        """Start the question a '# BEGIN QUESTION' cell configures, named after its position if its YAML has no name."""
        self.close_question()
        body = cell_text(cell).split("\n", 1)[1] if "\n" in cell_text(cell) else ""
        try:
            config = yaml.safe_load(body) or {}
        except yaml.YAMLError:
            config = None
        if not isinstance(config, dict) or not str(config.get("name", "")).strip():
            self.check.add(
                raw_index,
                "",
                "the '# BEGIN QUESTION' cell has no YAML 'name:'.",
                "add 'name: q1' (and 'points: 2') under '# BEGIN QUESTION'.",
            )
            config = {"name": f"question_{raw_index + 1}"}
        self.question = {**config, "name": str(config["name"]).strip()}
        self.answers = 0

    def close_question(self) -> None:
        """Turn the current question's tests into graded test cells, sharing its points among them."""
        if self.question is None:
            return
        name = self.question["name"]
        defaults = _question_points(self.question, len(self.pending_tests))
        for number, (pos, code, hidden, points) in enumerate(self.pending_tests):
            body = (
                f"### {markers.BEGIN_HIDDEN}\n{code}\n### {markers.END_HIDDEN}" if hidden else code
            )
            grade_id = f"{name}_test_{number + 1}"
            value = points if points is not None else defaults[number]
            meta = {
                "grade": True,
                "solution": False,
                "locked": True,
                "schema_version": 3,
                "grade_id": grade_id,
                "points": value,
            }
            self.cells[pos] = SourceCell(
                pos, "code", CellKind.TEST, body, grade_id, value, None, meta, {"nbgrader": meta}
            )
        self.pending_tests = []

    def add_content(self, cell: Any) -> None:
        """Add a content cell as an answer, a (provisional) test or a plain cell, by the block it sits in."""
        index = len(self.cells)
        cell_type = str(cell.get("cell_type", "code"))
        text = cell_text(cell)
        question = self.question
        if question is not None and self.block == "SOLUTION":
            self.cells.append(self.answer_cell(index, cell_type, text, question))
        elif question is not None and self.block == "TESTS" and cell_type == "code":
            code, hidden, test_points, _ = _test_source(
                cell, question["name"], len(self.pending_tests) + 1
            )
            self.pending_tests.append((index, code, hidden, test_points))
            self.cells.append(SourceCell(index, "code", CellKind.TEST, code))
        elif question is not None and self.block == "PROMPT":
            # The prompt is what Otter releases in place of a solution; our release uses the stub instead.
            return
        else:
            kind = CellKind.CODE if cell_type == "code" else CellKind.TEXT
            self.cells.append(SourceCell(index, cell_type, kind, text))

    def answer_cell(
        self, index: int, cell_type: str, text: str, question: dict[str, Any]
    ) -> SourceCell:
        """The answer cell a solution becomes; a manual one carries its question's points on the first answer."""
        self.answers += 1
        answers = self.answers
        manual = bool(question.get("manual")) or cell_type == "markdown"
        grade_id = question["name"] if answers == 1 else f"{question['name']}_{answers}"
        points = (_number(question.get("points", 1)) or 0.0) if manual and answers == 1 else 0.0
        kind = CellKind.MANUAL_ANSWER if manual else CellKind.ANSWER
        meta = {
            "grade": manual,
            "solution": True,
            "locked": False,
            "schema_version": 3,
            "grade_id": grade_id,
        }
        if manual:
            meta["points"] = points
        body = _solution_to_markers(text) if cell_type == "code" else text
        return SourceCell(
            index, cell_type, kind, body, grade_id, points, None, meta, {"nbgrader": meta}
        )


def parse_otter(nb: NotebookNode) -> tuple[ExerciseSource, list[Problem]]:
    reader = _OtterReader()
    for raw_index, cell in enumerate(nb.get("cells", [])):
        reader.read(raw_index, cell)
    reader.close_question()
    check_cells(reader.cells, nb, reader.check)
    source = ExerciseSource(
        cells=tuple(reader.cells),
        origin="otter",
        sha256=notebook_sha256(nb),
        notebook_metadata=_release_metadata(nb),
        nbformat_minor=int(nb.get("nbformat_minor", 5)),
    )
    return source, reader.check.problems
