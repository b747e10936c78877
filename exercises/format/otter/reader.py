"""Walk an Otter master notebook's cells as Otter Assign does, and build the exercise's cells.

The walk follows ``otter.assign.notebook_transformer.NotebookTransformer._get_transformed_cells``:
the same blocks, the same refusals (in words an author acts on, naming the cell as the author
numbers it and the question), the same student notebook. Cells are kept as drafts until the end,
because a question's tests get their points only when the question closes, and a manually graded
question's response cell is inserted where its solution block began.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from exercises.format.texts import gettext_noop

from ..model import CellKind, Problem, format_points
from .cells import Block, RawCell, boundary, is_config, is_ignored
from .config import AssignmentConfig, ConfigError, read_yaml
from .points import PointsError, manual_points, split_points
from .solutions import (
    OtterMarkerError,
    hidden_region,
    mark_solutions,
    remove_ignored_lines,
    replace_solutions,
)
from .testcases import OtterTest, TestCellError, read_test

#: What Otter puts in a manually graded question's answer cell when it has no prompt.
RESPONSE_PROMPT = "_Type your answer here, replacing this text._"
ANSWER_TAG = "otter_answer_cell"
INCLUDE_TAG = "otter_include"
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


@dataclass(eq=False)
class Draft:
    """A cell of the exercise being built; ``position`` is the author's (0-based) cell it came from."""

    position: int
    cell_type: str
    kind: CellKind
    source: str
    release: str | None = None
    grade_id: str = ""
    points: Fraction = Fraction(0)
    question: str = ""
    locked: bool = False
    tags: list[str] = field(default_factory=list)


@dataclass(eq=False)
class Question:
    name: str
    position: int
    config: dict[str, Any]
    answers: list[Draft] = field(default_factory=list)
    tests: list[tuple[Draft, OtterTest]] = field(default_factory=list)
    has_prompt: bool = False
    #: The first markdown prompt cell: it holds the question's markdown solution as its reference.
    prompt_text: Draft | None = None
    #: Where Otter inserts a response cell for a manual question without a prompt.
    insert_at: int | None = None
    solution_md: list[str] = field(default_factory=list)
    solution_md_position: int | None = None
    solution_has_md: bool = False

    @property
    def manual(self) -> bool:
        return bool(self.config.get("manual", False))


class OtterReader:
    """Reads cells one at a time; ``drafts`` and ``problems`` hold the result after ``finish()``."""

    def __init__(self, config: AssignmentConfig) -> None:
        self.config = config
        self.drafts: list[Draft] = []
        self.problems: list[Problem] = []
        self.stack: list[Block] = []
        self.question: Question | None = None
        self.names: dict[str, int] = {}
        self.dropped: set[int] = set()  # id() of drafts merged into another

    def problem(self, position: int | None, message: str, fix: str) -> None:
        name = self.question.name if self.question is not None else ""
        text = f"In question {name!r}, {message}" if name else message[0].upper() + message[1:]
        self.problems.append(Problem(cell=position, grade_id="", message=text, fix=fix))

    # -- routing -----------------------------------------------------------------------------

    def read(self, cell: RawCell) -> None:
        """Route one cell: skipped, a block boundary, or content of the block it falls in."""
        if is_ignored(cell) or is_config(cell):
            return
        if self.stack and boundary(cell, self.stack[-1], end=True):
            self.end_block(self.stack.pop())
            return
        for block in Block:
            if boundary(cell, block, end=True):
                self.stray_end(cell, block)
                return
        for block in Block:
            if boundary(cell, block, end=False):
                self.begin_block(cell, block)
                return
        self.content(cell)

    def stray_end(self, cell: RawCell, block: Block) -> None:
        what = block.value.upper()
        if block not in self.stack:
            self.problem(
                cell.position,
                gettext_noop("the '# END %(what)s' cell has no '# BEGIN %(what2)s' cell before it.")
                % {"what": what, "what2": what},
                gettext_noop(
                    "remove it, or add a raw '# BEGIN %(what)s' cell where the block starts."
                )
                % {"what": what},
            )
            return
        child = self.stack[-1].value.upper()
        self.problem(
            cell.position,
            gettext_noop(
                "the '# END %(what)s' cell comes while the '# BEGIN %(child)s' block is still open."
            )
            % {"what": what, "child": child},
            gettext_noop("add a raw '# END %(child)s' cell before it.") % {"child": child},
        )
        while self.stack:
            popped = self.stack.pop()
            self.end_block(popped)
            if popped is block:
                return

    def begin_block(self, cell: RawCell, block: Block) -> None:
        """Open a block, refusing the orders Otter refuses (and recovering to keep reading)."""
        what = block.value.upper()
        if not self.stack and block is not Block.QUESTION:
            self.problem(
                cell.position,
                gettext_noop("the '# BEGIN %(what)s' cell is outside a question.") % {"what": what},
                gettext_noop(
                    "put it between a raw '# BEGIN QUESTION' cell and its '# END QUESTION' cell."
                ),
            )
            return
        if self.stack and block is Block.QUESTION:
            self.problem(
                cell.position,
                gettext_noop("a '# BEGIN QUESTION' cell starts a question inside this one."),
                gettext_noop("close this question with a raw '# END QUESTION' cell first."),
            )
            while self.stack:
                self.end_block(self.stack.pop())
        elif len(self.stack) > 1:
            inner = self.stack[-1].value.upper()
            self.problem(
                cell.position,
                gettext_noop(
                    "the '# BEGIN %(what)s' cell is inside the question's %(inner)s block."
                )
                % {"what": what, "inner": inner},
                gettext_noop("close the %(inner)s block with a raw '# END %(inner2)s' cell first.")
                % {"inner": inner, "inner2": inner},
            )
            self.end_block(self.stack.pop())
        self.open_block(cell, block)

    def open_block(self, cell: RawCell, block: Block) -> None:
        question = self.question
        if block is Block.QUESTION:
            self.begin_question(cell)
        elif question is not None and block is Block.PROMPT:
            if question.has_prompt:
                self.problem(
                    cell.position,
                    gettext_noop(
                        "a prompt block comes after the question's solution or another prompt."
                    ),
                    gettext_noop(
                        "put one '# BEGIN PROMPT' block before the question's solution block."
                    ),
                )
            question.has_prompt = True
        elif question is not None and block is Block.SOLUTION and not question.has_prompt:
            question.insert_at = len(self.drafts)
        self.stack.append(block)

    def end_block(self, block: Block) -> None:
        question = self.question
        if block is Block.QUESTION:
            self.close_question()
        elif (
            block is Block.SOLUTION
            and question is not None
            and question.manual
            and not question.has_prompt
            and question.solution_has_md
        ):
            self.insert_response(question)
            question.has_prompt = True

    # -- questions ---------------------------------------------------------------------------

    def begin_question(self, cell: RawCell) -> None:
        try:
            config = read_yaml(cell)
        except ConfigError as exc:
            self.problem(
                cell.position,
                gettext_noop("the '# BEGIN QUESTION' cell's config cannot be read: %(exc)s.")
                % {"exc": exc},
                gettext_noop(
                    "write the question's config as YAML under '# BEGIN QUESTION', e.g. 'name: q1'."
                ),
            )
            config = {}
        name = str(config.get("name") or "").strip()
        if not name:
            self.problem(
                cell.position,
                gettext_noop("the '# BEGIN QUESTION' cell has no 'name:'."),
                gettext_noop("add 'name: q1' (and 'points: 2') under '# BEGIN QUESTION'."),
            )
            name = f"question_{cell.position + 1}"
        if name in self.names:
            self.problem(
                cell.position,
                gettext_noop(
                    "the question name %(name)s is also used by the question at cell %(value)s; Otter would merge their tests."
                )
                % {"name": repr(name), "value": self.names[name] + 1},
                gettext_noop("give every question its own name."),
            )
        self.names.setdefault(name, cell.position)
        self.question = Question(name, cell.position, config)

    def close_question(self) -> None:
        question = self.question
        if question is None:
            return
        try:
            self.give_points(question)
        except PointsError as exc:
            self.problem(
                question.position,
                f"{exc}.",
                gettext_noop(
                    "fix 'points' under '# BEGIN QUESTION' or in the tests' configs "
                    "(Otter: a total, a list with one value per test, or 'each: n')."
                ),
            )
        self.question = None

    def give_points(self, question: Question) -> None:
        """Each test's points by Otter's rules; a manual question's points on its first answer cell."""
        raw = question.config.get("points")
        if question.tests:
            values = split_points(raw, [test.points for _, test in question.tests])
            if question.config.get("all_or_nothing"):
                self.merge_tests(question, sum(values, Fraction(0)))
            else:
                for number, ((draft, test), value) in enumerate(
                    zip(question.tests, values, strict=True)
                ):
                    self.finish_test(draft, [test], f"{question.name}_test_{number + 1}", value)
        if question.manual:
            points = manual_points(raw)
            manual = [d for d in question.answers if d.kind is CellKind.MANUAL_ANSWER]
            if manual:
                manual[0].points = points
            elif points:
                self.problem(
                    question.position,
                    gettext_noop(
                        "the question is manually graded and worth %(format_points)s points, but it has no solution or prompt cell, so learners have nowhere to answer."
                    )
                    % {"format_points": format_points(points)},
                    gettext_noop(
                        "add a '# BEGIN PROMPT' or '# BEGIN SOLUTION' block to the question."
                    ),
                )

    def merge_tests(self, question: Question, total: Fraction) -> None:
        """``all_or_nothing``: one test cell holding every test, worth the question's points or none."""
        first = question.tests[0][0]
        self.finish_test(first, [t for _, t in question.tests], f"{question.name}_tests", total)
        self.dropped.update(id(draft) for draft, _ in question.tests[1:])

    def finish_test(
        self, draft: Draft, tests: list[OtterTest], grade_id: str, points: Fraction
    ) -> None:
        parts = [f"{HIDDEN_BEGIN}\n{t.code}\n{HIDDEN_END}" if t.hidden else t.code for t in tests]
        draft.source = "\n".join(parts)
        draft.grade_id = grade_id
        draft.points = points
        if all(t.hidden for t in tests):
            draft.release = (
                f"# The tests of {draft.question!r} here are hidden; they run when you submit."
            )

    # -- content -----------------------------------------------------------------------------

    def clean(self, cell: RawCell) -> str:
        try:
            return "\n".join(remove_ignored_lines(cell.lines))
        except OtterMarkerError as exc:
            self.problem(
                cell.position,
                f"{exc}.",
                gettext_noop("balance every '# BEGIN IGNORE' with '# END IGNORE'."),
            )
            return cell.text

    def content(self, cell: RawCell) -> None:
        question = self.question
        if not self.stack or question is None:
            self.add_plain(cell, self.clean(cell), locked=False)
        elif self.stack[-1] is Block.TESTS:
            self.add_test(cell, question)
        elif self.stack[-1] is Block.PROMPT:
            self.add_prompt(cell, question, self.clean(cell))
        elif self.stack[-1] is Block.SOLUTION:
            self.add_solution(cell, question, self.clean(cell))
        else:
            self.add_plain(cell, self.clean(cell), locked=True)

    def add_plain(self, cell: RawCell, text: str, *, locked: bool) -> Draft:
        kind = CellKind.CODE if cell.cell_type == "code" else CellKind.TEXT
        draft = Draft(cell.position, cell.cell_type, kind, text, locked=locked, tags=cell.tags)
        self.drafts.append(draft)
        return draft

    def add_answer(self, cell: RawCell, question: Question, text: str, release: str) -> Draft:
        kind = CellKind.MANUAL_ANSWER if question.manual else CellKind.ANSWER
        if cell.cell_type != "code" and not question.manual:
            return self.add_plain(cell, text, locked=False)
        number = len(question.answers) + 1
        grade_id = question.name if number == 1 else f"{question.name}_{number}"
        draft = Draft(cell.position, cell.cell_type, kind, text, release, grade_id)
        draft.question, draft.tags = question.name, [*cell.tags, ANSWER_TAG]
        self.drafts.append(draft)
        question.answers.append(draft)
        return draft

    def add_prompt(self, cell: RawCell, question: Question, text: str) -> None:
        if cell.cell_type == "raw":
            self.add_plain(cell, text, locked=False)
            return
        draft = self.add_answer(cell, question, text, text)
        if cell.cell_type == "markdown" and question.prompt_text is None:
            question.prompt_text = draft

    def add_solution(self, cell: RawCell, question: Question, text: str) -> None:
        if cell.cell_type == "code":
            try:
                release = "\n".join(replace_solutions(text.split("\n")))
            except OtterMarkerError as exc:
                self.problem(
                    cell.position,
                    f"{exc}.",
                    gettext_noop("balance every '# BEGIN SOLUTION' with '# END SOLUTION'."),
                )
                release = None
            self.add_answer(cell, question, mark_solutions(text), release or "...")
            return
        if cell.cell_type != "markdown" or INCLUDE_TAG in cell.tags:
            question.solution_has_md = question.solution_has_md or cell.cell_type == "markdown"
            self.add_plain(cell, text, locked=False)
            return
        question.solution_has_md = True
        question.solution_md.append(text)
        if question.solution_md_position is None:
            question.solution_md_position = cell.position
        if question.prompt_text is not None:
            question.prompt_text.source = hidden_region(
                "\n\n".join(question.solution_md), "markdown"
            )

    def insert_response(self, question: Question) -> None:
        """Otter's ``_Type your answer here_`` cell, with the markdown solution as its reference."""
        position = question.solution_md_position
        at = question.insert_at if question.insert_at is not None else len(self.drafts)
        reference = hidden_region("\n\n".join(question.solution_md), "markdown")
        number = len(question.answers) + 1
        grade_id = question.name if number == 1 else f"{question.name}_{number}"
        draft = Draft(
            question.position if position is None else position,
            "markdown",
            CellKind.MANUAL_ANSWER,
            reference,
            RESPONSE_PROMPT,
            grade_id,
            question=question.name,
            tags=[ANSWER_TAG],
        )
        self.drafts.insert(at, draft)
        question.answers.insert(0, draft)

    def add_test(self, cell: RawCell, question: Question) -> None:
        if cell.cell_type != "code":
            self.problem(
                cell.position,
                gettext_noop(
                    "a %(cell_type)s cell is inside the question's tests block; every cell there is a test and must be code."
                )
                % {"cell_type": cell.cell_type},
                gettext_noop("make it a code cell, or move it out of the '# BEGIN TESTS' block."),
            )
            return
        number = len(question.tests) + 1
        try:
            test = read_test(cell, question.name, number, ok_format=self.config.ok_format)
        except TestCellError as exc:
            self.problem(
                cell.position,
                gettext_noop("test %(number)s cannot be read: %(exc)s.")
                % {"number": number, "exc": exc},
                gettext_noop("fix the test cell."),
            )
            return
        draft = Draft(cell.position, "code", CellKind.TEST, test.code, locked=True)
        draft.question = question.name
        self.drafts.append(draft)
        question.tests.append((draft, test))

    # -- the end -----------------------------------------------------------------------------

    def finish(self) -> list[Draft]:
        """Close what is still open, and the drafts that make the exercise, in order."""
        if self.stack and self.question is not None:
            self.problem(
                self.question.position,
                gettext_noop("the question is never closed by a raw '# END QUESTION' cell."),
                gettext_noop(
                    "add the '# END' cells of its open blocks and of the question after its last cell."
                ),
            )
        while self.stack:
            self.end_block(self.stack.pop())
        return [d for d in self.drafts if id(d) not in self.dropped]
