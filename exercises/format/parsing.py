"""The one entry point that turns a source notebook into an ExerciseSource, whatever its format."""

from __future__ import annotations

from nbformat.notebooknode import NotebookNode

from exercises.format.texts import gettext_noop

from .model import ExerciseSource, Problem, SourceInvalid, format_points
from .nbgrader import parse_nbgrader
from .otter import is_otter_v1, parse_otter
from .release import release_problems

#: The most points one exercise may be worth: far above any real exercise, and courses that add up
#: many exercises still fit the database's points columns (ten digits before the decimal point).
MAX_EXERCISE_POINTS = 10**6


def parse_source(nb: NotebookNode) -> ExerciseSource:
    """Parse an nbgrader (schema 3) or Otter-Grader v1 source notebook; raise SourceInvalid with every problem.

    A source that parses is then released, and the release read back: anything the author hid that
    it still holds (a solution, a hidden test, a mark scheme, a marker) makes the source invalid.
    """
    source, problems = parse_otter(nb) if is_otter_v1(nb) else parse_nbgrader(nb)
    if not problems and source.max_score > MAX_EXERCISE_POINTS:
        problems = [
            Problem(
                None,
                "",
                gettext_noop(
                    "it is worth %(format_points)s points in all; an exercise may be worth at most %(MAX_EXERCISE_POINTS)s."
                )
                % {
                    "format_points": format_points(source.max_score),
                    "MAX_EXERCISE_POINTS": format(MAX_EXERCISE_POINTS, ","),
                },
                gettext_noop(
                    "give its graded cells fewer points; only their proportions matter for the score."
                ),
            )
        ]
    if not problems:
        problems = release_problems(source)
    if problems:
        raise SourceInvalid(problems)
    return source
