"""Grading throughput alone, and with learners' "Run to here" runs going on alongside.

Prints figures; it never passes or fails on a time. Deployed as scripts/run.sh and
docs/operations.md describe it:

* grading: two worker processes (one per core), each with a one-kernel pool and grading's
  limits, drain a queue of RICE submissions through ``grade_submission``;
* runs: one runs worker process at ``nice 10`` with its own one-kernel pool and the runs' limits
  (grading.services.runs.DEFAULTS: 30 s wall, half a core, cpu weight 10), taking runs back to
  back from a queue that never empties (a steady stream: every run the rate limit lets through,
  from many learners at once), each a full run of the RICE notebook through ``run_notebook``.

Rounds alternate (alone, with runs, alone, ...) so drifting machine load hits both alike; the
medians and their ratio are printed, with the runs completed per second while grading ran.

    .venv/bin/python bench/grading/runs_alongside.py [--quick] [--rounds 3] [--n 40]
"""

from __future__ import annotations

import argparse
import copy
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from exercises.format import load_notebook_bytes, parse_source, release_notebook  # noqa: E402
from grading.engine.limits import Limits  # noqa: E402
from grading.engine.notebook_run import run_notebook  # noqa: E402
from grading.engine.pipeline import grade_submission  # noqa: E402
from grading.engine.sandbox.pool import KernelPool  # noqa: E402

EXERCISE = ROOT / "tests" / "fixtures" / "exercises" / "rice_nbgrader_schema3.ipynb"
RUN_NICE = 10
#: grading.services.runs.DEFAULTS["LIMITS"] (not imported: that module needs Django settings).
RUN_LIMITS = {"wall_timeout_s": 30.0, "cpu_quota": 0.5, "cpu_weight": 10}
RICE = (
    "def rice_score(reach, impact, confidence, effort):\n"
    "    if effort <= 0:\n"
    "        raise ValueError('effort must be positive')\n"
    "    return reach * impact * confidence / effort\n"
)
RANK = (
    "def rank_by_rice(features):\n"
    "    def score(f):\n"
    "        return rice_score(f['reach'], f['impact'], f['confidence'], f['effort'])\n"
    "    return [f['name'] for f in sorted(features, key=score, reverse=True)]\n"
    "print(rank_by_rice(features))\n"
)
ANSWERS = {"rice_answer": RICE, "rank_answer": RANK, "explain_answer": "Dark mode."}


def _source():
    return parse_source(load_notebook_bytes(EXERCISE.read_bytes(), max_bytes=4 * 2**20))


def _submission(release, index: int):
    """The release with the answers in place; every third one with a wrong ranking."""
    notebook = copy.deepcopy(release)
    for cell in notebook["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in ANSWERS:
            text = ANSWERS[grade_id]
            if grade_id == "rank_answer" and index % 3 == 2:
                text = "def rank_by_rice(features):\n    return [f['name'] for f in features]\n"
            cell["source"] = text
    return notebook


def _wait_ready(pool: KernelPool) -> None:
    while pool.ready_count < 1:
        time.sleep(0.02)


def _grading_worker(jobs, results, ready, go) -> None:
    source = _source()
    release = release_notebook(source)
    limits = Limits()
    pool = KernelPool(limits, size=1)
    _wait_ready(pool)
    ready.put(os.getpid())
    go.wait()
    try:
        while True:
            index = jobs.get()
            if index is None:
                break
            report = grade_submission(
                source, _submission(release, index), kernels=pool, limits=limits, seed=index
            )
            results.put((index, report.status.value, time.perf_counter()))
    finally:
        pool.close()


def _runs_worker(stop, finished, ready) -> None:
    # As scripts/run.sh starts it: the worker and the kernels it starts run at a lower priority.
    os.nice(RUN_NICE)
    source = _source()
    release = release_notebook(source)
    answer_ids = {cell.grade_id for cell in source.answer_cells}
    up_to = len(source.cells) - 1
    limits = Limits(**RUN_LIMITS)
    pool = KernelPool(limits, size=1)
    _wait_ready(pool)
    ready.put(os.getpid())
    try:
        while not stop.is_set():
            report = run_notebook(
                release, ANSWERS, answer_ids=answer_ids, up_to=up_to, kernels=pool, limits=limits
            )
            finished.put((report.verdict.value, time.perf_counter()))
    finally:
        pool.close()


def grading_round(n: int, *, with_runs: bool, workers: int = 2) -> tuple[float, int, float]:
    """Submissions/s for ``n`` submissions, how many were graded, and runs/s meanwhile."""
    context = multiprocessing.get_context("spawn")
    jobs, results, ready, go = context.Queue(), context.Queue(), context.Queue(), context.Event()
    stop, finished, runs_ready = context.Event(), context.Queue(), context.Queue()
    runner = None
    if with_runs:
        runner = context.Process(target=_runs_worker, args=(stop, finished, runs_ready))
        runner.start()
        runs_ready.get(timeout=180)
        # The stream is steady before grading starts.
        for _ in range(3):
            finished.get(timeout=120)
    processes = [
        context.Process(target=_grading_worker, args=(jobs, results, ready, go))
        for _ in range(workers)
    ]
    for process in processes:
        process.start()
    for _ in processes:
        ready.get(timeout=180)
    for index in range(n):
        jobs.put(index)
    for _ in processes:
        jobs.put(None)
    started = time.perf_counter()
    go.set()
    graded = [results.get(timeout=600) for _ in range(n)]
    ended = max(finished_at for _, _, finished_at in graded)
    for process in processes:
        process.join(timeout=60)
    runs_per_second = 0.0
    if runner is not None:
        stop.set()
        ends = []
        while runner.is_alive() or not finished.empty():
            try:
                _verdict, at = finished.get(timeout=1)
            except Exception:  # noqa: BLE001, S112 - queue.Empty: the runner is winding down
                continue
            ends.append(at)
        runner.join(timeout=60)
        runs_per_second = sum(1 for at in ends if started <= at <= ended) / (ended - started)
    graded_ok = sum(1 for _, status, _ in graded if status == "graded")
    return n / (ended - started), graded_ok, runs_per_second


def measure(rounds: int, n: int) -> None:
    alone: list[float] = []
    alongside: list[float] = []
    runs: list[float] = []
    print(
        f"Grading throughput, 2 grading workers (1-kernel pool each), {n} submissions a round; "
        f"runs: 1 runs worker at nice {RUN_NICE}, runs back to back, limits {RUN_LIMITS}"
    )
    for number in range(rounds):
        for with_runs in (False, True) if number % 2 == 0 else (True, False):
            rate, graded, run_rate = grading_round(n, with_runs=with_runs)
            (alongside if with_runs else alone).append(rate)
            if with_runs:
                runs.append(run_rate)
            label = "with runs" if with_runs else "alone    "
            extra = f", {run_rate:5.2f} runs/s alongside" if with_runs else ""
            print(
                f"  round {number + 1}: grading {label} {rate:6.2f} submissions/s "
                f"({graded}/{n} graded){extra}"
            )
    median_alone, median_with = statistics.median(alone), statistics.median(alongside)
    print(f"  grading alone:          median {median_alone:6.2f} submissions/s")
    print(
        f"  grading with runs:      median {median_with:6.2f} submissions/s "
        f"({statistics.median(runs):.2f} runs/s completed meanwhile)"
    )
    print(
        f"  ratio with runs / alone: {median_with / median_alone:.3f}  (goal >= 0.90: within 10%)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 rounds of 30 submissions")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--n", type=int, default=60)
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.n = 2, 30
    print(f"Machine: {os.cpu_count()} cores (nproc), Python {sys.version.split()[0]}")
    measure(args.rounds, args.n)


if __name__ == "__main__":
    main()
