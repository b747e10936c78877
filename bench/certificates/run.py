"""Certificate figures: PDF render time, stored-PDF download time, issuing N through the queue.

Run: .venv/bin/python bench/certificates/run.py [--quick] [--count N]
Everything lives in var/bench/certificates/ (a file SQLite database, media, signing keys), which
is wiped at the start. The queue run uses the real django-tasks database backend: two
`manage.py db_worker` processes (the dev settings, as `make run` uses them) take the
certificates queue while this process enqueues N issues in one transaction. Prints figures and
never fails on a time.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORKDIR = ROOT / "var" / "bench" / "certificates"
DATABASE = WORKDIR / "bench.sqlite3"
WORKERS = 2
QUEUE_TIMEOUT_SECONDS = 900


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 certificates, fewer renders")
    parser.add_argument("--count", type=int, default=None, help="certificates through the queue")
    return parser.parse_args()


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "PMA_VAR_DIR": str(WORKDIR),
        "DATABASE_URL": f"sqlite:///{DATABASE}",
    })
    return env


def _setup() -> None:
    shutil.rmtree(WORKDIR, ignore_errors=True)
    WORKDIR.mkdir(parents=True)
    os.environ.update(_environment())
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def render_times(*, renders: int) -> None:
    from certificates.rendering import CertificateDocument, PageSize, certificate_pdf

    document = CertificateDocument(
        code="PMA-7KQ2-M9XD-4HTN-WB3C-R6FE", learner_name="Ada Lovelace",
        course_title="Prioritization in Practice", issued_on=date(2026, 11, 26), score_band="Merit",
        verify_url="http://127.0.0.1:8000/verify/PMA-7KQ2-M9XD-4HTN-WB3C-R6FE/",
        verify_index_url="http://127.0.0.1:8000/verify/", issuer_name="PM Academy",
        instructor_name="Marty Cagan", skills=["RICE", "Kano", "WSJF"],
    )
    credential = '{"bench": true}'
    print(f"Render (one process; {renders} warm renders per page size after the first)")
    for page_size in (PageSize.A4, PageSize.LETTER):
        start = time.perf_counter()
        certificate_pdf(document, page_size=page_size, credential_json=credential)
        first = time.perf_counter() - start
        wall, cpu = [], []
        for _ in range(renders):
            start, start_cpu = time.perf_counter(), time.process_time()
            pdf = certificate_pdf(document, page_size=page_size, credential_json=credential)
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        print(f"  {page_size:<6} first {_ms(first)}; warm median {_ms(statistics.median(wall))} wall, "
              f"p95 {_ms(_p95(wall))}, CPU median {_ms(statistics.median(cpu))}; {len(pdf) // 1024} KB")


def download_times(*, requests: int) -> None:
    from django.db import connection, reset_queries
    from django.test import Client, RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from certificates.services import certificate_issue
    from certificates.views import download_pdf
    from courses.models import CourseProgress, Enrolment
    from tests.certificates.factories import UserFactory, course_page, site_catalog

    course = course_page(site_catalog(), skills=("RICE",))
    owner = UserFactory()
    enrolment = Enrolment.objects.create(learner=owner, course=course, enrolled_at=timezone.now())
    CourseProgress.objects.create(enrolment=enrolment, percent=88, completed_at=timezone.now())
    certificate = certificate_issue(learner=owner, course=course)
    url = f"/certificates/{certificate.code}/pdf/a4/"

    factory = RequestFactory(HTTP_HOST="localhost")
    view_times, view_cpu = [], []
    for _ in range(requests):
        request = factory.get(url)
        request.user = owner
        start, start_cpu = time.perf_counter(), time.process_time()
        response = download_pdf(request, code=certificate.code, page_size="a4")
        b"".join(response.streaming_content)
        response.close()
        view_times.append(time.perf_counter() - start)
        view_cpu.append(time.process_time() - start_cpu)

    client = Client(HTTP_HOST="localhost")
    client.force_login(owner)
    client_times = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url)
        b"".join(response.streaming_content)
        client_times.append(time.perf_counter() - start)
    etag = response["ETag"]
    revalidate = []
    for _ in range(requests):
        start = time.perf_counter()
        client.get(url, headers={"If-None-Match": etag})
        revalidate.append(time.perf_counter() - start)
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        b"".join(client.get(url).streaming_content)
    queries = len(captured.captured_queries)
    size = certificate.pdf_a4.size // 1024
    print(f"Download of a stored {size} KB PDF ({requests} requests, medians; p95 in brackets)")
    print(f"  the view alone (RequestFactory):       {_ms(statistics.median(view_times))} ({_ms(_p95(view_times))}), "
          f"CPU {_ms(statistics.median(view_cpu))}")
    print(f"  through every middleware (test client): {_ms(statistics.median(client_times))} "
          f"({_ms(_p95(client_times))}), {queries} queries")
    print(f"  revalidation answered 304:              {_ms(statistics.median(revalidate))} ({_ms(_p95(revalidate))})")


def queue_run(*, count: int) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from certificates.models import Certificate
    from certificates.services import certificate_issue_enqueue
    from courses.models import CoursePage, CourseProgress, Enrolment

    users = get_user_model()
    course = CoursePage.objects.get()
    password = make_password("bench-password-not-secret")
    users.objects.bulk_create(
        [users(username=f"queue{i}", email=f"queue{i}@example.com", password=password,
               certificate_name=f"Queued Learner {i}") for i in range(count)]
    )
    learners = list(users.objects.filter(username__startswith="queue"))
    now = timezone.now()
    Enrolment.objects.bulk_create([Enrolment(learner=learner, course=course, enrolled_at=now) for learner in learners])
    CourseProgress.objects.bulk_create(
        [CourseProgress(enrolment=enrolment, percent=81 + enrolment.pk % 19, completed_at=now)
         for enrolment in Enrolment.objects.filter(learner__in=learners)]
    )
    env = _environment()
    command = [sys.executable, "manage.py", "db_worker", "--queue-name", "certificates", "--interval", "0.1",
               "--no-reload", "--no-startup-delay", "-v", "0"]
    workers = [
        subprocess.Popen([*command, "--worker-id", f"bench-{n}"], cwd=ROOT, env=env,  # noqa: S603
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for n in range(WORKERS)
    ]
    try:
        time.sleep(3)  # let both workers import Django and start polling before the clock starts
        start = time.perf_counter()
        with transaction.atomic():
            for learner in learners:
                certificate_issue_enqueue(learner=learner, course=course)
        enqueued = time.perf_counter() - start
        rendered = 0
        while time.perf_counter() - start < QUEUE_TIMEOUT_SECONDS:
            rendered = Certificate.objects.filter(learner__in=learners, rendered_at__isnull=False).count()
            if rendered >= count or any(worker.poll() is not None for worker in workers):
                break
            time.sleep(0.25)
        elapsed = time.perf_counter() - start
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
    failed = [worker.stderr.read().decode()[-2000:] for worker in workers if worker.returncode not in (0, -15)]
    print(f"Issue {count} certificates through the queue (django_tasks_db DatabaseBackend, SQLite file, "
          f"{WORKERS} db_worker processes, A4 + Letter PDFs and a signed credential each)")
    print(f"  enqueued in {enqueued:.1f} s; {rendered} of {count} issued and rendered in {elapsed:.1f} s "
          f"({rendered / elapsed:.1f} per second, {elapsed / max(rendered, 1) * 1000:.0f} ms each)")
    for message in failed:
        print(f"  a worker stopped early:\n{message}")


def main() -> None:
    args = _arguments()
    count = args.count or (100 if args.quick else 1000)
    _setup()
    logging.disable(logging.WARNING)
    print(f"Machine: {os.cpu_count()} cores; workdir {WORKDIR.relative_to(ROOT)}")
    render_times(renders=10 if args.quick else 30)
    download_times(requests=20 if args.quick else 100)
    queue_run(count=count)


if __name__ == "__main__":
    main()
