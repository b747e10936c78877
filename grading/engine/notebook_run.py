"""run_notebook: the learner's notebook run up to one cell, as the release shows it: no tests judged,
no score.

What runs is exactly what the learner can see and run in their own Jupyter: the release notebook's
code cells (visible tests included; the release holds no hidden test and no solution) with the
learner's answers in the answer cells, in order, up to and including cell ``up_to``, stopping at the
first error as Jupyter's "run all above" does. Sealed checks are markdown in the release and never
run. The instructor's source is not read at all. The cells run in one fresh single-use sandboxed kernel
from a ``KernelProvider``, under ``Limits``, through ``run_cells``: the sandbox and machinery of
grading (the Django side gives runs their own provider and limits: grading.services.runs).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from exercises.format import CellKind, ExerciseSource, markers

from .execute import CellRun, Verdict, run_cells
from .limits import Limits
from .sandbox.pool import KernelProvider


@dataclass
class RunCell:
    """One cell that ran (or was due to): its position in the notebook and what it printed."""

    index: int
    status: str  # "ok" | "error" | "not_run"
    outputs: list[dict[str, Any]] = field(default_factory=list)
    ename: str = ""
    evalue: str = ""


@dataclass
class NotebookRunReport:
    verdict: Verdict
    cells: list[RunCell]
    message: str
    duration_s: float


def _text(cell: Any) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _grade_id(cell: Any) -> str:
    nbgrader = (cell.get("metadata") or {}).get("nbgrader")
    grade_id = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
    return grade_id if isinstance(grade_id, str) else ""


def run_steps(
    release: dict[str, Any], answers: dict[str, str], *, answer_ids: set[str], up_to: int
) -> list[tuple[int, str]]:
    """(cell index, code) for each code cell of the release up to ``up_to``, answers in place."""
    steps = []
    cells = release.get("cells", [])
    for index, cell in enumerate(cells if isinstance(cells, list) else []):
        if index > up_to:
            break
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        text = _text(cell)
        grade_id = _grade_id(cell)
        if grade_id in answer_ids and isinstance(answers.get(grade_id), str):
            text = answers[grade_id]
        if text.strip():
            steps.append((index, text))
    return steps


def run_notebook(
    release: dict[str, Any],
    answers: dict[str, str],
    *,
    answer_ids: set[str],
    up_to: int,
    kernels: KernelProvider,
    limits: Limits,
) -> NotebookRunReport:
    """Run the release's code cells up to ``up_to`` with ``answers`` in one sandboxed kernel."""
    started = time.perf_counter()
    steps = run_steps(release, answers, answer_ids=answer_ids, up_to=up_to)
    if not steps:
        return NotebookRunReport(Verdict.OK, [], "", 0.0)
    kernel = kernels.acquire()
    try:
        run = run_cells(kernel, [code for _index, code in steps], limits, stop_on_error=True)
    finally:
        kernel.kill(wait=False)
    cells = [
        _cell(index, cell_run) for (index, _code), cell_run in zip(steps, run.cells, strict=True)
    ]
    message = run.message if run.verdict is not Verdict.OK else ""
    return NotebookRunReport(run.verdict, cells, message, time.perf_counter() - started)


def _cell(index: int, run: CellRun) -> RunCell:
    outputs = list(run.outputs)
    if run.status == "error" and not any(o.get("output_type") == "error" for o in outputs):
        # A timeout or crash sends no error output of its own: say what happened in its place.
        outputs.append(
            {"output_type": "error", "ename": run.ename, "evalue": run.evalue, "traceback": []}
        )
    return RunCell(
        index=index, status=run.status, outputs=outputs, ename=run.ename, evalue=run.evalue
    )


@dataclass(frozen=True)
class SubmitOnlyTests:
    """The tests that run only when the learner submits: test cells with hidden tests, and sealed
    checks. A Check (and a run) never sees them, so its score can be lower than a submission's."""

    cells: int
    points: Fraction


def submit_only_tests(source: ExerciseSource) -> SubmitOnlyTests:
    hidden = [
        cell
        for cell in source.cells
        if cell.kind is CellKind.SEALED
        or (cell.kind is CellKind.TEST and bool(markers.hidden_regions(cell.source)))
    ]
    return SubmitOnlyTests(len(hidden), sum((cell.points for cell in hidden), Fraction(0)))
