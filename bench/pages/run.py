"""Pages figures: requests/s, p50/p95 latency and queries of the learner-facing pages.

Run: .venv/bin/python bench/pages/run.py [--quick] [--seconds N]
Builds var/bench/pages/ afresh (a file SQLite database with the demo site from `load_demo` and a
learner enrolled in the flagship course with some progress; "exercise" is a lesson with a
notebook exercise), counts each page's queries in this process, then serves the site with
gunicorn (two workers, config/gunicorn.conf.py) on loopback and loads each page for a fixed
time with 8 connections: with wrk (installed with apt when missing and running as root) or,
failing that, a bounded Python load script. "workspace" is the exercise workspace page
(/courses/<id>/exercises/<id>/) and "run POST" a "Run to here" request as the page's script sends
it (all answers, HX-Request, 202 with the status partial): it stores a run and enqueues it on the
runs queue, with no worker draining it; bench_settings turns the per-learner run limits off, so
every request takes the accepting path rather than the cheaper 429. The lesson page runs twice in the same run, against
a second gunicorn with PMA_PAGE_CACHE=0, and the ratio is printed. Stops its servers on exit.
Prints figures and never fails on a time.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORKDIR = ROOT / "var" / "bench" / "pages"
DATABASE = WORKDIR / "bench.sqlite3"
CONNECTIONS = 8
WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("PMA %d %d %.3f %.3f\\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000))
end
"""


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    logged_in: bool
    #: A POST's form body (urlencoded, with the CSRF token); None: a GET.
    body: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        if self.body is None:
            return {}
        # As static/js/notebook-run.js sends it: the status partial comes back (202).
        return {"Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true"}


@dataclass(frozen=True)
class Figures:
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 seconds per page instead of 10")
    parser.add_argument("--seconds", type=int, default=None, help="load time per page")
    return parser.parse_args()


def _environment(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.pages.bench_settings",
            "PMA_VAR_DIR": str(WORKDIR),
            "DATABASE_URL": f"sqlite:///{DATABASE}",
            "PYTHONPATH": str(ROOT),
            **extra,
        }
    )
    return env


def _prepare() -> tuple[list[Target], str]:
    """The database, the pages to load and the learner's session cookie."""
    shutil.rmtree(WORKDIR, ignore_errors=True)
    WORKDIR.mkdir(parents=True)
    os.environ.update(_environment())
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from courses.models import CourseIndexPage, CoursePage, HomePage, LessonPage
    from courses.services import enrolment_create, knowledge_check_answer, lesson_complete
    from tests.factories import UserFactory

    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0)
    course = max(
        CoursePage.objects.live(), key=lambda page: LessonPage.objects.descendant_of(page).count()
    )
    lessons = list(LessonPage.objects.live().descendant_of(course).order_by("path"))
    learner = UserFactory(username="bench-learner", email="bench-learner@example.com")
    enrolment_create(learner=learner, course=course)
    for lesson in lessons[:3]:
        lesson_complete(learner=learner, lesson=lesson)
    read = next((lesson for lesson in lessons[3:] if lesson.knowledge_check_count), lessons[3])
    check = (
        read.knowledge_check(
            next(raw["id"] for raw in read.body.raw_data if raw["type"] == "knowledge_check")
        )
        if read.knowledge_check_count
        else None
    )
    if check is not None:
        first_option = check.value["options"].bound_blocks[0].id
        knowledge_check_answer(
            learner=learner, lesson=read, block_id=check.id, selected_option_ids=[first_option]
        )
    # A lesson with a notebook exercise, in whichever course has one (the learner enrols there).
    with_exercise = next(
        (
            lesson
            for lesson in [*lessons, *LessonPage.objects.live().order_by("path")]
            if any(raw["type"] == "exercise" for raw in lesson.body.raw_data)
        ),
        None,
    )
    if with_exercise is not None:
        exercise_course = CoursePage.objects.ancestor_of(with_exercise).get()
        if exercise_course.pk != course.pk:
            enrolment_create(learner=learner, course=exercise_course)
    client = Client()
    client.force_login(learner)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    home = HomePage.objects.live().first()
    catalog = CourseIndexPage.objects.live().first()
    pages = [
        ("lesson", read.url),
        ("course", course.url),
        ("catalog", catalog.url),
        ("home", home.url),
    ]
    targets = [Target(name, path, False) for name, path in pages if name != "lesson"]
    targets += [Target(name, path, True) for name, path in pages]
    if with_exercise is not None:
        targets.append(Target("exercise", with_exercise.url, True))
        targets += _workspace_targets(with_exercise, client)
    targets.append(Target("dashboard", "/dashboard/", True))
    csrf = client.cookies.get(settings.CSRF_COOKIE_NAME)
    if csrf is not None:
        cookie += f"; {settings.CSRF_COOKIE_NAME}={csrf.value}"
    return targets, cookie


def _workspace_targets(lesson, client) -> list[Target]:
    """The exercise workspace page (/courses/<id>/exercises/<id>/) and a "Run to here" request
    (POST, all answers, run to the last code cell), as the learner's browser sends them."""
    from urllib.parse import urlencode

    from django.urls import reverse
    from django.utils.crypto import get_random_string

    from courses.models import CoursePage
    from exercises.models import Exercise
    from exercises.services import exercise_revision_record_validation
    from grading.services import release_answer_stubs, release_notebook_of

    exercise_id = next(
        raw["value"]["exercise"] for raw in lesson.body.raw_data if raw["type"] == "exercise"
    )
    exercise = Exercise.objects.get(pk=exercise_id)
    if not exercise.is_ready:
        # load_demo leaves validation (the sandbox, about 25 s) to the worker: record it as passed,
        # so the pages show the open exercise a learner works on.
        exercise_revision_record_validation(
            revision=exercise.revisions.order_by("-pk").first(),
            report={"valid": True, "problems": []},
        )
        exercise = Exercise.objects.get(pk=exercise_id)
    course = CoursePage.objects.ancestor_of(lesson).get()
    workspace = reverse("exercise_page", args=[course.pk, exercise.pk])
    # A CSRF secret in the cookie and the same in the form, as the page's form sends it.
    token = get_random_string(32)
    client.cookies["csrftoken"] = token
    cells = release_notebook_of(revision=exercise.current_revision)["cells"]
    last_code = max(i for i, cell in enumerate(cells) if cell.get("cell_type") == "code")
    answers = {
        f"answer-{gid}": text
        for gid, text in release_answer_stubs(revision=exercise.current_revision).items()
    }
    body = urlencode({"csrfmiddlewaretoken": token, "up_to": last_code, **answers})
    run = reverse("exercise_run", args=[course.pk, exercise.pk])
    return [Target("workspace", workspace, True), Target("run POST", run, True, body)]


def _count_queries(targets: list[Target]) -> dict[tuple[str, bool, bool], int]:
    """Queries per page on a warm second request, with the page cache on and off."""
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    learner = User.objects.get(username="bench-learner")
    counts = {}
    for cache_on in (True, False):
        with override_settings(PMA_PAGE_CACHE=cache_on, ALLOWED_HOSTS=["*"]):
            for target in targets:
                client = Client()
                if target.logged_in:
                    client.force_login(learner)
                if target.body is not None:
                    with CaptureQueriesContext(connection) as queries:
                        response = client.post(
                            target.path,
                            target.body,
                            content_type="application/x-www-form-urlencoded",
                            headers={"HX-Request": "true"},
                        )
                    if response.status_code != 202:
                        raise SystemExit(f"POST {target.path} answered {response.status_code}")
                    counts[(target.name, target.logged_in, cache_on)] = len(queries)
                    continue
                client.get(target.path)
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(target.path)
                if response.status_code != 200:
                    raise SystemExit(f"{target.path} answered {response.status_code}")
                counts[(target.name, target.logged_in, cache_on)] = len(queries)
    return counts


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_gunicorn(*, port: int, cache_on: bool) -> subprocess.Popen:
    env = _environment(
        PMA_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
        PMA_PAGE_CACHE="1" if cache_on else "0",
        PMA_LOG_LEVEL="warning",
    )
    log = (WORKDIR / f"gunicorn-{port}.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - fixed arguments, our own virtualenv
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "-c",
            str(ROOT / "config" / "gunicorn.conf.py"),
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with suppress(OSError):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/")
            if connection.getresponse().status == 200:
                return process
        if process.poll() is not None:
            break
        time.sleep(0.3)
    _stop(process)
    raise SystemExit(f"gunicorn did not start; see {log.name}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wrk() -> str | None:
    found = shutil.which("wrk")
    if found is None and os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk with apt-get ...", flush=True)
        subprocess.run(  # noqa: S603
            ["apt-get", "install", "-y", "-qq", "wrk"],  # noqa: S607
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
        found = shutil.which("wrk")
    return found


def _load_with_wrk(
    wrk: str, *, port: int, target: Target, cookie: str | None, seconds: int
) -> Figures:
    path = target.path
    script = WORKDIR / "report.lua"
    text = WRK_SCRIPT
    if target.body is not None:
        body = WORKDIR / "post-body.txt"
        body.write_text(target.body)
        text = (
            f'wrk.method = "POST"\nlocal f = io.open("{body}", "r")\n'
            'wrk.body = f:read("*a")\nf:close()\n' + text
        )
    script.write_text(text)
    command = [wrk, "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "-s", str(script)]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    for name, value in target.headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(  # noqa: S603
        [*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    requests, errors, p50, p95 = re.search(
        r"^PMA (\d+) (\d+) ([\d.]+) ([\d.]+)$", output, re.M
    ).groups()
    return Figures(int(requests), int(errors), float(seconds), float(p50), float(p95))


def _load_with_python(*, port: int, target: Target, cookie: str | None, seconds: int) -> Figures:
    """8 keep-alive connections in threads for a fixed time (slower than wrk: a floor)."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    headers = {"Cookie": cookie} if cookie else {}
    headers.update(target.headers)
    path, method = target.path, "GET" if target.body is None else "POST"
    body = target.body.encode() if target.body is not None else None

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                ok = response.status in (200, 202)
            except OSError:
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok = False
            if ok:
                mine.append((time.perf_counter() - started) * 1000)
            else:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ordered = sorted(latencies) or [0.0]
    return Figures(
        len(latencies),
        errors[0],
        float(seconds),
        statistics.median(ordered),
        ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))],
    )


def main() -> None:
    arguments = _arguments()
    seconds = arguments.seconds or (3 if arguments.quick else 10)
    print("preparing var/bench/pages (migrate, load_demo, a learner with progress) ...", flush=True)
    targets, cookie = _prepare()
    counts = _count_queries(targets)
    wrk = _wrk()
    tool = "wrk" if wrk else "python load script (wrk not available)"
    servers: dict[bool, tuple[subprocess.Popen, int]] = {}
    try:
        for cache_on in (True, False):
            port = _free_port()
            servers[cache_on] = (_start_gunicorn(port=port, cache_on=cache_on), port)

        def load(target: Target, cache_on: bool) -> Figures:
            port = servers[cache_on][1]
            session = cookie if target.logged_in else None
            # One short warm-up per page and server fills the page cache and connection pools.
            _load_with_python(port=port, target=target, cookie=session, seconds=1)
            if wrk:
                return _load_with_wrk(
                    wrk, port=port, target=target, cookie=session, seconds=seconds
                )
            return _load_with_python(port=port, target=target, cookie=session, seconds=seconds)

        print(
            f"\ngunicorn, 2 workers, {CONNECTIONS} connections, {seconds} s per page, {tool}; "
            f"{os.cpu_count()} CPUs\n"
        )
        header = f"{'page':<10}{'who':<11}{'cache':<7}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'queries':>9}{'errors':>8}"
        print(header)
        print("-" * len(header))
        results: dict[tuple[str, bool, bool], Figures] = {}
        runs = [(target, True) for target in targets]
        runs += [(target, False) for target in targets if target.name == "lesson"]
        for target, cache_on in runs:
            figures = load(target, cache_on)
            results[(target.name, target.logged_in, cache_on)] = figures
            print(
                f"{target.name:<10}{'learner' if target.logged_in else 'anonymous':<11}"
                f"{'on' if cache_on else 'off':<7}{figures.per_second:>8.1f}{figures.p50_ms:>9.1f}"
                f"{figures.p95_ms:>9.1f}{counts[(target.name, target.logged_in, cache_on)]:>9}"
                f"{figures.errors:>8}",
                flush=True,
            )
        on, off = results[("lesson", True, True)], results[("lesson", True, False)]
        print(
            f"\nlesson page, cache on / off: {on.per_second:.1f} / {off.per_second:.1f} req/s "
            f"= {on.per_second / off.per_second:.2f}x (goal >= 2x)"
        )
        print("queries per page with the cache off (warm second request):")
        for target in targets:
            print(
                f"  {target.name:<10}{'learner' if target.logged_in else 'anonymous':<11}"
                f"{counts[(target.name, target.logged_in, False)]}"
            )
    finally:
        for process, _port in servers.values():
            _stop(process)


if __name__ == "__main__":
    main()
