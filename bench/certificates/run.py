"""Certificate figures: PDF render time, stored-PDF download time, issuing N through the queue.

Run: .venv/bin/python bench/certificates/run.py [--quick] [--count N]
Everything lives in var/bench/certificates/ (a file SQLite database, media, signing keys), which
is wiped at the start. The queue run uses the real django-tasks database backend: two
`manage.py db_worker` processes (the dev settings, as `make run` uses them) take the
certificates queue; once each has issued a warm-up certificate (so the clock does not measure
Python starting), this process enqueues N issues in one transaction; a certificate counts
as done when it is complete (its A4 PDF and signed credential stored: US Letter is rendered on
its first download, timed separately). Prints figures and never fails on a time.
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
# Batches of one certificate per worker, issued before the clock starts until each worker ran one.
WARM_UP_ROUNDS = 10


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 certificates, fewer renders")
    parser.add_argument("--count", type=int, default=None, help="certificates through the queue")
    return parser.parse_args()


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "PMA_VAR_DIR": str(WORKDIR),
            "DATABASE_URL": f"sqlite:///{DATABASE}",
        }
    )
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
        code="PMA-7KQ2-M9XD-4HTN-WB3C-R6FE",
        learner_name="Ada Lovelace",
        course_title="Prioritization in Practice",
        issued_on=date(2026, 11, 26),
        score_band="Merit",
        verify_url="http://127.0.0.1:8000/verify/PMA-7KQ2-M9XD-4HTN-WB3C-R6FE/",
        verify_index_url="http://127.0.0.1:8000/verify/",
        issuer_name="PM Academy",
        instructor_name="Marty Cagan",
        skills=["RICE", "Kano", "WSJF"],
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
        print(
            f"  {page_size:<6} first {_ms(first)}; warm median {_ms(statistics.median(wall))} wall, "
            f"p95 {_ms(_p95(wall))}, CPU median {_ms(statistics.median(cpu))}; {len(pdf) // 1024} KB"
        )


def signing_times(*, rounds: int) -> None:
    """Sign and verify one credential per suite, and serve a status list (sign + JSON)."""
    import tempfile
    from datetime import UTC, datetime

    from django.test import RequestFactory

    from certificates.credentials import CredentialClaims, Issuer, credential_build
    from certificates.keys import KeyStore
    from certificates.proofs import CRYPTOSUITES, proof_add, proof_verify
    from certificates.views import status_list

    issuer = Issuer(
        id="http://127.0.0.1:8000/issuer/", name="PM Academy", url="http://127.0.0.1:8000/"
    )
    claims = CredentialClaims(
        credential_id="http://127.0.0.1:8000/verify/PMA-7KQ2-M9XD-4HTN-WB3C-R6FE/",
        issuer=issuer,
        learner_name="Ada Lovelace",
        achievement_id="http://127.0.0.1:8000/courses/prioritization/",
        course_title="Prioritization in Practice",
        course_description="RICE, ICE, MoSCoW, Kano, WSJF and weighted scoring, in practice.",
        criteria="Completed every required lesson and met the pass rules.",
        skills=["RICE", "Kano", "WSJF"],
        score_band="Merit",
        score_bands=["Pass", "Merit", "Distinction"],
        issued_at=datetime(2026, 11, 26, tzinfo=UTC),
        expires_at=None,
        status_list_url="http://127.0.0.1:8000/credentials/status/1/",
        status_index=7,
    )
    key = KeyStore(tempfile.mkdtemp(), environ={}).current()
    method = f"{issuer.id}#{key.key_id}"
    document = credential_build(claims)
    print(f"Credential proofs (one process; medians of {rounds}, after one warm-up)")
    resolve = lambda _method: key.public_key  # noqa: E731
    for suites in [(suite,) for suite in CRYPTOSUITES] + [CRYPTOSUITES]:
        options = {"key": key, "verification_method": method, "created": claims.issued_at}
        signed = proof_add(document, cryptosuites=suites, **options)
        assert proof_verify(signed, resolve_key=resolve).ok
        signing, checking = [], []
        for _ in range(rounds):
            start = time.perf_counter()
            proof_add(document, cryptosuites=suites, **options)
            signing.append(time.perf_counter() - start)
            start = time.perf_counter()
            proof_verify(signed, resolve_key=resolve)
            checking.append(time.perf_counter() - start)
        print(
            f"  {' + '.join(suites):<32} sign {_ms(statistics.median(signing))}, "
            f"verify {_ms(statistics.median(checking))}"
        )
    request = RequestFactory().get("/credentials/status/1/")
    status_list(request, list_number=1)
    served = []
    for _ in range(rounds):
        start = time.perf_counter()
        status_list(request, list_number=1)
        served.append(time.perf_counter() - start)
    print(
        f"  status list served (signed per request, both suites): {_ms(statistics.median(served))}"
    )


def _issued_certificate(course):
    from django.utils import timezone

    from certificates.services import certificate_issue
    from courses.models import CourseProgress, Enrolment
    from tests.factories import UserFactory

    owner = UserFactory()
    enrolment = Enrolment.objects.create(learner=owner, course=course, enrolled_at=timezone.now())
    CourseProgress.objects.create(enrolment=enrolment, percent=88, completed_at=timezone.now())
    return certificate_issue(learner=owner, course=course)


def _view_download(certificate, page_size: str) -> tuple[float, float]:
    """One download through the view alone (RequestFactory): (wall, CPU) seconds."""
    from django.test import RequestFactory

    from certificates.views import download_pdf

    request = RequestFactory(HTTP_HOST="localhost").get(
        f"/certificates/{certificate.code}/pdf/{page_size}/"
    )
    request.user = certificate.learner
    start, start_cpu = time.perf_counter(), time.process_time()
    response = download_pdf(request, code=certificate.code, page_size=page_size)
    if response.status_code != 200:
        raise RuntimeError(f"{certificate.code} {page_size}: HTTP {response.status_code}")
    b"".join(response.streaming_content)
    response.close()
    return time.perf_counter() - start, time.process_time() - start_cpu


def download_times(*, requests: int, letters: int) -> None:
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tests.factories import course_page, site_catalog

    course = course_page(site_catalog(), skills=("RICE",))
    certificate = _issued_certificate(course)
    owner = certificate.learner
    url = f"/certificates/{certificate.code}/pdf/a4/"

    view_times, view_cpu = zip(
        *(_view_download(certificate, "a4") for _ in range(requests)), strict=True
    )
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
    print(
        f"  the view alone (RequestFactory):       {_ms(statistics.median(view_times))} ({_ms(_p95(view_times))}), "
        f"CPU {_ms(statistics.median(view_cpu))}"
    )
    print(
        f"  through every middleware (test client): {_ms(statistics.median(client_times))} "
        f"({_ms(_p95(client_times))}), {queries} queries"
    )
    print(
        f"  revalidation answered 304:              {_ms(statistics.median(revalidate))} ({_ms(_p95(revalidate))})"
    )

    # US Letter is rendered and stored by its first download; each certificate has one first.
    certificates = [_issued_certificate(course) for _ in range(letters)]
    first, first_cpu = zip(*(_view_download(c, "letter") for c in certificates), strict=True)
    stored, stored_cpu = zip(*(_view_download(c, "letter") for c in certificates), strict=True)
    print(f"US Letter download, the view alone ({letters} certificates, medians; p95 in brackets)")
    print(
        f"  first download (render + store + serve): {_ms(statistics.median(first))} ({_ms(_p95(first))}), "
        f"CPU {_ms(statistics.median(first_cpu))}"
    )
    print(
        f"  later downloads (the stored file):       {_ms(statistics.median(stored))} ({_ms(_p95(stored))}), "
        f"CPU {_ms(statistics.median(stored_cpu))}"
    )


def _learners_with_progress(course, *, prefix: str, count: int) -> list:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from courses.models import CourseProgress, Enrolment

    users = get_user_model()
    password = make_password("bench-password-not-secret")
    users.objects.bulk_create(
        [
            users(
                username=f"{prefix}{i}",
                email=f"{prefix}{i}@example.com",
                password=password,
                certificate_name=f"Queued Learner {i}",
            )
            for i in range(count)
        ]
    )
    learners = list(users.objects.filter(username__startswith=prefix))
    now = timezone.now()
    Enrolment.objects.bulk_create(
        [Enrolment(learner=learner, course=course, enrolled_at=now) for learner in learners]
    )
    CourseProgress.objects.bulk_create(
        [
            CourseProgress(enrolment=enrolment, percent=81 + enrolment.pk % 19, completed_at=now)
            for enrolment in Enrolment.objects.filter(learner__in=learners)
        ]
    )
    return learners


def _warm_up(workers: list[subprocess.Popen], course, *, worker_ids: set[str]) -> int:
    """Issue certificates one batch at a time until every worker has finished one: each has then
    imported Django and rendered its first PDF, so the clock measures workers as they run all day
    (without bytecode caches, starting a worker alone takes seconds). Returns how many it issued."""
    from certificates.tasks import certificate_issue_task

    pool = iter(_learners_with_progress(course, prefix="warmup", count=WARM_UP_ROUNDS * WORKERS))
    seen: set[str] = set()
    deadline = time.perf_counter() + QUEUE_TIMEOUT_SECONDS
    for round_number in range(1, WARM_UP_ROUNDS + 1):
        results = [certificate_issue_task.enqueue(next(pool).pk, course.pk) for _ in workers]
        while not all(result.is_finished for result in results):
            if time.perf_counter() > deadline or any(
                worker.poll() is not None for worker in workers
            ):
                return round_number * WORKERS
            time.sleep(0.1)
            for result in results:
                result.refresh()
        seen.update(worker_id for result in results for worker_id in result.worker_ids)
        if seen >= worker_ids:
            return round_number * WORKERS
    return WARM_UP_ROUNDS * WORKERS


def queue_run(*, count: int) -> None:
    from django.db import transaction

    from certificates.models import Certificate, PdfStatus
    from certificates.services import certificate_issue_enqueue
    from courses.models import CoursePage

    course = CoursePage.objects.get()
    learners = _learners_with_progress(course, prefix="queue", count=count)
    env = _environment()
    command = [
        sys.executable,
        "manage.py",
        "db_worker",
        "--queue-name",
        "certificates",
        "--interval",
        "0.1",
        "--no-reload",
        "--no-startup-delay",
        "-v",
        "0",
    ]
    worker_ids = [f"bench-{n}" for n in range(WORKERS)]
    # Logs go to files: a pipe nobody reads would stop a worker once its buffer filled.
    logs = [(WORKDIR / f"{worker_id}.log").open("w+b") for worker_id in worker_ids]
    workers = [
        subprocess.Popen(
            [*command, "--worker-id", worker_id],
            cwd=ROOT,
            env=env,  # noqa: S603
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        for worker_id, log in zip(worker_ids, logs, strict=True)
    ]
    try:
        warm_ups = _warm_up(workers, course, worker_ids=set(worker_ids))
        start = time.perf_counter()
        with transaction.atomic():
            for learner in learners:
                certificate_issue_enqueue(learner=learner, course=course)
        enqueued = time.perf_counter() - start
        # Complete: what `Certificate.is_rendered` asks for (the A4 PDF and the signed credential).
        complete = (
            Certificate.objects.filter(learner__in=learners, pdf_status=PdfStatus.READY)
            .exclude(pdf_a4="")
            .exclude(credential="")
        )
        rendered = 0
        while time.perf_counter() - start < QUEUE_TIMEOUT_SECONDS:
            rendered = complete.count()
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
    failed = []
    for worker, log in zip(workers, logs, strict=True):
        if worker.returncode not in (0, -15):
            log.seek(0)
            failed.append(log.read().decode(errors="replace")[-2000:])
        log.close()
    print(
        f"Issue {count} certificates through the queue (django_tasks_db DatabaseBackend, SQLite file, "
        f"{WORKERS} db_worker processes, an A4 PDF and a signed credential each)"
    )
    print(
        f"  workers warmed with {warm_ups} certificates first; enqueued in {enqueued:.1f} s; {rendered} of "
        f"{count} issued and complete in {elapsed:.1f} s ({rendered / elapsed:.1f} per second, "
        f"{elapsed / max(rendered, 1) * 1000:.0f} ms each)"
    )
    for message in failed:
        print(f"  a worker stopped early:\n{message}")


def main() -> None:
    args = _arguments()
    count = args.count or (100 if args.quick else 1000)
    _setup()
    logging.disable(logging.WARNING)
    print(f"Machine: {os.cpu_count()} cores; workdir {WORKDIR.relative_to(ROOT)}")
    render_times(renders=10 if args.quick else 30)
    signing_times(rounds=20 if args.quick else 100)
    download_times(requests=20 if args.quick else 100, letters=10 if args.quick else 30)
    queue_run(count=count)


if __name__ == "__main__":
    main()
