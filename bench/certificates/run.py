"""Certificate figures: PDF render time, stored-PDF download time, issuing N through the queue.

Run: .venv/bin/python bench/certificates/run.py   (PMA_BENCH_CERTIFICATES=N, default 1000)
Uses the test settings (immediate task backend) on a throw-away database; prints figures
and never fails on a time.
"""

import logging
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
_workdir = tempfile.mkdtemp(prefix="pma-bench-certificates-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_workdir}/bench.sqlite3")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def render_times() -> None:
    from certificates.rendering import CertificateDocument, PageSize, certificate_pdf

    document = CertificateDocument(
        code="PMA-7KQ2-M9XD-4HTN-WB3C-R6FE", learner_name="Ada Lovelace",
        course_title="Prioritization in Practice", issued_on=date(2026, 11, 26), score_band="Merit",
        verify_url="http://127.0.0.1:8000/verify/PMA-7KQ2-M9XD-4HTN-WB3C-R6FE/",
        verify_index_url="http://127.0.0.1:8000/verify/", issuer_name="PM Academy",
        instructor_name="Marty Cagan", skills=["RICE", "Kano", "WSJF"],
    )
    for page_size in (PageSize.A4, PageSize.LETTER):
        timings = []
        for _ in range(20):
            start = time.perf_counter()
            certificate_pdf(document, page_size=page_size, credential_json='{"bench": true}')
            timings.append(time.perf_counter() - start)
        print(f"render {page_size:<6}: first {timings[0] * 1000:7.1f} ms, median of 20 "
              f"{statistics.median(timings) * 1000:7.1f} ms")


def download_and_issue(count: int) -> None:
    from django.utils import timezone

    from certificates.models import Certificate
    from certificates.services import certificate_issue_enqueue
    from courses.models import CourseProgress, Enrolment
    from tests.certificates.factories import UserFactory, course_page, site_catalog

    course = course_page(site_catalog(), skills=("RICE",))
    owner = UserFactory()
    Enrolment.objects.create(learner=owner, course=course, enrolled_at=timezone.now())
    CourseProgress.objects.create(enrolment=Enrolment.objects.get(learner=owner), percent=88,
                                  completed_at=timezone.now())
    from certificates.services import certificate_issue

    certificate = certificate_issue(learner=owner, course=course)
    client = Client()
    client.force_login(owner)
    timings = []
    for _ in range(50):
        start = time.perf_counter()
        response = client.get(f"/certificates/{certificate.code}/pdf/a4/")
        b"".join(response.streaming_content)
        timings.append(time.perf_counter() - start)
    print(f"download stored PDF ({certificate.pdf_a4.size // 1024} KB) through the test client: "
          f"median of 50 {statistics.median(timings) * 1000:.1f} ms")

    learners = [UserFactory() for _ in range(count)]
    for learner in learners:
        enrolment = Enrolment.objects.create(learner=learner, course=course, enrolled_at=timezone.now())
        CourseProgress.objects.create(enrolment=enrolment, percent=81, completed_at=timezone.now())
    backend = settings.TASKS["default"]["BACKEND"].rsplit(".", 1)[-1]
    start = time.perf_counter()
    for learner in learners:
        certificate_issue_enqueue(learner=learner, course=course)
    elapsed = time.perf_counter() - start
    issued = Certificate.objects.filter(course=course).exclude(learner=owner).count()
    print(f"issue {count} certificates through the queue ({backend}, 2 PDFs each): {elapsed:.1f} s, "
          f"{elapsed / max(issued, 1) * 1000:.0f} ms per certificate, {issued} issued")


def main() -> None:
    logging.disable(logging.INFO)
    count = int(os.environ.get("PMA_BENCH_CERTIFICATES", "1000"))
    settings.PMA_CERT_KEYS_DIR = Path(_workdir) / "keys"
    settings.MEDIA_ROOT = Path(_workdir) / "media"
    setup_test_environment()
    call_command("migrate", verbosity=0)
    render_times()
    download_and_issue(count)


if __name__ == "__main__":
    main()
