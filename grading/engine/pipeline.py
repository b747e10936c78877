"""grade_submission: assemble -> execute -> score -> sealed checks -> report, with no Django anywhere.

The CLI, the grading tasks, validation and the tests all call this one function.
"""

from __future__ import annotations

import time
from typing import Any, Literal

from exercises.format import ExerciseSource

from .assemble import assemble, hidden_lines
from .execute import Verdict, run_cells
from .limits import Limits
from .pool import KernelProvider
from .report import GradeReport, ReportStatus, TestResult, cap
from .score import score_cells
from .sealed import not_run, run_sealed_checks, sealed_cells

_STATUS = {
    Verdict.OK: ReportStatus.GRADED,
    Verdict.TIMEOUT: ReportStatus.TIMEOUT,
    Verdict.MEMORY: ReportStatus.MEMORY,
    Verdict.CRASHED: ReportStatus.CRASHED,
}
CHECK_MODE_NOTE = (
    "Check run: only the visible tests ran. Hidden tests and sealed checks run when you submit, "
    "so your submitted score can differ."
)


def grade_submission(
    source: ExerciseSource,
    submission: Any,
    *,
    kernels: KernelProvider,
    limits: Limits,
    seed: int,
    mode: Literal["submit", "check"] = "submit",
) -> GradeReport:
    started = time.perf_counter()
    timings: dict[str, float] = {}
    assembly = assemble(source, submission, mode=mode)
    timings["assemble_s"] = time.perf_counter() - started
    sealed = sealed_cells(source)

    mark = time.perf_counter()
    kernel = kernels.acquire()
    timings["acquire_s"] = time.perf_counter() - mark
    try:
        run = run_cells(kernel, assembly.sources, limits, stop_on_error=False)
        timings["execute_s"] = run.duration_s
        run_message = run.message if run.verdict is not Verdict.OK else ""
        tests = score_cells(assembly, run.cells, hidden=hidden_lines(source), run_message=run_message,
                            cell_timeout_s=limits.cell_timeout_s, mode=mode)
        flags = list(assembly.flags)
        if not sealed:
            sealed_results: list[TestResult] = []
        elif mode == "check":
            sealed_results = not_run(sealed, "Sealed checks run only when you submit.")
        elif run.verdict is not Verdict.OK or not kernel.is_alive():
            sealed_results = not_run(sealed, cap(f"Not run: {run.message}" if run.message else
                                                 "Not run: the notebook stopped before the end."))
        else:
            outcome = run_sealed_checks(source=source, learner=kernel, kernels=kernels, limits=limits, seed=seed)
            sealed_results = outcome.results
            flags.extend(outcome.flags)
            timings["sealed_s"] = outcome.seconds
    finally:
        # The report needs nothing more from the kernel: stop it now, and let the sandbox's
        # reaper thread wait for it to end and clean up while the report goes out.
        kernel.kill(wait=False)

    by_cell = {t.cell: t for t in [*tests, *sealed_results]}
    ordered = [by_cell[n] for n in sorted(by_cell)]
    message = run.message if run.verdict is not Verdict.OK else ""
    if mode == "check":
        message = f"{message} {CHECK_MODE_NOTE}".strip()
    timings["total_s"] = time.perf_counter() - started
    return GradeReport(
        score=round(sum(t.points for t in ordered), 4),
        max_score=round(source.max_score, 4),
        status=_STATUS[run.verdict],
        tests=ordered,
        flags=flags,
        timings={k: round(v, 4) for k, v in timings.items()},
        seed=seed,
        source_sha256=source.sha256,
        mode=mode,
        message=cap(message),
        answer_outputs={step.cell.grade_id: list(cell.outputs)
                        for step, cell in zip(assembly.steps, run.cells, strict=True) if step.from_learner},
    )

