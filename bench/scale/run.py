"""Scale figures: the learner dashboard, the gradebook and the analytics over a big data set.

Run: .venv/bin/python bench/scale/run.py [--quick] [--postgres] [--keep]
Generates 10,000 learners, 20 courses and 200,000 submissions (--quick: a tenth) with bulk
inserts into a file SQLite database under var/bench/ (--postgres: the throw-away server of
scripts/postgres.sh), then requests each page in-process through Django's test client and prints
queries per page and p50/p95 server times, for the biggest course and for a course a tenth its
size (the query count must not move). Prints figures; never fails on a time.

Cohorts: every course's enrolments are spread over four cohorts, and a course that every
generated learner takes (10,000 in the full run) is added at the end, so the gradebook filtered
by one cohort is measured at 10,000 learners, for a course instructor and for an instructor of
that cohort alone (the query count must match the small course's); that course is removed
afterwards so the other figures stay comparable between runs.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import random
import shlex
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = ROOT / "var" / "bench"
FULL = {"learners": 10_000, "courses": 20, "submissions": 200_000}
REQUESTS_PER_PAGE = 30
EXERCISES = [
    ("rice", "RICE scoring"),
    ("ice", "ICE scoring"),
    ("moscow", "MoSCoW"),
    ("kano", "Kano model"),
    ("wsjf", "WSJF"),
    ("cost-of-delay", "Cost of delay"),
    ("weighted", "Weighted scoring"),
    ("capstone", "Capstone"),
]
# (grade_id, points, chance a learner's attempt gets it wrong): harder tests fail more often.
TESTS = [
    ("rice_tests", 2.0, 0.12),
    ("rank_tests", 3.0, 0.35),
    ("edge_cases", 2.0, 0.5),
    ("explain_answer", 1.0, None),
]


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the data, fewer requests")
    parser.add_argument("--postgres", action="store_true", help="a throw-away PostgreSQL server")
    parser.add_argument(
        "--keep", action="store_true", help="reuse var/bench/scale*.sqlite3 if present"
    )
    return parser.parse_args()


def _relaunch_on_postgres() -> None:
    """Run this script again inside scripts/postgres.sh's throw-away server, then stop it."""
    argv = " ".join(shlex.quote(a) for a in sys.argv[1:] if a != "--postgres")
    script = (
        "source scripts/postgres.sh && pg_throwaway_start && "
        f"PMA_SCALE_ON_POSTGRES=1 .venv/bin/python bench/scale/run.py {argv}; "
        "status=$?; pg_throwaway_stop; exit $status"
    )
    sys.exit(subprocess.call(["bash", "-c", script], cwd=ROOT))  # noqa: S603, S607 - our own script


def _setup(args: argparse.Namespace) -> str:
    sys.path.insert(0, str(ROOT))
    # The test settings whatever `make bench` exports: DEBUG off (the dev settings would record every
    # query) and the test client's host allowed.
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    if os.environ.get("PMA_SCALE_ON_POSTGRES"):
        where = "PostgreSQL (scripts/postgres.sh, fsync off)"
    else:
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        path = BENCH_DIR / ("scale-quick.sqlite3" if args.quick else "scale.sqlite3")
        if path.exists() and not args.keep:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        where = f"SQLite file {path.relative_to(ROOT)}"
    import django

    django.setup()
    return where


# Generation -----------------------------------------------------------------------------------


def _timed(label: str):
    class Step:
        def __enter__(self):
            self.start = time.perf_counter()

        def __exit__(self, *exc):
            print(f"  {label}: {time.perf_counter() - self.start:.1f} s", flush=True)

    return Step()


def _popularity(courses: int) -> list[float]:
    # Popularity falls off like Zipf's law: the flagship course draws about ten times the
    # learners of the tenth most popular one.
    return [1 / (rank + 1) for rank in range(courses)]


def generate(*, learners: int, courses: int, submissions: int, seed: int = 8) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from certificates.codes import code_generate
    from certificates.models import Certificate, ScoreBand
    from courses.learner_names import learner_sort_name
    from courses.models import (
        CourseExercise,
        CourseExerciseScore,
        CourseProgress,
        Enrolment,
        EnrolmentStatus,
        ExerciseTestTally,
        LessonCompletion,
    )
    from courses.services import tallies_from_reports
    from grading.models import Submission, SubmissionKind, SubmissionOrigin, SubmissionStatus
    from tests.factories import catalog_page, course_tree, lessons_of, site_home
    from tests.grading.submissions_support import make_exercise

    rng = random.Random(seed)
    users = get_user_model()
    now = timezone.now()
    print(
        f"Generating {learners:,} learners, {courses} courses, {submissions:,} submissions",
        flush=True,
    )
    started = time.perf_counter()
    with _timed("migrate"):
        call_command("migrate", verbosity=0)
    with _timed("site, courses, lessons and exercises"):
        catalog = catalog_page(site_home())
        exercises = {slug: make_exercise(slug=slug, title=title) for slug, title in EXERCISES}
        course_pages, lessons = [], {}
        for n in range(courses):
            course = course_tree(
                catalog,
                slug=f"course-{n + 1}",
                title=f"Course {n + 1}",
                modules=2,
                lessons_per_module=2 + n % 3,
                checks_per_lesson=1,
            )
            declared = rng.sample(list(exercises), k=3 + n % 4)
            for order, slug in enumerate(declared):
                CourseExercise.objects.create(
                    course=course,
                    exercise=exercises[slug],
                    title=dict(EXERCISES)[slug],
                    max_points=8,
                    sort_order=order,
                )
            course_pages.append((course, declared))
            lessons[course.pk] = [lesson.pk for lesson in lessons_of(course)]
    password = make_password("bench-password-not-secret")
    with _timed("learners"), transaction.atomic():
        users.objects.bulk_create(
            [
                users(
                    username=f"learner{i}",
                    email=f"learner{i}@example.com",
                    password=password,
                    first_name=rng.choice(["Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken"]),
                    last_name=f"Learner{i}",
                    certificate_name="" if i % 3 else f"Learner Number {i}",
                )
                for i in range(learners)
            ],
            batch_size=2000,
        )
        generated = users.objects.filter(username__startswith="learner").order_by("pk")
        learner_ids = list(generated.values_list("pk", flat=True))
        # bulk_create skips the receiver that names new enrolments for the gradebook's order.
        sort_names = {learner.pk: learner_sort_name(learner) for learner in generated}
    weights = _popularity(courses)
    with _timed("enrolments, lesson completions, progress"), transaction.atomic():
        enrolment_rows = []
        for learner_id in learner_ids:
            # Most learners take one or two courses; a few take five.
            taken = set(
                rng.choices(range(courses), weights=weights, k=rng.choice([1, 1, 2, 2, 3, 5]))
            )
            for index in taken:
                enrolled_at = now - timedelta(days=rng.uniform(1, 365))
                enrolment_rows.append(
                    Enrolment(
                        learner_id=learner_id,
                        course=course_pages[index][0],
                        enrolled_at=enrolled_at,
                        sort_name=sort_names[learner_id],
                        status=EnrolmentStatus.UNENROLLED
                        if rng.random() < 0.05
                        else EnrolmentStatus.ACTIVE,
                        last_activity_at=enrolled_at + timedelta(days=rng.uniform(0, 30))
                        if rng.random() < 0.8
                        else None,
                    )
                )
        Enrolment.objects.bulk_create(enrolment_rows, batch_size=2000)
        enrolments = list(
            Enrolment.objects.values_list("pk", "learner_id", "course_id", "enrolled_at")
        )
        completions, progress = [], {}
        for pk, learner_id, course_id, enrolled_at in enrolments:
            course_lessons = lessons[course_id]
            done = min(
                len(course_lessons), int(rng.betavariate(1.2, 0.9) * (len(course_lessons) + 1))
            )
            completions += [
                LessonCompletion(
                    learner_id=learner_id,
                    lesson_id=lesson_id,
                    completed_at=enrolled_at + timedelta(days=k + 1),
                )
                for k, lesson_id in enumerate(course_lessons[:done])
            ]
            progress[pk] = (done, len(course_lessons))
        LessonCompletion.objects.bulk_create(completions, batch_size=5000, ignore_conflicts=True)
    with _timed("submissions, counted scores, test tallies"), transaction.atomic():
        per_enrolment = submissions / max(len(enrolments), 1)
        declared_of = {course.pk: declared for course, declared in course_pages}
        rows, best, reports_by = [], {}, {}
        attempt_of: dict[tuple, int] = {}
        budget = submissions if enrolments else 0
        # Attempts per enrolment are skewed (many try a little, a few a lot); the draw repeats
        # over the enrolments until the submission count is reached exactly.
        drawn = (row for _pass in iter(int, 1) for row in rng.sample(enrolments, len(enrolments)))
        for pk, learner_id, course_id, enrolled_at in drawn:
            if budget <= 0:
                break
            count = min(budget, max(0, round(rng.expovariate(1 / per_enrolment))))
            budget -= count
            skill = rng.betavariate(5, 2)  # most learners are good; some struggle
            for _ in range(count):
                slug = rng.choice(declared_of[course_id])
                kind = SubmissionKind.CHECK if rng.random() < 0.3 else SubmissionKind.SUBMIT
                created = enrolled_at + timedelta(
                    days=rng.uniform(0, 90), seconds=rng.randint(0, 86399)
                )
                created = min(created, now - timedelta(seconds=rng.randint(1, 86400 * 3)))
                tests, score = [], 0.0
                for grade_id, points, hardness in TESTS:
                    if hardness is None:
                        tests.append(
                            {
                                "grade_id": grade_id,
                                "points": 0.0,
                                "max_points": points,
                                "status": "needs_review",
                            }
                        )
                        continue
                    roll = rng.random()
                    if roll < hardness * (1.2 - skill) * 0.1:
                        status, earned = "not_run", 0.0
                    elif roll < hardness * (1.2 - skill):
                        status, earned = rng.choice([("failed", 0.0), ("partial", points / 2)])
                    else:
                        status, earned = "passed", points
                    score += earned
                    tests.append(
                        {
                            "grade_id": grade_id,
                            "points": earned,
                            "max_points": points,
                            "status": status,
                        }
                    )
                attempt = None
                if kind == SubmissionKind.SUBMIT:
                    attempt = attempt_of[(learner_id, slug, course_id)] = (
                        attempt_of.get((learner_id, slug, course_id), 0) + 1
                    )
                    reports_by.setdefault((course_id, learner_id, slug), []).append(
                        {"tests": tests}
                    )
                    key = (pk, slug)
                    best[key] = max(best.get(key, 0.0), score)
                digest = hashlib.sha256(f"{learner_id}-{slug}-{created}".encode()).hexdigest()
                rows.append(
                    Submission(
                        learner_id=learner_id,
                        exercise=exercises[slug],
                        revision_id=exercises[slug].current_revision_id,
                        course_page_id=course_id,
                        kind=kind,
                        origin=SubmissionOrigin.EDITOR,
                        status=SubmissionStatus.GRADED,
                        notebook=f"submissions/bench/{digest}.ipynb",
                        notebook_sha256=digest,
                        seed=rng.getrandbits(48),
                        attempt=attempt,
                        created_at=created,
                        queued_at=created,
                        started_at=created,
                        finished_at=created + timedelta(seconds=1),
                        report={"score": score, "max_score": 8.0, "tests": tests},
                        score=score,
                        max_score=8.0,
                    )
                )
                if len(rows) >= 5000:
                    Submission.objects.bulk_create(rows)
                    rows = []
        Submission.objects.bulk_create(rows)
        CourseExerciseScore.objects.bulk_create(
            [
                CourseExerciseScore(
                    enrolment_id=pk,
                    exercise=exercises[slug],
                    points=round(points, 2),
                    max_points=8,
                    recorded_at=now,
                )
                for (pk, slug), points in best.items()
            ],
            batch_size=5000,
        )
        ExerciseTestTally.objects.bulk_create(
            (
                ExerciseTestTally(
                    course_id=course_id,
                    learner_id=learner_id,
                    exercise=exercises[slug],
                    grade_id=grade_id,
                    runs=runs,
                    failures=failures,
                )
                for (course_id, learner_id, slug), reports in reports_by.items()
                for grade_id, (runs, failures) in tallies_from_reports(reports).items()
            ),
            batch_size=5000,
        )
    with _timed("course progress and certificates"), transaction.atomic():
        points_of: dict[int, list[float]] = {}
        for (pk, _slug), points in best.items():
            points_of.setdefault(pk, []).append(points)
        progress_rows, certificates = [], []
        by_pk = {
            pk: (learner_id, course_id, enrolled_at)
            for pk, learner_id, course_id, enrolled_at in enrolments
        }
        for pk, (done, total) in progress.items():
            learner_id, course_id, enrolled_at = by_pk[pk]
            scores = points_of.get(pk, [])
            exercise_share = sum(scores) / (8 * len(declared_of[course_id]))
            percent = int(100 * (0.4 * done / max(total, 1) + 0.6 * exercise_share))
            complete = done == total and exercise_share >= 0.7
            completed_at = enrolled_at + timedelta(days=total + 2) if complete else None
            progress_rows.append(
                CourseProgress(
                    enrolment_id=pk,
                    lessons_done=done,
                    lessons_total=total,
                    checks_correct=done,
                    checks_total=total,
                    exercise_points=round(sum(scores), 2),
                    exercise_max_points=8 * len(declared_of[course_id]),
                    percent=min(percent, 100),
                    completed_at=completed_at,
                )
            )
            if complete and rng.random() < 0.9:
                band = (
                    ScoreBand.DISTINCTION
                    if percent >= 90
                    else ScoreBand.MERIT
                    if percent >= 80
                    else ScoreBand.PASS
                )
                certificates.append(
                    Certificate(
                        code=code_generate(),
                        learner_id=learner_id,
                        course_id=course_id,
                        learner_name=f"Learner Number {learner_id}",
                        course_title=f"Course {course_id}",
                        final_percent=min(percent, 100),
                        score_band=band,
                        issued_at=completed_at,
                        status_index=len(certificates) + 1,
                    )
                )
        CourseProgress.objects.bulk_create(progress_rows, batch_size=5000)
        Certificate.objects.bulk_create(certificates, batch_size=5000)
    counts = {
        "learners": len(learner_ids),
        "enrolments": len(enrolments),
        "submissions": Submission.objects.count(),
        "lesson completions": LessonCompletion.objects.count(),
        "certificates": len(certificates),
        "test tallies": ExerciseTestTally.objects.count(),
    }
    print("  " + ", ".join(f"{value:,} {name}" for name, value in counts.items()))
    print(f"  generated in {time.perf_counter() - started:.0f} s", flush=True)
    return counts


# Measurement ----------------------------------------------------------------------------------


def _measure(client, url: str, requests: int) -> tuple[int, float, float, float, int]:
    """(queries, p50 ms, p95 ms, CPU p50 ms, status) of `requests` GETs after one warm-up
    request. CPU time (this process's) says what a page costs when other work shares the cores
    and stretches the wall-clock times."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    # Each request clears the connection's query log when it starts; begin from empty.
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    # Read now: the captured list is a slice of the log, which the next request clears.
    queries = len(captured.captured_queries)
    timings, cpu = [], []
    for _ in range(requests):
        start, start_cpu = time.perf_counter(), time.process_time()
        client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
    return queries, statistics.median(timings), p95, statistics.median(cpu), response.status_code


def measure(*, requests: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse

    from courses.models import CoursePage, Enrolment

    users = get_user_model()
    sized = list(
        CoursePage.objects.annotate(n=Count("enrolments"))
        .order_by("-n")
        .values_list("pk", "title", "n")
    )
    big = sized[0]
    # A course about a tenth the size of the biggest: the same page must cost the same queries.
    small = min(sized, key=lambda row: abs(row[2] - big[2] / 10))
    admin = users.objects.filter(is_superuser=True).first() or users.objects.create_superuser(
        "bench-admin", "bench-admin@example.com", "bench-password-not-secret"
    )
    busiest = Enrolment.objects.values("learner_id").annotate(n=Count("pk")).order_by("-n").first()
    typical = (
        Enrolment.objects.filter(course_id=small[0]).values_list("learner_id", flat=True).first()
    )
    staff, learner = Client(), Client()
    staff.force_login(admin)
    # As gunicorn's pre_fork hook (config/gunicorn.conf.py) does before each worker starts: what
    # start-up loaded is kept out of the collector's full passes.
    import gc

    gc.freeze()
    print(
        f"\nPages ({requests} requests each after a warm-up; server time in-process through the test client)"
    )
    print(f"{'page':<52}{'queries':>8}{'p50 ms':>9}{'p95 ms':>9}{'CPU p50':>9}")
    for course_id, title, enrolled in (big, small):
        label = f"{title} ({enrolled:,} enrolled)"
        gradebook = reverse("gradebook:course", args=[course_id])
        for name, url in (
            ("gradebook, page 1", gradebook),
            ("gradebook, page 40", f"{gradebook}?p=40"),
            ("gradebook, completed", f"{gradebook}?state=completed"),
            ("gradebook, search", f"{gradebook}?q=learner12"),
            ("analytics", reverse("gradebook:analytics", args=[course_id])),
        ):
            queries, p50, p95, cpu, status = _measure(staff, url, requests)
            flag = "" if status == 200 else f"  (HTTP {status})"
            print(f"{name + ' — ' + label:<52}{queries:>8}{p50:>9.1f}{p95:>9.1f}{cpu:>9.1f}{flag}")
    for who, learner_id in (
        ("busiest learner", busiest["learner_id"]),
        ("typical learner", typical),
    ):
        learner.force_login(users.objects.get(pk=learner_id))
        queries, p50, p95, cpu, status = _measure(learner, reverse("dashboard"), requests)
        enrolled = Enrolment.objects.filter(learner_id=learner_id).count()
        flag = "" if status == 200 else f"  (HTTP {status})"
        page = f"dashboard — {who} ({enrolled} courses)"
        print(f"{page:<52}{queries:>8}{p50:>9.1f}{p95:>9.1f}{cpu:>9.1f}{flag}")


COHORTS = ("Spring", "Summer", "Autumn", "Winter")


def _cohorts_for(course) -> list:
    """Four cohorts of the course, its enrolments spread over them by id (idempotent)."""
    from django.db.models import F
    from django.db.models.functions import Mod

    from courses.models import Cohort, Enrolment

    cohorts = [Cohort.objects.get_or_create(course=course, name=name)[0] for name in COHORTS]
    for index, cohort in enumerate(cohorts):
        Enrolment.objects.filter(course=course, cohort__isnull=True).alias(
            slot=Mod(F("id"), len(cohorts))
        ).filter(slot=index).update(cohort=cohort)
    return cohorts


def measure_cohorts(*, requests: int) -> None:
    """The cohort-filtered gradebook at every learner: one course all of them take."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from courses.cohorts import cohort_save
    from courses.learner_names import learner_sort_name
    from courses.models import CoursePage, Enrolment
    from tests.factories import course_tree, site_catalog

    users = get_user_model()
    # What an interrupted run may have left behind.
    for leftover in CoursePage.objects.filter(slug="everyone"):
        Enrolment.objects.filter(course=leftover).delete()
        leftover.delete()
    admin = users.objects.filter(is_superuser=True).first()
    learners = users.objects.filter(username__startswith="learner")
    sized = CoursePage.objects.annotate(n=Count("enrolments")).order_by("-n")
    small = min(sized, key=lambda c: abs(c.n - learners.count() / 10))
    with _timed("a course every learner takes, in four cohorts"), transaction.atomic():
        from courses.models import CourseIndexPage

        catalog = CourseIndexPage.objects.first() or site_catalog()
        everyone = course_tree(catalog, slug="everyone", title="Everyone", modules=1)
        now = timezone.now()
        Enrolment.objects.bulk_create(
            [
                Enrolment(
                    learner=learner,
                    course=everyone,
                    enrolled_at=now,
                    sort_name=learner_sort_name(learner),
                )
                for learner in learners.iterator(chunk_size=2000)
            ],
            batch_size=2000,
        )
    try:
        rows = []
        for course in (small, everyone):
            cohorts = _cohorts_for(course)
            teacher, _created = users.objects.get_or_create(
                username=f"bench-cohort-{course.pk}",
                defaults={"email": f"bench-cohort-{course.pk}@example.com"},
            )
            spring = cohorts[0]
            cohort_save(
                course=course,
                cohort=spring,
                name=spring.name,
                starts_at=None,
                ends_at=None,
                instructors=[teacher],
            )
            staff, cohort_staff = Client(), Client()
            staff.force_login(admin)
            cohort_staff.force_login(teacher)
            enrolled = Enrolment.objects.filter(course=course).count()
            in_spring = Enrolment.objects.filter(course=course, cohort=spring).count()
            url = reverse("gradebook:course", args=[course.pk])
            for who, client, query in (
                ("course instructor, ?cohort", staff, f"?cohort={spring.pk}"),
                ("cohort instructor", cohort_staff, ""),
            ):
                queries, p50, p95, cpu, status = _measure(client, url + query, requests)
                flag = "" if status == 200 else f"  (HTTP {status})"
                label = f"gradebook by cohort, {who} — {enrolled:,} ({in_spring:,} in it)"
                rows.append(f"{label:<76}{queries:>8}{p50:>9.1f}{p95:>9.1f}{cpu:>9.1f}{flag}")
        print(f"\n{'page':<76}{'queries':>8}{'p50 ms':>9}{'p95 ms':>9}{'CPU p50':>9}")
        print("\n".join(rows))
    finally:
        with _timed("remove the everyone course"):
            Enrolment.objects.filter(course=everyone).delete()
            everyone.delete()


def main() -> None:
    args = _arguments()
    if args.postgres and not os.environ.get("PMA_SCALE_ON_POSTGRES"):
        _relaunch_on_postgres()
    where = _setup(args)
    logging.disable(logging.WARNING)
    # No setup_test_environment(): its template instrumentation would double the render times.
    scale = 10 if args.quick else 1
    print(f"Database: {where}; {os.cpu_count()} cores")
    from django.contrib.auth import get_user_model
    from django.db import connection

    users = get_user_model()
    generated = users._meta.db_table in connection.introspection.table_names() and (
        users.objects.filter(username="learner0").exists()
    )
    if not (args.keep and generated):
        generate(
            learners=FULL["learners"] // scale,
            courses=FULL["courses"],
            submissions=FULL["submissions"] // scale,
        )
    else:
        from django.core.management import call_command

        # A database kept from before a schema change gets its new columns, back-fills and
        # indexes the way an operator's would.
        with _timed("migrate the kept database"):
            call_command("migrate", verbosity=0)
    measure(requests=REQUESTS_PER_PAGE // (3 if args.quick else 1))
    measure_cohorts(requests=REQUESTS_PER_PAGE // (3 if args.quick else 1))


if __name__ == "__main__":
    main()
