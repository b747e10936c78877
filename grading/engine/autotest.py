"""The kernel step of nbgrader's AUTOTEST lines: instantiate them from the instructor's reference run.

nbgrader instantiates ``### AUTOTEST`` and ``### HASHED AUTOTEST`` lines when it generates an
assignment, by running the source notebook in a kernel. We do it when an exercise is validated,
in a sandboxed kernel, with the instructor's source (solutions included) and never with a
learner's notebook: the expected values come from the reference alone. The instantiated cells are
stored with the revision's validation report and are what the revision grades with and releases;
``exercises/format/autotest.py`` holds the rules and the templating, this module only the kernel.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from exercises.format import CellKind, ExerciseSource, Problem
from exercises.format.autotest import (
    AutotestFailed,
    RulesInvalid,
    Run,
    SnippetFailed,
    apply_autotests,
    expand_cell,
    has_autotests,
    load_rules,
    notebook_kernel,
)

from .execute import Verdict, run_cells
from .limits import Limits

if TYPE_CHECKING:
    from .sandbox import SandboxKernel
    from .sandbox.pool import KernelProvider

_STOPPED = {
    Verdict.TIMEOUT: "ran longer than the time limit",
    Verdict.MEMORY: "ran out of memory",
    Verdict.CRASHED: "stopped the Python kernel",
}


@dataclass(frozen=True)
class AutotestOutcome:
    """The source with its AUTOTEST cells instantiated, or why they could not be."""

    source: ExerciseSource
    #: 0-based cell index -> the cell's instantiated text (only cells that changed).
    expanded: dict[int, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _runner(kernel: SandboxKernel, limits: Limits, deadline: float) -> Run:
    """Run code in ``kernel``; its last result's text/plain, as nbgrader reads it."""

    def run(code: str) -> str | None:
        result = run_cells(kernel, [code], limits, deadline=deadline)
        if result.verdict is not Verdict.OK:
            raise AutotestFailed(
                f"the source notebook {_STOPPED[result.verdict]} while AUTOTEST ran it.",
                "make the source notebook finish within the grading limits.",
            )
        cell = result.cells[0]
        if cell.status != "ok":
            raise SnippetFailed(cell.ename, cell.evalue)
        text = None
        for output in cell.outputs:
            data = output.get("data") if output["output_type"] != "stream" else None
            if isinstance(data, dict) and isinstance(data.get("text/plain"), str):
                text = data["text/plain"]
        return text

    return run


def instantiate_autotests(
    source: ExerciseSource,
    notebook: Any,
    *,
    rules_text: str | None,
    kernels: KernelProvider,
    limits: Limits,
) -> AutotestOutcome:
    """``source`` with every AUTOTEST line instantiated, as nbgrader's generate_assignment does.

    ``rules_text`` is the author's autotests.yml (None: nbgrader's defaults); its section for the
    ``notebook``'s kernel applies. Without AUTOTEST lines no kernel starts and ``source`` comes
    back as it is. The first failure stops the run (as it stops nbgrader) and is the one problem
    reported.
    """
    if not has_autotests(source):
        return AutotestOutcome(source)
    try:
        rules = load_rules(rules_text, kernel=notebook_kernel(notebook))
    except RulesInvalid as exc:
        return AutotestOutcome(source, problems=[Problem(None, "", exc.message, exc.fix)])
    expanded: dict[int, str] = {}
    kernel = kernels.acquire()
    try:
        run = _runner(kernel, limits, time.monotonic() + limits.wall_timeout_s)
        for cell in source.cells:
            if cell.cell_type != "code" or cell.kind is CellKind.SEALED:
                continue
            try:
                text = expand_cell(
                    cell.source,
                    index=cell.index,
                    is_test=cell.kind is CellKind.TEST,
                    rules=rules,
                    run=run,
                )
            except AutotestFailed as exc:
                problem = Problem(cell.index, cell.grade_id, exc.message, exc.fix)
                return AutotestOutcome(source, problems=[problem])
            if text != cell.source:
                expanded[cell.index] = text
    finally:
        kernel.kill(wait=False)
    return AutotestOutcome(apply_autotests(source, expanded), expanded)
