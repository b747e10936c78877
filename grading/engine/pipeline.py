"""grade_submission: assemble -> execute -> judge -> score -> sealed checks -> report, with no Django.

The CLI, the grading tasks, validation and the tests all call this one function. Learner cells run
in the learner's kernel first (their outputs are recorded before any test runs); the test cells then
run in the judge (``judge``), which reaches learner names only as plain values and relayed calls.
One deadline, ``limits.wall_timeout_s`` from the start, bounds every step of the submission.
"""

from __future__ import annotations

import time
from fractions import Fraction
from typing import Any, Literal

from exercises.format import CellKind, ExerciseSource
from exercises.format.texts import gettext_noop

from .assemble import Assembly, Step, assemble, hidden_lines
from .execute import CellRun, RunResult, Verdict, run_cells
from .judge import (
    UNTRANSFERABLE,
    Judge,
    JudgeUnavailable,
    LearnerEnd,
    is_handle,
    judged_test_cells,
    learner_names,
    loaded_names,
)
from .limits import Limits
from .report import Flag, GradeReport, ReportStatus, TestResult, cap
from .sandbox import SandboxUnavailable
from .sandbox.pool import KernelProvider
from .score import score_cells
from .sealed import not_run, run_sealed_checks, sealed_cells

_STATUS = {
    Verdict.OK: ReportStatus.GRADED,
    Verdict.TIMEOUT: ReportStatus.TIMEOUT,
    Verdict.MEMORY: ReportStatus.MEMORY,
    Verdict.CRASHED: ReportStatus.CRASHED,
}
#: How far past ``limits.wall_timeout_s`` a submission may run: the step under way when the deadline
#: passes gets one interrupt's grace (execute.INTERRUPT_GRACE_S, 2 s) and the judge its alarm slack,
#: then everything is killed.
WALL_GRACE_S = 4.0
#: Flags that tell validation which test cells the judge cannot run.
JUDGE_UNTRANSFERABLE = "judge_untransferable"
JUDGE_SETUP_FAILED = "judge_setup_failed"
#: A cell that is not a test raised while the notebook ran (``cell_errors=True``: validation).
CELL_ERROR = "cell_error"
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
    in_kernel: frozenset[str] = frozenset(),
    cell_errors: bool = False,
) -> GradeReport:
    """Grade ``submission`` against ``source``.

    ``in_kernel`` names the test cells that validation found the judge cannot run (they need a
    value that cannot cross as plain data); they run in the learner's kernel, unprotected.
    ``cell_errors`` adds a CELL_ERROR flag for each setup or answer cell that raised, so
    validation can tell the instructor which cell failed and why.
    """
    started = time.perf_counter()
    deadline = time.monotonic() + limits.wall_timeout_s
    timings: dict[str, float] = {}
    assembly = assemble(source, submission, mode=mode)
    timings["assemble_s"] = time.perf_counter() - started
    sealed = sealed_cells(source)
    judged = judged_test_cells(source, in_kernel)
    learner_steps = [step for step in assembly.steps if step.cell.index not in judged]
    # The judge's process is started by a thread while this one waits for the learner's kernel,
    # and boots while the kernel starts and the learner's cells run.
    starting = kernels.judge() if judged else None

    mark = time.perf_counter()
    try:
        kernel = kernels.acquire()
    except BaseException:
        if starting is not None:
            starting.abandon()
        raise
    timings["acquire_s"] = time.perf_counter() - mark
    try:
        judge = starting.result() if starting is not None else None
    except JudgeUnavailable as error:
        kernel.kill(wait=False)
        raise SandboxUnavailable(f"The judge did not start: {error}") from error
    flags = list(assembly.flags)
    try:
        run = run_cells(kernel, [step.code for step in learner_steps], limits, deadline=deadline)
        timings["execute_s"] = run.duration_s
        runs = dict(zip((step.cell.index for step in learner_steps), run.cells, strict=True))
        if cell_errors:
            flags.extend(cell_error_flags(learner_steps, runs))
        if judge is not None:
            if run.verdict is Verdict.OK and kernel.is_alive():
                mark = time.perf_counter()
                learner = LearnerEnd(
                    kernel,
                    limits.cell_timeout_s,
                    iopub_delivers=bool(run.cells) and run.cells[-1].idle,
                )
                run, judge_flags = _judge_tests(
                    judge, learner, assembly, judged, runs, run, limits, deadline
                )
                flags.extend(judge_flags)
                timings["judge_s"] = time.perf_counter() - mark
            judge.kill(wait=False)
        run_message = run.message if run.verdict is not Verdict.OK else ""
        ordered_runs = [
            runs.get(step.cell.index) or CellRun(index=step.cell.index, status="not_run")
            for step in assembly.steps
        ]
        tests = score_cells(
            assembly,
            ordered_runs,
            hidden=hidden_lines(source),
            run_message=run_message,
            cell_timeout_s=limits.cell_timeout_s,
            mode=mode,
            judged=judged,
        )
        if not sealed:
            sealed_results: list[TestResult] = []
        elif mode == "check":
            sealed_results = not_run(
                sealed, gettext_noop("Sealed checks run only when you submit.")
            )
        elif run.verdict is not Verdict.OK or not kernel.is_alive():
            sealed_results = not_run(
                sealed,
                cap(
                    gettext_noop("Not run: %(reason)s") % {"reason": run.message}
                    if run.message
                    else gettext_noop("Not run: the notebook stopped before the end.")
                ),
            )
        else:
            outcome = run_sealed_checks(
                source=source,
                learner=kernel,
                kernels=kernels,
                limits=limits,
                seed=seed,
                deadline=deadline,
            )
            sealed_results = outcome.results
            flags.extend(outcome.flags)
            timings["sealed_s"] = outcome.seconds
    finally:
        if judge is not None:
            judge.kill(wait=False)
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
        score=sum((t.points for t in ordered), Fraction(0)),
        max_score=source.max_score,
        status=_STATUS[run.verdict],
        tests=ordered,
        flags=flags,
        timings={k: round(v, 4) for k, v in timings.items()},
        seed=seed,
        source_sha256=source.sha256,
        mode=mode,
        message=cap(message),
        answer_outputs={
            step.cell.grade_id: list(runs[step.cell.index].outputs)
            for step in assembly.steps
            if step.from_learner and step.cell.index in runs
        },
    )


def cell_error_flags(steps: list[Step], runs: dict[int, CellRun]) -> list[Flag]:
    """A CELL_ERROR flag, with the error's name and message, for each non-test cell that raised."""
    flags = []
    for step in steps:
        cell_run = runs.get(step.cell.index)
        if step.cell.kind is CellKind.TEST or cell_run is None or cell_run.status != "error":
            continue
        flags.append(
            Flag(
                CELL_ERROR,
                cap(f"{cell_run.ename}: {cell_run.evalue}" if cell_run.evalue else cell_run.ename),
                step.cell.index + 1,
                step.cell.grade_id,
            )
        )
    return flags


def _judge_tests(
    judge: Judge,
    learner: LearnerEnd,
    assembly: Assembly,
    judged: set[int],
    runs: dict[int, CellRun],
    run: RunResult,
    limits: Limits,
    deadline: float,
) -> tuple[RunResult, list[Flag]]:
    """Run the setup and judged test cells in the judge, against the learner's finished kernel.

    Fills ``runs`` with the judged cells' results; returns the run (its verdict becomes a timeout
    when the whole submission's deadline passes here) and flags for the instructor.
    """
    assert assembly.source is not None  # noqa: S101 - assemble() always sets it
    flags: list[Flag] = []
    owned = learner_names(assembly.source)
    steps: list[Step] = [
        step
        for step in assembly.steps
        if not step.from_learner
        and (step.cell.kind is not CellKind.TEST or step.cell.index in judged)
    ]
    wanted = {step.cell.index: sorted(loaded_names(step.code) & owned) for step in steps}
    # Every name the cells use, in one round trip (which also installs the learner's end). A
    # function stays a handle, always current; a plain value is asked for again before each later
    # cell that uses it, since a learner call may have changed it.
    known = learner.describe(
        sorted({name for names in wanted.values() for name in names}),
        min(time.monotonic() + limits.cell_timeout_s, deadline),
    )
    for position, step in enumerate(steps):
        until = min(time.monotonic() + limits.cell_timeout_s, deadline)
        names = wanted[step.cell.index]
        try:
            if time.monotonic() >= deadline:
                raise JudgeUnavailable("the submission's time ran out")
            stale = [name for name in names if position > 0 and not is_handle(known.get(name))]
            known.update(learner.describe(stale, until))
            bind = {name: known[name] for name in names}
            verdict = judge.run(
                step.code,
                bind,
                until=until,
                relay=learner.call,
                # A read-only cell already ran in the kernel, in its place: replay it, send nothing.
                sync=step.cell.kind is CellKind.TEST,
            )
        except JudgeUnavailable as error:
            timed_out = time.monotonic() >= deadline
            message = (
                gettext_noop(
                    "The notebook and its tests ran longer than %(seconds)s s, so grading "
                    "stopped; the tests after that did not run."
                )
                % {"seconds": f"{limits.wall_timeout_s:g}"}
                if timed_out
                else ""
            )
            for rest in steps[position:]:
                if rest.cell.kind is CellKind.TEST:
                    runs[rest.cell.index] = CellRun(
                        index=rest.cell.index,
                        status="error",
                        ename="TimeoutError",
                        evalue=gettext_noop("The tests ran out of time.")
                        if timed_out
                        else gettext_noop("The tests could not finish."),
                    )
            if timed_out:
                return RunResult(Verdict.TIMEOUT, run.cells, message, run.duration_s), flags
            flags.append(
                Flag(
                    "judge_stopped",
                    cap(f"The tests stopped at cell {step.cell.index + 1}: {error}."),
                    step.cell.index + 1,
                    step.cell.grade_id,
                    review=True,
                )
            )
            return run, flags
        if step.cell.kind is not CellKind.TEST:
            if verdict.status != "ok":
                flags.append(
                    Flag(
                        JUDGE_SETUP_FAILED,
                        cap(
                            f"Read-only cell {step.cell.index + 1} failed where the tests run "
                            f"({verdict.ename}: {verdict.evalue})."
                        ),
                        step.cell.index + 1,
                        step.cell.grade_id,
                        review=verdict.ename != UNTRANSFERABLE,
                    )
                )
            continue
        if verdict.ename == UNTRANSFERABLE:
            flags.append(
                Flag(
                    JUDGE_UNTRANSFERABLE,
                    cap(
                        gettext_noop(
                            "Cell %(number)s (%(id)s) needs a value that cannot be checked "
                            "outside the notebook: %(reason)s"
                        )
                        % {
                            "number": step.cell.index + 1,
                            "id": repr(step.cell.grade_id),
                            "reason": verdict.evalue,
                        }
                    ),
                    step.cell.index + 1,
                    step.cell.grade_id,
                )
            )
        outputs: list[dict[str, Any]] = []
        if verdict.result is not None:
            outputs.append(
                {
                    "output_type": "execute_result",
                    "execution_count": None,
                    "data": {"text/plain": verdict.result},
                    "metadata": {},
                }
            )
        runs[step.cell.index] = CellRun(
            index=step.cell.index,
            status=verdict.status,
            ename=verdict.ename,
            evalue=verdict.evalue,
            outputs=outputs,
            duration_s=verdict.duration_s,
            line=verdict.line,
        )
    return run, flags
