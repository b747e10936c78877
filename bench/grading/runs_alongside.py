"""Grading throughput alone, and with learners' "Run to here" runs going on alongside.

Prints figures; it never passes or fails on a time. Deployed as scripts/run.sh and
docs/operations.md describe it:

* grading: two worker processes (one per core), each with a one-kernel pool and grading's
  limits, drain a queue of RICE submissions through ``grade_submission``;
* runs: one runs worker process at ``nice 10`` with its own one-kernel pool and the runs' limits
  (grading.services.runs.DEFAULTS: 30 s wall, half a core, cpu weight 10), taking runs back to
  back from a queue that never empties (a steady stream: every run the rate limit lets through,
  from many learners at once), each a full run of the RICE notebook through ``run_notebook``;
  before each run it waits while submissions wait for a grader, at most 10 s, as the service's
  ``yield_to_grading`` does (so under a grading backlog runs slow down: runs/s shows how much).

The same long-lived workers grade every round; the runs worker is switched on for every other
round (alone, with runs; then with runs, alone; ...), so drifting machine load hits both alike.
The medians, the median of each pair's ratio, and the runs completed per second while grading
ran are printed.

    .venv/bin/python bench/grading/runs_alongside.py [--quick] [--rounds 8] [--n 40] [--unprioritised]
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
#: grading.services.runs: a run waits while submissions wait for a grader, at most this long.
YIELD_SECONDS = 10.0
YIELD_POLL_S = 0.25
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


def _grading_worker(jobs, results, ready) -> None:
    source = _source()
    release = release_notebook(source)
    limits = Limits()
    pool = KernelPool(limits, size=1)
    _wait_ready(pool)
    ready.put(os.getpid())
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


def _runs_worker(active, stop, finished, ready, jobs, prioritised: bool) -> None:
    # As scripts/run.sh starts it: the worker and the kernels it starts run at a lower priority.
    if prioritised:
        os.nice(RUN_NICE)
    source = _source()
    release = release_notebook(source)
    answer_ids = {cell.grade_id for cell in source.answer_cells}
    up_to = len(source.cells) - 1
    limits = Limits(**RUN_LIMITS) if prioritised else Limits(wall_timeout_s=30.0)
    pool = KernelPool(limits, size=1)
    _wait_ready(pool)
    ready.put(os.getpid())
    try:
        while not stop.is_set():
            if not active.wait(timeout=0.2):
                continue
            if prioritised:
                # grading.services.runs.yield_to_grading: wait while submissions wait for a
                # grader, at most YIELD_SECONDS.
                waited = 0.0
                while waited < YIELD_SECONDS and jobs.qsize() > 0 and not stop.is_set():
                    time.sleep(YIELD_POLL_S)
                    waited += YIELD_POLL_S
            report = run_notebook(
                release, ANSWERS, answer_ids=answer_ids, up_to=up_to, kernels=pool, limits=limits
            )
            finished.put((report.verdict.value, time.perf_counter()))
    finally:
        pool.close()


def _drain(queue) -> list:
    items = []
    while True:
        try:
            items.append(queue.get_nowait())
        except Exception:  # noqa: BLE001 - queue.Empty
            return items


def measure(rounds: int, n: int, *, prioritised: bool = True, workers: int = 2) -> None:
    """``rounds`` pairs of rounds on the same long-lived workers: grading ``n`` submissions
    alone, and with the runs worker switched on (order alternating), so both see the same load."""
    how = (
        f"at nice {RUN_NICE}, limits {RUN_LIMITS}, yielding to a grading backlog "
        f"for at most {YIELD_SECONDS:g} s"
        if prioritised
        else "NOT prioritised (nice 0, grading's limits and weight, no yielding): for comparison"
    )
    print(
        f"Grading throughput, {workers} grading workers (1-kernel pool each), {n} submissions a "
        f"round; runs: 1 runs worker {how}, runs back to back while switched on"
    )
    context = multiprocessing.get_context("spawn")
    jobs, results, ready = context.Queue(), context.Queue(), context.Queue()
    active, stop, finished = context.Event(), context.Event(), context.Queue()
    runner = context.Process(
        target=_runs_worker, args=(active, stop, finished, ready, jobs, prioritised)
    )
    graders = [
        context.Process(target=_grading_worker, args=(jobs, results, ready)) for _ in range(workers)
    ]
    for process in [runner, *graders]:
        process.start()
    for _ in range(workers + 1):
        ready.get(timeout=240)
    alone: list[float] = []
    alongside: list[float] = []
    runs: list[float] = []
    ratios: list[float] = []
    submitted = 0
    try:
        for number in range(rounds):
            pair: dict[bool, float] = {}
            for with_runs in (False, True) if number % 2 == 0 else (True, False):
                if with_runs:
                    active.set()
                    _drain(finished)
                    finished.get(timeout=120)  # the stream is steady before grading starts
                started = time.perf_counter()
                for _ in range(n):
                    jobs.put(submitted)
                    submitted += 1
                graded = [results.get(timeout=600) for _ in range(n)]
                ended = max(at for _, _, at in graded)
                rate = n / (ended - started)
                run_rate = 0.0
                if with_runs:
                    active.clear()
                    ends = [at for _, at in _drain(finished)]
                    run_rate = sum(1 for at in ends if started <= at <= ended) / (ended - started)
                    alongside.append(rate)
                    runs.append(run_rate)
                else:
                    alone.append(rate)
                pair[with_runs] = rate
                ok = sum(1 for _, status, _ in graded if status == "graded")
                label = "with runs" if with_runs else "alone    "
                extra = f", {run_rate:5.2f} runs/s alongside" if with_runs else ""
                print(
                    f"  round {number + 1}: grading {label} {rate:6.2f} submissions/s "
                    f"({ok}/{n} graded){extra}",
                    flush=True,
                )
            ratios.append(pair[True] / pair[False])
    finally:
        stop.set()
        active.set()
        for _ in graders:
            jobs.put(None)
        for process in [runner, *graders]:
            process.join(timeout=60)
    median_alone, median_with = statistics.median(alone), statistics.median(alongside)
    print(f"  grading alone:          median {median_alone:6.2f} submissions/s")
    print(
        f"  grading with runs:      median {median_with:6.2f} submissions/s "
        f"({statistics.median(runs):.2f} runs/s completed meanwhile)"
    )
    print(
        f"  ratio with runs / alone: {median_with / median_alone:.3f} of the medians, "
        f"{statistics.median(ratios):.3f} median of the {len(ratios)} pairs  "
        "(goal >= 0.90: within 10%)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="4 pairs of rounds of 20 submissions")
    parser.add_argument("--rounds", type=int, default=8, help="pairs of rounds")
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument(
        "--unprioritised",
        action="store_true",
        help="also measure runs at grading's priority and weight, to show what the split buys",
    )
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.n = 4, 20
    print(f"Machine: {os.cpu_count()} cores (nproc), Python {sys.version.split()[0]}")
    measure(args.rounds, args.n)
    if args.unprioritised:
        measure(args.rounds, args.n, prioritised=False)


if __name__ == "__main__":
    main()
