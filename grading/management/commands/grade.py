"""manage.py grade SOURCE.ipynb SUBMISSION.ipynb [--json] [--seed N] [--check]

Exit codes (a contract other tools rely on): 0 grading finished, whatever the score; 2 invalid
source or submission (one line on stderr); 1 internal failure.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from django.core.management.base import BaseCommand

from exercises.format import SourceInvalid, format_points, parse_source
from grading.engine.autotest import instantiate_autotests
from grading.engine.limits import Limits
from grading.engine.pipeline import grade_submission
from grading.engine.report import GradeReport
from grading.engine.validate import judge_fallback_tests

from ._engine_cli import (
    EXIT_INTERNAL,
    EXIT_INVALID,
    add_autotests_argument,
    add_files_argument,
    exercise_kernels,
    fail,
    read_autotest_rules,
    read_exercise_files,
    read_notebook,
)

logger = logging.getLogger(__name__)

STATUS_WORDS = {
    "passed": "passed",
    "partial": "partial",
    "failed": "failed",
    "not_run": "not run",
    "needs_review": "review",
}


class Command(BaseCommand):
    help = "Grade one submission against an exercise source notebook in the sandbox."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "source", help="the instructor's source notebook (nbgrader or Otter v1)"
        )
        parser.add_argument("submission", help="the learner's notebook")
        parser.add_argument("--json", action="store_true", help="print exactly one JSON object")
        parser.add_argument("--seed", type=int, default=None, help="seed for sealed-check inputs")
        parser.add_argument(
            "--check", action="store_true", help="visible tests only, as a learner's check run"
        )
        add_autotests_argument(parser)
        add_files_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        source_nb = read_notebook(self, options["source"], "source notebook")
        try:
            source = parse_source(source_nb)
        except SourceInvalid as exc:
            fail(
                self,
                f"Invalid source notebook {options['source']}: {exc.problems[0]}"
                + (
                    f" (and {len(exc.problems) - 1} more problem(s))"
                    if len(exc.problems) > 1
                    else ""
                ),
                EXIT_INVALID,
            )
        rules = read_autotest_rules(self, options["autotests"], options["source"])
        submission = read_notebook(self, options["submission"], "submission")
        seed = options["seed"] if options["seed"] is not None else secrets.randbelow(2**31)
        limits = Limits()
        files = read_exercise_files(self, options["files"])
        kernels = exercise_kernels(limits, files)
        try:
            # AUTOTEST lines become tests from the instructor's source, as validation makes them.
            autotests = instantiate_autotests(
                source, source_nb, rules_text=rules, kernels=kernels, limits=limits
            )
            if autotests.problems:
                fail(
                    self,
                    f"Invalid source notebook {options['source']}: {autotests.problems[0]}",
                    EXIT_INVALID,
                )
            # Tests the judge cannot run with the instructor's own solution run in the learner's
            # kernel, as validation decides for the site (the revision keeps validation's list).
            in_kernel = judge_fallback_tests(autotests.source, kernels=kernels, limits=limits)
            report = grade_submission(
                autotests.source,
                submission,
                kernels=kernels,
                limits=limits,
                seed=seed,
                mode="check" if options["check"] else "submit",
                in_kernel=in_kernel,
            )
        except Exception as exc:  # the contract: exit 1 with one line, the details go to the log
            logger.exception("grading failed")
            fail(self, f"Grading failed: {type(exc).__name__}: {exc}", EXIT_INTERNAL)
        finally:
            kernels.close()
        self.stdout.write(report.to_json() if options["json"] else summary(report))


def summary(report: GradeReport) -> str:
    lines = [
        f"{report.status.value}: {format_points(report.score)} / {format_points(report.max_score)} "
        f"points ({report.mode})"
    ]
    if report.message:
        lines.append(report.message)
    width = max((len(t.grade_id) for t in report.tests), default=0)
    for test in report.tests:
        where = "sealed" if test.sealed else "in-kernel" if test.kind == "test" else test.kind
        line = (
            f"  {STATUS_WORDS[test.status.value]:<8} {test.grade_id:<{width}}  "
            f"{format_points(test.points)}/{format_points(test.max_points)}  [{where}]"
        )
        lines.append(f"{line}  {test.message}".rstrip())
    for flag in report.flags:
        lines.append(f"  {'REVIEW' if flag.review else 'note'}: {flag.message}")
    lines.append(
        f"seed {report.seed}, {report.engine_version}, source sha256 {report.source_sha256[:12]}"
    )
    return "\n".join(lines)
