"""The one entry point that turns a source notebook into an ExerciseSource, whatever its format."""

from __future__ import annotations

from nbformat.notebooknode import NotebookNode

from .model import ExerciseSource, SourceInvalid
from .nbgrader import parse_nbgrader
from .otter import is_otter_v1, parse_otter
from .release import release_problems


def parse_source(nb: NotebookNode) -> ExerciseSource:
    """Parse an nbgrader (schema 3) or Otter-Grader v1 source notebook; raise SourceInvalid with every problem.

    A source that parses is then released, and the release read back: anything the author hid that
    it still holds (a solution, a hidden test, a mark scheme, a marker) makes the source invalid.
    """
    source, problems = parse_otter(nb) if is_otter_v1(nb) else parse_nbgrader(nb)
    if not problems:
        problems = release_problems(source)
    if problems:
        raise SourceInvalid(problems)
    return source
