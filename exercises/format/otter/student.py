"""Which cells of a notebook Otter released answer which of the exercise's answer cells.

Otter's student notebook has no nbgrader ``grade_id``s: its answer cells carry at most the
``otter_answer_cell`` tag (older releases not even that), and it adds cells of its own (``grader =
otter.Notebook()``, ``grader.check("q1")``, export cells, ``<!-- BEGIN QUESTION -->`` comments).
Answers are found by question name and position:

1. **Anchors** tie the two notebooks together: a ``grader.check("q1")`` cell sits after question
   q1's cells; a cell whose text is one of the exercise's own text or code cells (Otter's comments
   and ``_Points:_`` line aside, or nearly the same text) sits where that cell does. The longest
   chain of anchors in the same order in both notebooks is kept.
2. Between two anchors, the exercise's answer cells take the learner's cells there in order: a cell
   tagged as Otter's answer cell first, then one of the same type, then a tagged one of another type
   (which assembly then refuses to run, as a changed cell type).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from ..model import CellKind, ExerciseSource, SourceCell

ANSWER_TAG = "otter_answer_cell"
#: Above this many cell pairs, near-equal texts are not looked for (exact ones still are).
FUZZY_PAIRS = 10_000
FUZZY_RATIO = 0.75
#: Texts are compared on their first words only.
FUZZY_WORDS = 200

_CHECK = re.compile(r"""^\s*\w+\.check\(\s*["']([^"']+)["']\s*\)\s*;?\s*$""")
_OTTER_LINE = re.compile(
    r"""^\s*(?:import\s+otter\b.*|from\s+otter\b.*|\w+\s*=\s*otter\.Notebook\(.*\)\s*;?"""
    r"""|\w+\.(?:check|check_all|export|to_pdf|run_plugin)\(.*\)\s*;?|%pip\s+install\b.*otter.*)$"""
)
_COMMENT = re.compile(r"^\s*(?:#.*)?$")
_EXPORT_COMMENT = re.compile(r"<!--\s*(?:BEGIN|END)\s+QUESTION\s*-->", re.IGNORECASE)
_POINTS_LINE = re.compile(r"^\s*_Points:_\s*\S*\s*$")


@dataclass(frozen=True)
class LearnerCell:
    """One cell of the learner's notebook: its text and type as uploaded."""

    text: str
    cell_type: str
    tagged: bool = False


@dataclass
class OtterMatch:
    """Learner cells by the exercise's answer grade_id, and how many code cells match nothing."""

    answers: dict[str, list[LearnerCell]]
    added: int


def learner_cell(cell: Any) -> LearnerCell | None:
    """A submitted cell as text and type, or None when it is not a cell at all."""
    if not isinstance(cell, dict):
        return None
    source = cell.get("source", "")
    if isinstance(source, list):
        source = "".join(s for s in source if isinstance(s, str))
    cell_type = cell.get("cell_type")
    metadata = cell.get("metadata")
    tags = metadata.get("tags") if isinstance(metadata, dict) else None
    tagged = isinstance(tags, list) and ANSWER_TAG in tags
    return LearnerCell(
        source if isinstance(source, str) else "",
        cell_type if isinstance(cell_type, str) else "",
        tagged,
    )


def normalise(text: str, cell_type: str) -> str:
    """The text Otter's release and the exercise share: Otter's own comments and lines left out."""
    lines = text.strip().splitlines()
    if cell_type == "markdown":
        lines = _EXPORT_COMMENT.sub("", "\n".join(lines)).strip().splitlines()
        lines = [line for line in lines if not _POINTS_LINE.match(line)]
    elif cell_type == "code":
        lines = [line for line in lines if not _OTTER_LINE.match(line)]
    return "\n".join(line.rstrip() for line in lines).strip()


def is_otter_cell(cell: LearnerCell) -> bool:
    """A cell Otter adds to its releases (init, check, export; an export comment alone)."""
    if cell.cell_type == "markdown":
        return not normalise(cell.text, "markdown") and bool(_EXPORT_COMMENT.search(cell.text))
    if cell.cell_type != "code":
        return False
    lines = cell.text.strip().splitlines()
    return any(_OTTER_LINE.match(line) for line in lines) and all(
        _OTTER_LINE.match(line) or _COMMENT.match(line) for line in lines
    )


def question_of(cell: SourceCell) -> str:
    pma = cell.metadata.get("pma")
    return str(pma.get("otter_question", "")) if isinstance(pma, dict) else ""


@dataclass(frozen=True)
class _Anchor:
    position: int  # in the learner's notebook
    at: float  # in the exercise: a cell's index, or just after a question's last cell


def _anchors(source: ExerciseSource, cells: list[LearnerCell]) -> list[_Anchor]:
    """Every learner cell that says where it sits in the exercise, by a check call or its text."""
    ends: dict[str, float] = {}
    texts: dict[tuple[str, str], list[int]] = {}
    for cell in source.cells:
        if question := question_of(cell):
            ends[question] = cell.index + 0.5
        if cell.kind in (CellKind.TEXT, CellKind.CODE):
            for text in {cell.source, cell.release or cell.source}:
                if shown := normalise(text, cell.cell_type):
                    texts.setdefault((cell.cell_type, shown), []).append(cell.index)
    anchors: list[_Anchor] = []
    loose: list[int] = []
    for position, learner in enumerate(cells):
        check = _check_of(learner)
        if check in ends:
            anchors.append(_Anchor(position, ends[check]))
            continue
        shown = normalise(learner.text, learner.cell_type)
        found = sorted(set(texts.get((learner.cell_type, shown), [])))
        if len(found) == 1:
            anchors.append(_Anchor(position, found[0]))
        elif not found and not learner.tagged and shown:
            loose.append(position)
    anchors += _near_anchors(source, cells, loose, {i for v in texts.values() for i in v})
    return sorted(anchors, key=lambda a: a.position)


def _check_of(cell: LearnerCell) -> str:
    if cell.cell_type != "code":
        return ""
    for line in cell.text.splitlines():
        if match := _CHECK.match(line):
            return match.group(1)
    return ""


def _words(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", normalise(text, "markdown").lower())[:FUZZY_WORDS])


def _likeness(a: Counter[str], b: Counter[str]) -> float:
    """How alike two texts' words are: shared words over all words, counted with repeats."""
    union = sum((a | b).values())
    return sum((a & b).values()) / union if union else 0.0


def _near_anchors(
    source: ExerciseSource, cells: list[LearnerCell], loose: list[int], shown: set[int]
) -> list[_Anchor]:
    """Learner cells nearly equal to one of the exercise's text cells (an older release's wording)."""
    targets = [
        (c.index, _words(c.source))
        for c in source.cells
        if c.index in shown and c.cell_type == "markdown"
    ]
    loose = [p for p in loose if cells[p].cell_type == "markdown"]
    if not targets or len(loose) * len(targets) > FUZZY_PAIRS:
        return []
    anchors = []
    for position in loose:
        words = _words(cells[position].text)
        scored = [(_likeness(words, target), index) for index, target in targets]
        best = max(scored)
        if best[0] >= FUZZY_RATIO and [s for s, _ in scored].count(best[0]) == 1:
            anchors.append(_Anchor(position, best[1]))
    return anchors


def _chain(anchors: list[_Anchor]) -> list[_Anchor]:
    """The longest run of anchors in the same order in both notebooks (patience sorting)."""
    tails: list[float] = []
    tail_ids: list[int] = []
    parents: list[int] = []
    for number, anchor in enumerate(anchors):
        slot = bisect.bisect_left(tails, anchor.at)
        if slot == len(tails):
            tails.append(anchor.at)
            tail_ids.append(number)
        else:
            tails[slot], tail_ids[slot] = anchor.at, number
        parents.append(tail_ids[slot - 1] if slot else -1)
    chain: list[_Anchor] = []
    cursor = tail_ids[-1] if tail_ids else -1
    while cursor != -1:
        chain.append(anchors[cursor])
        cursor = parents[cursor]
    return chain[::-1]


def _pick(candidates: list[int], cells: list[LearnerCell], cell_type: str) -> int | None:
    """Index into ``candidates`` of the learner cell an answer of ``cell_type`` takes."""
    rules = (
        lambda c: c.tagged and c.cell_type == cell_type,
        lambda c: c.cell_type == cell_type,
        lambda c: c.tagged,
    )
    for rule in rules:
        for number, position in enumerate(candidates):
            if rule(cells[position]):
                return number
    return None


def match_release(source: ExerciseSource, submission_cells: list[Any]) -> OtterMatch:
    """The learner's answers in a notebook Otter released, by the exercise's answer grade_ids."""
    cells = [c for c in (learner_cell(cell) for cell in submission_cells) if c is not None]
    chain = _chain(_anchors(source, cells))
    fixed = {a.position for a in chain}
    bounds = [_Anchor(-1, -1.0), *chain, _Anchor(len(cells), float(len(source.cells)))]
    answers: dict[str, list[LearnerCell]] = {}
    added = 0
    answer_cells = source.answer_cells
    indexes = [c.index for c in answer_cells]
    for before, after in zip(bounds, bounds[1:], strict=False):
        first = bisect.bisect_right(indexes, before.at)
        slots = answer_cells[first : bisect.bisect_left(indexes, after.at, lo=first)]
        candidates = [
            p
            for p in range(before.position + 1, after.position)
            if p not in fixed and not is_otter_cell(cells[p])
        ]
        unused: list[int] = []
        for slot in slots:
            number = _pick(candidates, cells, slot.cell_type)
            if number is None:
                continue
            answers[slot.grade_id] = [cells[candidates[number]]]
            unused += candidates[:number]
            candidates = candidates[number + 1 :]
        unused += candidates
        added += sum(1 for p in unused if cells[p].cell_type == "code" and cells[p].text.strip())
    return OtterMatch(answers, added)
