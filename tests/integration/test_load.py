"""Bounded load on loopback: 200 submissions at once through two RQ workers, and 50 learners
browsing and submitting against gunicorn. Prints figures; passes on correctness, never on time."""

import re
import statistics
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest
import requests
from django.db import transaction
from django.utils import timezone
from rq.registry import FailedJobRegistry

from courses.models import CourseExerciseScore, LessonPage
from grading.models import Submission, SubmissionStatus
from grading.services import submission_create
from tests.factories import PASSWORD, UserFactory
from tests.grading.submissions_support import CORRECT, PARTIAL

from .processes import needs_postgres, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.sandbox, pytest.mark.slow, needs_postgres]

SCORES = {"correct": 5.0, "partial": 3.5}
ANSWERS = {"correct": CORRECT, "partial": PARTIAL}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def figures(values: list[float]) -> str:
    return (
        f"p50 {statistics.median(values):.2f} s, p95 {percentile(values, 0.95):.2f} s, "
        f"max {max(values):.2f} s"
    )


def test_200_submissions_at_once_are_all_graded_once(deployment, course, exercise, enrol, capsys):
    workers = [deployment.start_worker("load-a"), deployment.start_worker("load-b")]
    people = enrol(40)
    expected: dict[int, float] = {}
    with transaction.atomic():  # one commit: all 200 are enqueued at the same moment
        for n in range(200):
            which = "correct" if n % 2 == 0 else "partial"
            submission = submission_create(
                learner=people[n % 40],
                exercise=exercise,
                course_page=course,
                answers=ANSWERS[which],
                kind="submit",
            )
            expected[submission.pk] = SCORES[which]
    committed = timezone.now()

    def finished() -> bool:
        return not Submission.objects.filter(
            pk__in=expected, status__in=["queued", "running"]
        ).exists()

    wait_until(finished, timeout=1200, interval=1, what="200 submissions to be graded")

    done = list(Submission.objects.filter(pk__in=expected))
    assert len(done) == 200
    assert Counter((s.status, s.failure_reason) for s in done) == {
        (SubmissionStatus.GRADED, ""): 200
    }
    assert {s.pk: s.score for s in done} == expected
    assert Counter(s.claims for s in done) == {1: 200}, "no submission was claimed twice"
    assert sorted(s.attempt for s in done) == sorted(list(range(1, 6)) * 40)
    by_worker = Counter(s.worker_id.split(":")[1] for s in done)
    assert set(by_worker) == {str(w.pid) for w in workers}, "both workers took a share"
    assert FailedJobRegistry("grading", connection=deployment.redis.client()).count == 0
    assert deployment.redis.queue_length("grading") == 0
    wait_until(
        lambda: CourseExerciseScore.objects.filter(enrolment__course=course).count() == 40,
        timeout=60,
        what="the course scores of 40 learners",
    )

    waits = [(s.started_at - committed).total_seconds() for s in done]
    wall = (max(s.finished_at for s in done) - committed).total_seconds()
    with capsys.disabled():
        print(
            f"\n200 submissions, 2 RQ workers: enqueue-to-claim {figures(waits)}; all graded in {wall:.1f} s "
            f"({200 / wall:.2f} submissions/s); per worker {sorted(by_worker.values())} (2-core machine, "
            "shared with other work: figures, not limits)"
        )


@dataclass
class Traffic:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, seconds: float, problem: str | None = None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if problem:
                self.errors.append(problem)


class Learner:
    """One person with a browser session: cookies, CSRF token, redirects followed."""

    def __init__(self, base_url: str, email: str, traffic: Traffic) -> None:
        self.base_url, self.email, self.traffic = base_url, email, traffic
        self.session = requests.Session()

    def request(
        self, method: str, path: str, *, expect: int = 200, data: dict | None = None
    ) -> requests.Response:
        if data is not None:
            data = {**data, "csrfmiddlewaretoken": self.session.cookies.get("csrftoken", "")}
        started = time.perf_counter()
        try:
            response = self.session.request(
                method, self.base_url + path, data=data, timeout=60, allow_redirects=False
            )
        except requests.RequestException as exc:
            self.traffic.record(
                time.perf_counter() - started, f"{self.email} {method} {path}: {exc!r}"
            )
            raise
        problem = (
            None
            if response.status_code == expect
            else (f"{self.email} {method} {path}: {response.status_code}, expected {expect}")
        )
        self.traffic.record(time.perf_counter() - started, problem)
        return response

    def journey(self, *, course, lesson_url: str, exercise, answers: dict[str, str]) -> int:
        """Log in, browse, enrol, read a lesson, submit, watch the grade arrive; the submission id."""
        self.request("GET", "/accounts/login/")
        login = self.request(
            "POST", "/accounts/login/", expect=302, data={"login": self.email, "password": PASSWORD}
        )
        assert login.headers["Location"] == "/dashboard/"
        self.request("GET", "/dashboard/")
        self.request("GET", "/")
        self.request("GET", course.url)
        self.request("POST", f"/courses/{course.pk}/enrol/", expect=302, data={})
        self.request("GET", lesson_url)
        exercise_url = f"/courses/{course.pk}/exercises/{exercise.pk}/"
        self.request("GET", exercise_url)
        fields = {"action": "submit", **{f"answer-{k}": v for k, v in answers.items()}}
        self.request("POST", f"{exercise_url}submit/", expect=302, data=fields)
        page = self.request("GET", exercise_url).text
        submission_id = int(re.search(r'id="submission-(\d+)-status"', page).group(1))
        deadline = time.monotonic() + 600
        while (
            "submission-status--graded"
            not in self.request("GET", f"/submissions/{submission_id}/status/").text
        ):
            assert time.monotonic() < deadline, (
                f"{self.email}: submission {submission_id} never graded"
            )
            time.sleep(2)  # as the page's htmx poll does
        self.request("GET", f"/submissions/{submission_id}/")
        self.request("GET", "/dashboard/")
        return submission_id


def test_50_learners_browse_and_submit_without_a_single_error(
    deployment, course, exercise, enrol, capsys
):
    deployment.start_worker("web-a")
    deployment.start_worker("web-b")
    base_url = deployment.start_web(workers=3)
    people = UserFactory.create_batch(50)
    lesson_url = LessonPage.objects.descendant_of(course).live().order_by("path").first().url
    traffic = Traffic()
    kinds = ["correct" if n % 2 == 0 else "partial" for n in range(50)]

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=50) as pool:
        futures = [
            pool.submit(
                Learner(base_url, person.email, traffic).journey,
                course=course,
                lesson_url=lesson_url,
                exercise=exercise,
                answers=ANSWERS[kind],
            )
            for person, kind in zip(people, kinds, strict=True)
        ]
        submission_ids = [future.result() for future in futures]
    wall = time.perf_counter() - started

    assert traffic.errors == []
    graded = {
        s.pk: (s.learner_id, s.score, s.claims)
        for s in Submission.objects.filter(pk__in=submission_ids)
    }
    assert graded == {
        pk: (person.pk, SCORES[kind], 1)
        for pk, person, kind in zip(submission_ids, people, kinds, strict=True)
    }
    with capsys.disabled():
        print(
            f"\n50 learners against gunicorn (3 processes) and 2 RQ workers: {len(traffic.latencies)} requests, "
            f"0 errors, latency {figures(traffic.latencies)}; all journeys done in {wall:.1f} s "
            "(2-core machine, shared with other work: figures, not limits)"
        )
