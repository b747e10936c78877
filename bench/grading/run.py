"""Grading benchmark: our engine against nbgrader 0.9.6 autograde on the same 20 RICE submissions.

Prints figures; it never passes or fails on a time. In one run, rounds interleave:

* our engine, one fresh single-use sandboxed kernel per submission, with each kernel launcher
  (``forkserver``: forked from a zygote that has ipykernel imported; ``bwrap``: a fresh Python
  in bubblewrap), graded one after another through ``grade_submission`` as the worker does:
  cold (the kernel starts inside the submission's time) and from a warm pool of two spares
  (still one kernel per submission, started in the background as a worker does);
* nbgrader's batch ``autograde`` of the same notebooks, in its own virtual environment
  (var/bench/nbgrader-venv, created with pip from PyPI on first use and reused after), with its
  own course directory (source/release/submitted) and gradebook.

Then sustained throughput: two worker processes (one per core), each with a one-kernel pool,
drain a queue of submissions; and the same with learners' "Run to here" runs going on alongside
(``runs_alongside.py``: grading alone against grading with a steady stream of runs, and the ratio).

    .venv/bin/python bench/grading/run.py [--quick] [--rounds 3] [--n 20] [--throughput-n 40]
"""

from __future__ import annotations

import argparse
import copy
import json
import multiprocessing
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from exercises.format import load_notebook_bytes, parse_source, release_notebook  # noqa: E402
from grading.engine.limits import Limits  # noqa: E402
from grading.engine.pipeline import grade_submission  # noqa: E402
from grading.engine.sandbox import LAUNCHER_ENV, start_kernel  # noqa: E402
from grading.engine.sandbox.pool import ColdKernels, KernelPool  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import runs_alongside  # noqa: E402

EXERCISE = ROOT / "tests" / "fixtures" / "exercises" / "rice_nbgrader_schema3.ipynb"
BENCH_DIR = ROOT / "var" / "bench"
NBGRADER_VENV = BENCH_DIR / "nbgrader-venv"
NBGRADER_COURSE = BENCH_DIR / "nbgrader-course"
NBGRADER_VERSION = "0.9.6"
ASSIGNMENT = "ps1"
LAUNCHERS = ("forkserver", "bwrap")
# Taking a ready spare is a list pop; anything slower was a kernel started on the spot.
SPARE_ACQUIRE_S = 0.01

RICE_ANSWERS = {
    "correct": (
        "def rice_score(reach, impact, confidence, effort):\n"
        "    if effort <= 0:\n"
        "        raise ValueError('effort must be positive')\n"
        "    return reach * impact * confidence / effort\n"
    ),
    "no effort check": (
        "def rice_score(reach, impact, confidence, effort):\n"
        "    return reach * impact * confidence / effort\n"
    ),
    "wrong formula": (
        "def rice_score(reach, impact, confidence, effort):\n"
        "    return reach * impact * confidence * effort\n"
    ),
    "not attempted": None,
}
RANK_ANSWERS = {
    "correct": (
        "def rank_by_rice(features):\n"
        "    def score(f):\n"
        "        return rice_score(f['reach'], f['impact'], f['confidence'], f['effort'])\n"
        "    return [f['name'] for f in sorted(features, key=score, reverse=True)]\n"
    ),
    "input order": "def rank_by_rice(features):\n    return [f['name'] for f in features]\n",
    "reversed": (
        "def rank_by_rice(features):\n"
        "    def score(f):\n"
        "        return rice_score(f['reach'], f['impact'], f['confidence'], f['effort'])\n"
        "    return [f['name'] for f in sorted(features, key=score)]\n"
    ),
    "crashes": "def rank_by_rice(features):\n    return features['name']\n",
    "not attempted": None,
}
EXPLANATION = "Dark mode: it reaches the most users for the least effort."


def load(path: Path):
    return load_notebook_bytes(path.read_bytes(), max_bytes=4 * 2**20)


def submissions(source, n: int) -> list[tuple[str, object]]:
    """``n`` learner notebooks built from the release notebook, the same on every run."""
    chooser = random.Random(8)  # noqa: S311 - a fixed mix of answers, not a secret
    release = release_notebook(source)
    made = []
    for index in range(n):
        rice = list(RICE_ANSWERS)[index % len(RICE_ANSWERS)]
        rank = chooser.choice(list(RANK_ANSWERS))
        notebook = copy.deepcopy(release)
        for cell in notebook.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            text = {
                "rice_answer": RICE_ANSWERS[rice],
                "rank_answer": RANK_ANSWERS[rank],
                "explain_answer": EXPLANATION,
            }.get(grade_id)
            if text is not None:
                cell.source = text
        made.append((f"rice {rice} / rank {rank}", notebook))
    return made


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def describe(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:8.1f} ms   p95 {percentile(values, 0.95) * 1000:8.1f} ms"


# ------------------------------------------------------------------------------------ our engine


def grade_all(
    source, subs, limits: Limits, provider
) -> tuple[list[float], list[float], list[dict[str, float]]]:
    """Per-submission seconds, the scores (to check both graders agree on the set) and each
    report's own timings."""
    times, scores, timings = [], [], []
    for index, (_, notebook) in enumerate(subs):
        started = time.perf_counter()
        report = grade_submission(
            source, notebook, kernels=provider, limits=limits, seed=1000 + index
        )
        times.append(time.perf_counter() - started)
        scores.append(report.score)
        timings.append(report.timings)
    return times, scores, timings


def describe_judge(timings: list[dict[str, float]]) -> str:
    """The judge's time (its cells and the learner calls it relayed) against the whole submission."""
    judged = [t for t in timings if "judge_s" in t]
    if not judged:
        return "no judged submissions"
    share = statistics.median(t["judge_s"] / t["total_s"] for t in judged)
    return (
        f"median {statistics.median(t['judge_s'] for t in judged) * 1000:6.1f} ms, "
        f"{share:.0%} of the submission's time"
    )


FLOOD_PROGRAM = """
import json, resource, sys
sys.path.insert(0, {root!r})
from exercises.format import load_notebook_bytes, parse_source
from grading.engine.limits import Limits
from grading.engine.pipeline import grade_submission
from grading.engine.sandbox.pool import ColdKernels
source = parse_source(load_notebook_bytes(open({exercise!r}, 'rb').read(), max_bytes=10**7))
nb = json.loads(open({exercise!r}).read())
for cell in nb['cells']:
    if cell['metadata'].get('nbgrader', {{}}).get('grade_id') == 'rice_answer':
        cell['source'] = {answer!r}
limits = Limits()
report = grade_submission(source, nb, kernels=ColdKernels(limits), limits=limits, seed=1)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, report.status.value)
"""
FLOOD_ANSWER = "import sys\nfor _ in range({writes}):\n    sys.stdout.write('x' * 7_000_000)\n    sys.stdout.flush()\n"


def flood_peak_mib(writes: int) -> str:
    """Peak RSS of a fresh grading process whose learner makes `writes` flushed 7 MB writes."""
    program = FLOOD_PROGRAM.format(
        root=str(ROOT), exercise=str(EXERCISE), answer=FLOOD_ANSWER.format(writes=writes)
    )
    done = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        timeout=600,  # noqa: S603
        check=False,
    )
    return done.stdout.strip() or done.stderr.strip()[-200:]


def describe_warm(timings: list[dict[str, float]]) -> str:
    """How many submissions found a spare (the rest started a kernel while the pool refilled),
    and the execute step's median from the reports."""
    spares = sum(1 for t in timings if t["acquire_s"] < SPARE_ACQUIRE_S)
    execute = statistics.median(t["execute_s"] for t in timings)
    return f"{spares}/{len(timings)} from a spare, execute step median {execute * 1000:6.1f} ms"


def kernel_starts(limits: Limits, count: int) -> list[float]:
    """Seconds to a kernel that answered kernel_info; the first start (which may bring up the
    fork server's zygote, once per worker process) is not counted."""
    start_kernel(limits).kill()
    times = []
    for _ in range(count):
        started = time.perf_counter()
        kernel = start_kernel(limits)
        times.append(time.perf_counter() - started)
        kernel.kill()
    return times


def _worker(launcher: str, jobs, results, ready, go) -> None:
    os.environ[LAUNCHER_ENV] = launcher
    source = parse_source(load(EXERCISE))
    limits = Limits()
    pool = KernelPool(limits, size=1)
    while pool.ready_count < 1:
        time.sleep(0.02)
    ready.put(os.getpid())
    go.wait()
    try:
        while True:
            index = jobs.get()
            if index is None:
                break
            notebook = submissions(source, index + 1)[index][1]
            report = grade_submission(source, notebook, kernels=pool, limits=limits, seed=index)
            results.put((index, report.status.value, time.perf_counter()))
    finally:
        pool.close()


def throughput(launcher: str, n: int, workers: int = 2) -> tuple[float, int]:
    """Submissions per second with ``workers`` processes draining one queue, and how many graded."""
    context = multiprocessing.get_context("spawn")
    jobs, results, ready, go = context.Queue(), context.Queue(), context.Queue(), context.Event()
    processes = [
        context.Process(target=_worker, args=(launcher, jobs, results, ready, go))
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
    wall = max(finished for _, _, finished in graded) - started
    for process in processes:
        process.join(timeout=60)
    return n / wall, sum(1 for _, status, _ in graded if status == "graded")


# -------------------------------------------------------------------------------------- nbgrader

NBGRADER_DRIVER = """
import json, sys, time
from nbgrader.converters import autograde

times = []
original = autograde.Autograde.convert_single_notebook

def timed(self, notebook_filename):
    started = time.perf_counter()
    try:
        return original(self, notebook_filename)
    finally:
        times.append(time.perf_counter() - started)

autograde.Autograde.convert_single_notebook = timed
from nbgrader.apps.nbgraderapp import NbGraderApp

try:
    NbGraderApp.launch_instance(argv=["autograde", "ps1", "--force", "--create", "--log-level=WARN"])
except SystemExit as exit:
    if exit.code:
        raise
with open(sys.argv[1], "w") as out:
    json.dump(times, out)
"""


def nbgrader_environment() -> dict[str, str]:
    home = BENCH_DIR / "nbgrader-home"
    home.mkdir(parents=True, exist_ok=True)
    return {
        "PATH": f"{NBGRADER_VENV / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "JUPYTER_PLATFORM_DIRS": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }


def ensure_nbgrader() -> str | None:
    """The nbgrader venv's python, created on first use; None (and why) when that is impossible."""
    python = NBGRADER_VENV / "bin" / "python"
    marker = NBGRADER_VENV / f".nbgrader-{NBGRADER_VERSION}"
    if marker.exists():
        return str(python)
    print(
        f"Creating {NBGRADER_VENV.relative_to(ROOT)} with nbgrader {NBGRADER_VERSION} (first run only)..."
    )
    shutil.rmtree(NBGRADER_VENV, ignore_errors=True)
    base = shutil.which("python3.11") or sys.executable
    try:
        subprocess.run([base, "-m", "venv", str(NBGRADER_VENV)], check=True)  # noqa: S603
        subprocess.run(  # noqa: S603 - fixed argv
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             f"nbgrader=={NBGRADER_VERSION}"],
            check=True,
        )  # fmt: skip
    except (OSError, subprocess.CalledProcessError) as error:
        print(f"nbgrader could not be installed ({error}); comparing against nbgrader is skipped.")
        return None
    marker.touch()
    return str(python)


def prepare_course(python: str, subs) -> None:
    """source/, release/ and the gradebook once per run; submitted/ holds the same notebooks we grade."""
    import nbformat

    shutil.rmtree(NBGRADER_COURSE, ignore_errors=True)
    (NBGRADER_COURSE / "source" / ASSIGNMENT).mkdir(parents=True)
    (NBGRADER_COURSE / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(NBGRADER_COURSE)!r}\n"
        "c.CourseDirectory.course_id = 'pm-academy-bench'\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{NBGRADER_COURSE / 'gradebook.db'}'\n"
    )
    shutil.copy(EXERCISE, NBGRADER_COURSE / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    with open(NBGRADER_COURSE / "generate.log", "wb") as log:
        subprocess.run(  # noqa: S603 - fixed argv
            [python, "-m", "nbgrader", "generate_assignment", ASSIGNMENT, "--force", "--log-level=WARN"],
            cwd=NBGRADER_COURSE, env=nbgrader_environment(), check=True, stdout=log, stderr=log,
        )  # fmt: skip
    for index, (_, notebook) in enumerate(subs):
        folder = NBGRADER_COURSE / "submitted" / f"learner{index:02d}" / ASSIGNMENT
        folder.mkdir(parents=True)
        submitted = copy.deepcopy(notebook)
        submitted.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        nbformat.write(submitted, folder / f"{ASSIGNMENT}.ipynb")


def nbgrader_round(python: str) -> tuple[float, list[float], list[float]]:
    """Batch autograde wall time, seconds per notebook inside it, and the scores in the gradebook."""
    shutil.rmtree(NBGRADER_COURSE / "autograded", ignore_errors=True)
    driver = NBGRADER_COURSE / "driver.py"
    driver.write_text(NBGRADER_DRIVER)
    times_file = NBGRADER_COURSE / "times.json"
    started = time.perf_counter()
    with open(NBGRADER_COURSE / "autograde.log", "ab") as log:
        subprocess.run(  # noqa: S603 - fixed argv
            [python, str(driver), str(times_file)],
            cwd=NBGRADER_COURSE, env=nbgrader_environment(), check=True, stdout=log, stderr=log,
        )  # fmt: skip
    wall = time.perf_counter() - started
    scores = subprocess.run(  # noqa: S603 - fixed argv
        [python, "-c", "import json\nfrom nbgrader.api import Gradebook\n"
         f"with Gradebook({'sqlite:///' + str(NBGRADER_COURSE / 'gradebook.db')!r}) as gb:\n"
         f"    print(json.dumps([gb.find_submission({ASSIGNMENT!r}, s.id).score"
         " for s in sorted(gb.students, key=lambda s: s.id)]))"],
        cwd=NBGRADER_COURSE, env=nbgrader_environment(), check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return wall, json.loads(times_file.read_text()), json.loads(scores)


# ------------------------------------------------------------------------------------------ main


def machine() -> str:
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return f"{os.cpu_count()} cores (nproc), {model}, Python {sys.version.split()[0]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="one round, 6 submissions, short throughput run"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--throughput-n", type=int, default=40)
    parser.add_argument("--no-nbgrader", action="store_true", help="skip the nbgrader comparison")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.n, args.throughput_n = 1, 6, 10

    print(
        f"Machine: {machine()}. Figures taken while other work may share the CPU: read them as a range."
    )
    print(f"nbgrader logs: {NBGRADER_COURSE.relative_to(ROOT)}/*.log")
    limits = Limits()
    source = parse_source(load(EXERCISE))
    subs = submissions(source, args.n)
    print(f"Set: {args.n} RICE submissions ({EXERCISE.name}), {args.rounds} interleaved round(s)")
    python = None if args.no_nbgrader else ensure_nbgrader()
    if python:
        prepare_course(python, subs)

    ours: dict[str, list[float]] = {launcher: [] for launcher in LAUNCHERS}
    starts: dict[str, list[float]] = {launcher: [] for launcher in LAUNCHERS}
    warm: dict[str, list[float]] = {launcher: [] for launcher in LAUNCHERS}
    warm_timings: dict[str, list[dict[str, float]]] = {launcher: [] for launcher in LAUNCHERS}
    judge_shares: dict[str, list[dict[str, float]]] = {launcher: [] for launcher in LAUNCHERS}
    nb_inner: list[float] = []
    nb_batch: list[float] = []
    our_scores: list[float] = []
    nb_scores: list[float] = []
    for round_number in range(args.rounds):
        order = list(LAUNCHERS) + (["nbgrader"] if python else [])
        order = order[round_number % len(order) :] + order[: round_number % len(order)]
        for contender in order:
            if contender == "nbgrader":
                assert python is not None  # noqa: S101 - only in the order when installed
                wall, inner, nb_scores = nbgrader_round(python)
                nb_batch.append(wall / len(subs))
                nb_inner.extend(inner)
                print(f"  round {round_number + 1}: nbgrader autograde batch {wall:6.2f} s")
                continue
            os.environ[LAUNCHER_ENV] = contender
            starts[contender].extend(kernel_starts(limits, 3))
            times, our_scores, cold_timings = grade_all(source, subs, limits, ColdKernels(limits))
            ours[contender].extend(times)
            judge_shares[contender].extend(cold_timings)
            print(f"  round {round_number + 1}: engine ({contender}, cold) {sum(times):6.2f} s")
            with KernelPool(limits, size=2) as pool:
                while pool.ready_count < 2:
                    time.sleep(0.02)
                times, _, timings = grade_all(source, subs, limits, pool)
            warm[contender].extend(times)
            warm_timings[contender].extend(timings)
            print(
                f"  round {round_number + 1}: engine ({contender}, warm pool) {sum(times):6.2f} s"
            )

    print("\nPer submission (each graded in a fresh single-use sandboxed kernel):")
    for launcher in LAUNCHERS:
        print(
            f"  engine, {launcher:<10} cold       {describe(ours[launcher])}   kernel start {describe(starts[launcher])}"
        )
        print(
            f"  engine, {launcher:<10} warm pool  {describe(warm[launcher])}   "
            f"{describe_warm(warm_timings[launcher])}"
        )
    for launcher in LAUNCHERS:
        print(f"  judge share ({launcher}, cold): {describe_judge(judge_shares[launcher])}")
    if python:
        print(f"  nbgrader autograde, inside batch  {describe(nb_inner)}")
        batch = statistics.median(nb_batch)
        print(
            f"  nbgrader autograde, batch wall / {len(subs)} = {batch * 1000:8.1f} ms per submission"
        )
        for launcher in LAUNCHERS:
            for label, values in (("cold", ours[launcher]), ("warm pool", warm[launcher])):
                ratio = batch / statistics.median(values)
                print(
                    f"  ratio nbgrader batch / engine ({launcher}, {label}) median: {ratio:5.1f}x  (goal >= 15x)"
                )
        agree = [round(a, 4) for a in our_scores] == [round(b or 0.0, 4) for b in nb_scores]
        print(f"  scores agree with nbgrader on all {len(subs)} submissions: {agree}")
        if not agree:
            print(f"    engine   {our_scores}\n    nbgrader {nb_scores}")
    print("\nGrading process peak memory (fresh process, cold kernel), MiB and verdict:")
    print(f"  quiet notebook:                      {flood_peak_mib(0)}")
    print(f"  output flood, 300 flushed 7 MB writes: {flood_peak_mib(300)}")
    print(
        f"\nSustained throughput, 2 worker processes with a 1-kernel pool each, {args.throughput_n} submissions:"
    )
    for launcher in LAUNCHERS:
        rate, graded = throughput(launcher, args.throughput_n)
        print(
            f"  {launcher:<10} {rate:5.2f} submissions/s ({graded}/{args.throughput_n} graded)  (goal >= 25/s)"
        )
    print("\nGrading with learners' runs going on alongside (bench/grading/runs_alongside.py):")
    runs_alongside.measure(4 if args.quick else 8, 20 if args.quick else 40)


if __name__ == "__main__":
    main()
