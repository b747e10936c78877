"""Red team, grading memory: a learner who prints gigabytes costs the grader a bounded amount.

Each flood is graded through the real service path (an editor submission over HTTP, the
immediate task backend, `submission_grade`, the sandbox) and asserts the score and what the
learner's submission page shows. A fresh process grades the floods the same way and reports how
far each raised its peak RSS (`ru_maxrss` is a high-water mark, so it has to be a process of its
own): that stays under GRADING_RSS_BUDGET, the figure docs/operations.md gives operators
("Memory of a grading worker").
"""

from __future__ import annotations

import html
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: How far grading one submission may raise the grading process's peak RSS, whatever the
#: learner prints (docs/operations.md). Measured on 2 cores: +40 MiB for the 2.1 GB floods,
#: +5 MiB for an ordinary notebook.
GRADING_RSS_BUDGET = 256 * 2**20

RICE_ANSWER = """def rice_score(reach, impact, confidence, effort):
    if effort <= 0:
        raise ValueError("effort must be positive")
    return reach * impact * confidence / effort
"""
RANK_ANSWER = """def rank_by_rice(features):
    def score(f):
        return rice_score(f["reach"], f["impact"], f["confidence"], f["effort"])
    return [f["name"] for f in sorted(features, key=score, reverse=True)]
"""
FLOODS = {
    # 300 flushed writes of 7 MB: 2.1 GB, each message under the 8 MiB message cap.
    "many_writes": """
import sys
chunk = "x" * (7 * 10**6)
for _ in range(300):
    sys.stdout.write(chunk)
    sys.stdout.flush()
""",
    # One print of 6 MiB: under the message cap, six times the run's output budget.
    "one_print": """
print("y" * (6 * 2**20))
""",
    # One print of 64 MiB: eight times the message cap, so zmq drops the message.
    "one_print_over_the_message_cap": """
print("y" * (64 * 2**20))
""",
    # The same 2.1 GB from a thread that goes on writing while the tests run in the judge.
    "thread": """
import sys, threading
first_write = threading.Event()

def flood():
    chunk = "z" * (7 * 10**6)
    for _ in range(300):
        sys.stdout.write(chunk)
        sys.stdout.flush()
        first_write.set()

threading.Thread(target=flood, daemon=True).start()
first_write.wait(10)
""",
}
#: What the learner's page shows for their rank_answer cell after each flood.
SHOWN = {
    "many_writes": "x",
    "one_print": "y",
    # The engine never sees a message over the cap: the print is lost without a note.
    "one_print_over_the_message_cap": None,
    "thread": "z",
}
TEXT_SHOWN = 10_000  # grading.answer_outputs.TEXT_CHARS_PER_CELL
TRUNCATED = (
    "Output truncated: the notebook produced more than 1 MiB of output; the rest was dropped."
)
# Graded in a fresh process, the plain notebook first (it also starts the kernel pool), the
# biggest flood last: each figure is then the peak of its own run, or of an earlier, larger one.
MEASURED = ["plain", "one_print_over_the_message_cap", "one_print", "thread", "many_writes"]


def answers(flood: str) -> dict[str, str]:
    return {
        "rice_answer": RICE_ANSWER,
        "rank_answer": RANK_ANSWER + FLOODS.get(flood, ""),
        "explain_answer": "Dark mode: it reaches the most people for the least effort.",
    }


def submit(client, course, exercise, flood: str):
    """Submit from the editor over HTTP; grading runs when the request's transaction commits."""
    from django.urls import reverse

    from grading.models import Submission

    fields = {"action": "submit", **{f"answer-{k}": v for k, v in answers(flood).items()}}
    client.post(reverse("exercise_submit", args=[course.pk, exercise.pk]), fields)
    return Submission.objects.order_by("-pk").first()


def submission_page(client, submission) -> str:
    from django.urls import reverse

    submission.refresh_from_db()
    return client.get(reverse("submission_detail", args=[submission.pk])).content.decode()


def rank_answer_shown(page: str) -> str:
    """What the submission page shows of the rank_answer cell's outputs, as text."""
    start = page.index("<h4><code>rank_answer</code></h4>")
    end = page.index("</details>", start)
    return html.unescape(page[start:end])


def expected_rank_answer(flood: str) -> str:
    letter = SHOWN[flood]
    if letter is None:
        return '<p class="field-help">No output.</p>'
    return (
        f'<pre class="cell-output cell-output--text" tabindex="0">{letter * TEXT_SHOWN}\n[Output shortened.]</pre>\n'
        f'<p class="field-help">{TRUNCATED}</p>'
    )


@pytest.mark.sandbox
@pytest.mark.django_db
@pytest.mark.parametrize("flood", list(FLOODS))
def test_a_flood_is_graded_and_the_learner_sees_where_it_was_cut(
    client, learner, course, exercise, flood, django_capture_on_commit_callbacks
):
    client.force_login(learner)
    with django_capture_on_commit_callbacks(execute=True):
        submission = submit(client, course, exercise, flood)
    page = submission_page(client, submission)

    assert (submission.status, submission.attempt, submission.score, submission.max_score) == (
        "graded",
        1,
        5.0,
        6.0,
    )
    assert [(t["grade_id"], t["status"], t["points"]) for t in submission.report["tests"]] == [
        ("rice_tests", "passed", 2.0),
        ("rank_tests", "passed", 3.0),
        ("explain_answer", "needs_review", 0.0),
    ]
    assert "5 / 6 points" in page
    shown = " ".join(
        line.strip() for line in rank_answer_shown(page).splitlines()[1:] if line.strip()
    )
    assert shown == " ".join(line.strip() for line in expected_rank_answer(flood).splitlines())
    # What is stored is what is shown: a few kilobytes, not the flood.
    assert len(json.dumps(submission.outputs)) < 2 * TEXT_SHOWN


@pytest.mark.sandbox
def test_grading_floods_stays_within_the_memory_budget(tmp_path):
    figures_file = tmp_path / "figures.json"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "PYTHONPATH": str(ROOT),
        # Its own database and files: never the test database of the process that started it.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PMA_VAR_DIR": str(tmp_path),
    }
    script = (
        f"from tests.security.test_output_flood import grade_floods_in_this_process; "
        f"grade_floods_in_this_process({MEASURED!r}, {str(figures_file)!r})"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    figures = json.loads(figures_file.read_text())

    print(json.dumps(figures, indent=1))  # the figures docs/operations.md quotes
    assert list(figures) == MEASURED
    for flood, figure in figures.items():
        assert (flood, figure["status"], figure["score"]) == (flood, "graded", 5.0)
        assert figure["truncation_note_shown"] is (flood in {"many_writes", "one_print", "thread"})
        assert figure["peak_growth"] < GRADING_RSS_BUDGET, (flood, figure)


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _reset_peak_rss() -> None:
    """Start the process's high-water mark (VmHWM) again from its current RSS (Linux 4.0+)."""
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")


def _peak_rss_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def grade_floods_in_this_process(floods: list[str], figures_file: str) -> None:
    """In a fresh interpreter: grade each flood through the service path and write what it cost.

    `peak_growth` is the process's peak RSS while grading (the high-water mark is reset just
    before, so setting up the test database or an earlier flood never counts) minus its RSS just
    before.
    """
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from courses.services import enrolment_create
    from tests.factories import UserFactory, catalog_page, course_tree, site_home
    from tests.grading.submissions_support import make_course_exercise

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)
    course = course_tree(
        catalog_page(site_home()),
        slug="prioritisation",
        title="Prioritisation",
        modules=1,
        lessons_per_module=1,
    )
    exercise = make_course_exercise(course)
    learner = UserFactory()
    enrolment_create(learner=learner, course=course)
    client = Client()
    client.force_login(learner)

    figures: dict[str, dict[str, object]] = {}
    for flood in floods:
        _reset_peak_rss()
        before = _rss_bytes()
        submission = submit(client, course, exercise, flood)
        page = submission_page(client, submission)
        peak = _peak_rss_bytes()
        figures[flood] = {
            "status": submission.status,
            # A Decimal in the database (exercises.points); JSON carries it as a number here.
            "score": None if submission.score is None else float(submission.score),
            "truncation_note_shown": TRUNCATED in html.unescape(page),
            "rss_before": before,
            "peak": peak,
            "peak_growth": peak - before,
            "seconds": submission.report["timings"]["total_s"] if submission.report else None,
        }
    Path(figures_file).write_text(json.dumps(figures))
