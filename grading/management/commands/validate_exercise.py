"""manage.py validate_exercise SOURCE.ipynb [--json]: exit 0 when the exercise is valid, 2 when not."""

from __future__ import annotations

import logging
import sys
from typing import Any

from django.core.management.base import BaseCommand

from exercises.format import format_points
from grading.engine.limits import Limits
from grading.engine.validate import validate_exercise

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


class Command(BaseCommand):
    help = "Check an exercise source notebook: static rules, full marks for the solution, zero for the release."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "source", help="the instructor's source notebook (nbgrader or Otter v1)"
        )
        parser.add_argument("--json", action="store_true", help="print exactly one JSON object")
        add_autotests_argument(parser)
        add_files_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        source_nb = read_notebook(self, options["source"], "source notebook")
        rules = read_autotest_rules(self, options["autotests"], options["source"])
        limits = Limits()
        files = read_exercise_files(self, options["files"])
        kernels = exercise_kernels(limits, files)
        try:
            report = validate_exercise(
                source_nb, kernels=kernels, limits=limits, autotest_rules=rules
            )
        except Exception as exc:  # the contract: exit 1 with one line, the details go to the log
            logger.exception("validation failed")
            fail(self, f"Validation failed: {type(exc).__name__}: {exc}", EXIT_INTERNAL)
        finally:
            kernels.close()
        if options["json"]:
            self.stdout.write(report.to_json())
        elif report.valid:
            score = report.reference.score if report.reference else 0
            most = report.source.max_score if report.source else 0
            self.stdout.write(
                f"valid: the solution scores {format_points(score)} of {format_points(most)} "
                "points (manually graded points excluded); the release scores 0."
            )
        else:
            self.stdout.write(f"invalid: {len(report.problems)} problem(s)")
            for problem in report.problems:
                self.stdout.write(f"  - {problem}")
        if not report.valid:
            sys.exit(EXIT_INVALID)
