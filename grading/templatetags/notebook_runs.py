"""Template tags of the "Run to here" feature: the run a page shows, a cell's outputs in it, and
how many tests run only on Submit."""

from __future__ import annotations

from typing import Any

from django import template

from exercises.format import format_points
from grading.models import NotebookRun
from grading.services.runs import learner_run, revision_submit_only_tests, run_is_stale

register = template.Library()


@register.simple_tag
def notebook_run_from_request(request: Any, exercise: Any) -> NotebookRun | None:
    """The run named by ``?run=<id>`` (where a run without JavaScript lands), if it is the
    learner's own run of this exercise. Nothing is read when the page has no ``run`` parameter."""
    raw = request.GET.get("run", "") if request is not None else ""
    if not raw.isdigit():
        return None
    run = learner_run(learner=request.user, run_id=int(raw))
    return run if run is not None and run.exercise_id == exercise.pk else None


@register.filter
def run_cell(run: NotebookRun | None, index: int) -> dict[str, Any] | None:
    """The outputs entry of cell ``index`` in ``run`` (None when it did not run)."""
    if not isinstance(run, NotebookRun) or not isinstance(run.outputs, list):
        return None
    return next(
        (cell for cell in run.outputs if isinstance(cell, dict) and cell.get("cell") == index),
        None,
    )


@register.filter
def run_stale(run: NotebookRun | None) -> bool:
    return isinstance(run, NotebookRun) and run_is_stale(run)


@register.simple_tag
def submit_only_tests(exercise: Any) -> Any:
    """Tests (cells and points) that run only on Submit: hidden tests and sealed checks."""
    revision = getattr(exercise, "current_revision", None)
    summary = revision_submit_only_tests(revision=revision) if revision is not None else None
    if summary is None:
        return None
    return {"cells": summary.cells, "points": format_points(summary.points)}
