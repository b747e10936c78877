"""The rubric an instructor writes for an exercise's manually graded cells (a StreamField).

One ``cell`` block per manually graded cell (nbgrader's manual answers and tasks, Otter's manual
questions), named by the cell's grade_id. A cell's rubric has criteria; each criterion has levels
worth points. A grader picks at most one level per criterion; the chosen levels add up to the
points suggested for the cell, which the grader may still change. The exercise admin checks that
every cell exists and that the best level of every criterion adds up to at most the cell's points.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from .format import format_points, parse_points


class RubricLevelBlock(blocks.StructBlock):
    label = blocks.CharBlock(
        max_length=120, help_text=_("For example: Convincing, Partial, Missing.")
    )
    points = blocks.DecimalBlock(min_value=Decimal(0), max_digits=10, decimal_places=2)
    description = blocks.TextBlock(
        required=False, help_text=_("What an answer at this level does. Graders read it.")
    )

    class Meta:
        icon = "tick"
        label = _("Level")


class RubricCriterionBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=200, help_text=_("What this criterion judges."))
    levels = blocks.ListBlock(RubricLevelBlock(), min_num=1, label=_("Levels"))

    class Meta:
        icon = "list-ul"
        label = _("Criterion")


class CellRubricBlock(blocks.StructBlock):
    grade_id = blocks.CharBlock(
        max_length=200,
        label=_("Cell (grade_id)"),
        help_text=_("The grade_id of a manually graded cell of the exercise's notebook."),
    )
    criteria = blocks.ListBlock(RubricCriterionBlock(), min_num=1, label=_("Criteria"))

    class Meta:
        icon = "form"
        label = _("Rubric for a cell")


class RubricsBlock(blocks.StreamBlock):
    cell = CellRubricBlock()


def rubric_problems(rubrics: Any, *, manual_cells: dict[str, Fraction]) -> list[str]:
    """What is wrong with an exercise's rubrics against its manual cells (grade_id → points)."""
    problems: list[str] = []
    seen: set[str] = set()
    for block in rubrics or []:
        if block.block_type != "cell":
            continue
        grade_id = block.value["grade_id"]
        if grade_id in seen:
            problems.append(
                gettext("The cell “%(id)s” has two rubrics; keep one.") % {"id": grade_id}
            )
            continue
        seen.add(grade_id)
        if grade_id not in manual_cells:
            known = ", ".join(sorted(manual_cells)) or gettext("none")
            problems.append(
                gettext(
                    "“%(id)s” is not a manually graded cell of the current notebook "
                    "(its manually graded cells: %(known)s)."
                )
                % {"id": grade_id, "known": known}
            )
            continue
        best = sum(
            (
                max((parse_points(level["points"]) or Fraction(0)) for level in criterion["levels"])
                for criterion in block.value["criteria"]
                if criterion["levels"]
            ),
            start=Fraction(0),
        )
        if best > manual_cells[grade_id]:
            problems.append(
                gettext(
                    "The rubric for “%(id)s” can award %(best)s points, but the cell is worth "
                    "%(max)s. Lower the levels' points."
                )
                % {
                    "id": grade_id,
                    "best": format_points(best),
                    "max": format_points(manual_cells[grade_id]),
                }
            )
    return problems
