"""Grading benchmark: per-submission time of the engine with a warm pool and with cold kernels.

Prints figures; it never passes or fails on a time. The set is 20 submissions of the RICE
exercise (reference answers, release placeholders and partial-credit answers), graded one after
another through `grade_submission`, exactly as the worker does.

    .venv/bin/python bench/grading/run.py [--n 20] [--pool-size 2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from exercises.format import load_notebook_bytes, parse_source, release_notebook  # noqa: E402
from grading.engine.limits import Limits  # noqa: E402
from grading.engine.pipeline import grade_submission  # noqa: E402
from grading.engine.pool import ColdKernels, KernelPool  # noqa: E402
from grading.engine.validate import solution_notebook  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"


def load(path: Path):
    return load_notebook_bytes(path.read_bytes(), max_bytes=4 * 2**20)


def submissions(source, n: int) -> list:
    kinds = [
        solution_notebook(source),
        release_notebook(source),
        load(FIXTURES / "notebooks" / "rice_partial_credit.ipynb"),
    ]
    return [kinds[i % len(kinds)] for i in range(n)]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(label: str, provider, source, subs, limits: Limits) -> list[float]:
    times = []
    started = time.perf_counter()
    for i, sub in enumerate(subs):
        t0 = time.perf_counter()
        report = grade_submission(source, sub, kernels=provider, limits=limits, seed=1000 + i)
        times.append(time.perf_counter() - t0)
        if report.status.value != "graded":
            print(f"  submission {i}: {report.status.value} {report.message}")
    wall = time.perf_counter() - started
    print(
        f"{label:<28} median {statistics.median(times) * 1000:8.1f} ms   p95 {percentile(times, 0.95) * 1000:8.1f} ms"
        f"   total {wall:6.2f} s   {len(subs) / wall:5.2f} submissions/s"
    )
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--pool-size", type=int, default=2)
    args = parser.parse_args()

    limits = Limits()
    for name in ("rice_nbgrader_schema4.ipynb", "rice_sealed.ipynb"):
        source = parse_source(load(FIXTURES / "exercises" / name))
        subs = submissions(source, args.n)
        print(f"== {name}: {args.n} submissions, {len(source.cells)} cells")
        pool = KernelPool(limits, size=args.pool_size)
        try:
            deadline = time.monotonic() + 60
            while pool.ready_count < args.pool_size and time.monotonic() < deadline:
                time.sleep(0.05)
            warm = run(f"warm pool (size {args.pool_size})", pool, source, subs, limits)
        finally:
            pool.close()
        cold = run("cold kernel per submission", ColdKernels(limits), source, subs, limits)
        print(f"cold / warm median ratio: {statistics.median(cold) / statistics.median(warm):.1f}x")


if __name__ == "__main__":
    main()
