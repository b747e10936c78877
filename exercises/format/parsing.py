"""The one entry point that turns a source notebook into an ExerciseSource, whatever its format."""

from __future__ import annotations

from nbformat.notebooknode import NotebookNode

from .model import ExerciseSource, SourceInvalid
from .nbgrader import parse_nbgrader
from .otter import is_otter_v1, parse_otter


def parse_source(nb: NotebookNode) -> ExerciseSource:
    """Parse an nbgrader (schema 3/4) or Otter-Grader v1 source notebook; raise SourceInvalid with every problem."""
    source, problems = parse_otter(nb) if is_otter_v1(nb) else parse_nbgrader(nb)
    if problems:
        raise SourceInvalid(problems)
    return source
