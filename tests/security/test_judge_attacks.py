"""A hostile learner against an imported nbgrader exercise (no sealed checks), end to end.

Each attack goes through the real service path (submission_create -> grading task ->
submission_grade, in the sandbox) and asserts the exact score, what the learner's own submission
page shows over HTTP, and that no judge process or run directory is left behind. Before the judge,
every one of them either earned points it should not have or showed hidden-test text.
"""

from __future__ import annotations

import html
import re
import time
from pathlib import Path

import pytest
from django.urls import reverse

from grading import kernels
from grading.engine.sandbox.kernels import _runs_dir
from grading.models import Submission
from grading.services import submission_create
from tests.grading.submissions_support import EXPLAIN, RANK_ANSWER, RICE_ANSWER

pytestmark = [pytest.mark.sandbox, pytest.mark.django_db]

#: Text only the hidden tests hold: the source lines, the inputs and the literal messages.
HIDDEN = ("Audit log", "1e-9", "effort of zero", "300, 3, 0.8, 3", "10, 1, 1, 0")

#: Registers an AST transformer that turns every later cell into `pass`, reaching IPython without
#: naming it in a way the kernel-internals scan knows.
TRANSFORMER = """import importlib
_shell = getattr(importlib.import_module("IPy" + "thon"), "get_" + "ipython")()
import ast as _ast
class _Empty(_ast.NodeTransformer):
    def visit_Module(self, node):
        node.body = [_ast.Pass()]
        return node
_shell.ast_transformers.append(_Empty())

def rice_score(reach, impact, confidence, effort):
    return 0
"""

#: Right for positive efforts; for the hidden zero-effort call it raises the calling cell's source
#: and its own arguments, read through frames, linecache and IPython's history.
READS_THE_CALLER = """import linecache, sys

def rice_score(reach, impact, confidence, effort):
    if effort > 0:
        return reach * impact * confidence / effort
    seen = [repr((reach, impact, confidence, effort))]
    frame = sys._getframe(1)
    while frame is not None:
        seen.append(linecache.getline(frame.f_code.co_filename, frame.f_lineno))
        frame = frame.f_back
    seen.extend("".join(lines) for _, _, lines, _ in list(linecache.cache.values()))
    seen.extend(sys.modules["__main__"].__dict__.get("In", []))
    raise TypeError("|".join(seen)[::-1])
"""

#: Prints every call's arguments, and a thread keeps printing whatever any call has seen.
PRINTS_WHAT_IT_SEES = """import threading, time
_seen = []

def rice_score(reach, impact, confidence, effort):
    _seen.append(repr((reach, impact, confidence, effort)))
    print("called with", reach, impact, confidence, effort, flush=True)
    if effort <= 0:
        raise ValueError("effort must be positive")
    return reach * impact * confidence / effort

def _spy():
    for _ in range(400):
        if _seen:
            print("seen:", " ".join(_seen), flush=True)
        time.sleep(0.01)

threading.Thread(target=_spy, daemon=True).start()
print("answer cell done")
"""

#: Returns an object that claims to equal anything.
ALWAYS_EQUAL = """class _Yes(float):
    def __eq__(self, other):
        return True
    __hash__ = float.__hash__

def rice_score(reach, impact, confidence, effort):
    return _Yes(-1)
"""

#: Sleeps whenever a test calls it with inputs it does not know, however many calls there are.
HANGS_ON_HIDDEN_CALLS = """import time

def rice_score(reach, impact, confidence, effort):
    if (reach, impact, confidence, effort) not in [(2000, 2, 0.8, 4), (5000, 0.5, 1.0, 2)]:
        time.sleep(60)
    return reach * impact * confidence / effort
"""


@pytest.fixture
def quick_limits(settings):
    limits = {
        **settings.PMA_GRADING.get("LIMITS", {}),
        "cell_timeout_s": 2.0,
        "wall_timeout_s": 6.0,
    }
    settings.PMA_GRADING = {**settings.PMA_GRADING, "LIMITS": limits}
    return limits


def spares() -> set[str]:
    """Run directories of the pool's pre-started kernels (waiting for the next submission)."""
    provider = kernels.kernel_provider()
    ready = getattr(provider, "_ready", [])
    return {kernel._host_dir.name for kernel in list(ready)}


def _parent(pid: str) -> str | None:
    try:
        stat = (Path("/proc") / pid / "stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[1]


def spare_judge_pid() -> str | None:
    """The pool's pre-started judge (waiting for the next submission), if it has one."""
    spare = getattr(kernels.kernel_provider(), "_spare_judge", None)
    return str(spare.result().process.pid) if spare is not None and spare.alive() else None


def leftovers() -> set[str]:
    runs = {
        path.name for path in Path(_runs_dir()).glob("pm-sandbox-*") if "zygote" not in path.name
    }
    runs -= spares()
    spare = spare_judge_pid()
    judges = set()
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if b"judge_main()" not in (proc / "cmdline").read_bytes():
                continue
        except OSError:
            continue
        ancestors, pid = set(), proc.name
        while pid not in (None, "0", "1") and len(ancestors) < 64:
            ancestors.add(pid)
            pid = _parent(pid)
        if spare not in ancestors:
            judges.add(proc.name)
    return runs | judges


def wait_until_clean(before: set[str], timeout_s: float = 20.0) -> set[str]:
    """Kernels are reaped in the background: wait for that, then say what is still there."""
    end = time.monotonic() + timeout_s
    while (left := leftovers() - before) and time.monotonic() < end:
        time.sleep(0.05)
    return left


def submit(client, learner, exercise, course, django_capture_on_commit_callbacks, answers):
    before = leftovers()
    with django_capture_on_commit_callbacks(execute=True):
        created = submission_create(
            learner=learner, exercise=exercise, course_page=course, answers=answers, kind="submit"
        )
    submission = Submission.objects.get(pk=created.pk)
    client.force_login(learner)
    page = client.get(reverse("submission_detail", args=[submission.pk]))
    assert page.status_code == 200
    assert wait_until_clean(before) == set(), "a judge process or run directory was left behind"
    return submission, html.unescape(page.content.decode())


def results(submission) -> list[tuple[str, float, str, bool]]:
    return [
        (t["grade_id"], t["points"], t["message"], t["sealed"]) for t in submission.report["tests"]
    ]


def assert_no_hidden_text(submission, page: str) -> None:
    report = str(submission.report)
    for text in HIDDEN:
        assert text not in page, f"{text!r} shows on the learner's page"
        assert text not in report, f"{text!r} is in the stored report"
        assert text[::-1] not in page


def test_an_ast_transformer_registered_without_naming_ipython_earns_nothing(
    client, learner, exercise, course, django_capture_on_commit_callbacks
):
    submission, page = submit(
        client,
        learner,
        exercise,
        course,
        django_capture_on_commit_callbacks,
        {"rice_answer": TRANSFORMER, "rank_answer": RANK_ANSWER, "explain_answer": EXPLAIN},
    )

    # The transformer empties every later cell of the learner's own kernel: the rank answer never
    # runs. The judge asks for the learner's names over a comm (no cell), finds the rice_score
    # defined next to the transformer and none of the answers it emptied; its tests decide.
    assert submission.status == "graded"
    assert submission.score == 0.0
    assert results(submission)[:2] == [
        ("rice_tests", 0.0, "AssertionError: rice score for 'SSO' is wrong", True),
        ("rank_tests", 0.0, "NameError: name 'rank_by_rice' is not defined", True),
    ]
    assert "NameError: name 'rank_by_rice' is not defined" in page


def test_a_function_that_reads_its_caller_finds_no_hidden_test_to_read(
    client, learner, exercise, course, django_capture_on_commit_callbacks
):
    submission, page = submit(
        client,
        learner,
        exercise,
        course,
        django_capture_on_commit_callbacks,
        {"rice_answer": READS_THE_CALLER, "rank_answer": RANK_ANSWER, "explain_answer": EXPLAIN},
    )

    assert submission.score == 3.0
    assert results(submission)[:2] == [
        ("rice_tests", 0.0, "A hidden test in this cell failed.", True),
        ("rank_tests", 3.0, "", True),
    ]
    assert "A hidden test in this cell failed." in page
    assert_no_hidden_text(submission, page)


def test_what_learner_code_prints_while_tests_run_never_reaches_the_page(
    client, learner, exercise, course, django_capture_on_commit_callbacks
):
    submission, page = submit(
        client,
        learner,
        exercise,
        course,
        django_capture_on_commit_callbacks,
        {"rice_answer": PRINTS_WHAT_IT_SEES, "rank_answer": RANK_ANSWER, "explain_answer": EXPLAIN},
    )

    assert submission.score == 5.0
    assert [row[:2] for row in results(submission)] == [
        ("rice_tests", 2.0),
        ("rank_tests", 3.0),
        ("explain_answer", 0.0),
    ]
    # The answer cell's own output is shown; nothing printed while the tests ran is.
    assert "answer cell done" in page
    assert "called with" not in page
    assert "seen:" not in page
    assert_no_hidden_text(submission, page)


def test_an_object_that_equals_anything_fails_the_judges_asserts(
    client, learner, exercise, course, django_capture_on_commit_callbacks
):
    submission, page = submit(
        client,
        learner,
        exercise,
        course,
        django_capture_on_commit_callbacks,
        {"rice_answer": ALWAYS_EQUAL, "rank_answer": RANK_ANSWER, "explain_answer": EXPLAIN},
    )

    # The float subclass crosses as the plain float -1.0, compared with the judge's own ==. The
    # ranking of four equal scores keeps the notebook's order: two of four in place, 1.5 points.
    assert results(submission)[0] == (
        "rice_tests",
        0.0,
        "AssertionError: rice score for 'SSO' is wrong",
        True,
    )
    assert submission.score == 1.5
    assert (
        "rice score for &#x27;SSO&#x27; is wrong" in page or "rice score for 'SSO' is wrong" in page
    )


def test_functions_that_hang_only_when_tests_call_them_are_bounded_by_the_submissions_wall_limit(
    client, learner, exercise, course, django_capture_on_commit_callbacks, quick_limits
):
    submission, page = submit(
        client,
        learner,
        exercise,
        course,
        django_capture_on_commit_callbacks,
        {
            "rice_answer": HANGS_ON_HIDDEN_CALLS,
            "rank_answer": RANK_ANSWER,
            "explain_answer": EXPLAIN,
        },
    )

    total = submission.report["timings"]["total_s"]
    # The documented bound: the wall limit plus WALL_GRACE_S (one interrupt's grace and a kill).
    from grading.engine.pipeline import WALL_GRACE_S

    assert total <= quick_limits["wall_timeout_s"] + WALL_GRACE_S, total
    assert submission.status == "graded"
    assert results(submission)[0][:2] == ("rice_tests", 0.0)
    assert results(submission)[0][2] in {
        "A hidden test in this cell failed.",
        "This cell ran longer than 2 s and was stopped.",
    }
    assert re.search(r"rank_tests", page)


def test_a_kernel_without_comms_still_has_its_calls_relayed(
    client, learner, exercise, course, django_capture_on_commit_callbacks
):
    """Calls normally travel as comm messages; with IPython's hooks gone they go through cells."""
    answer = "import builtins\ndel builtins.get_ipython\n" + RICE_ANSWER
    submission, page = submit(
        client,
        learner,
        exercise,
        course,
        django_capture_on_commit_callbacks,
        {"rice_answer": answer, "rank_answer": RANK_ANSWER, "explain_answer": EXPLAIN},
    )

    assert submission.score == 5.0
    assert [row[:2] for row in results(submission)] == [
        ("rice_tests", 2.0),
        ("rank_tests", 3.0),
        ("explain_answer", 0.0),
    ]
