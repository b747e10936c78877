"""The cells of an Otter master notebook as Otter Assign reads them, each with the author's number.

Otter lets authors write every raw boundary cell as a fenced ```` ```otter ```` block in a markdown
cell; such a cell is split into the markdown around the block and a raw cell holding it, as
``otter.assign.blocks.extract_all_fenced_otter_cells`` does. Every piece keeps the position of the
cell it came from, so messages name the cell the author sees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

FENCE_OPEN = "```otter"
FENCE_CLOSE = "```"

_IGNORE_CELL = re.compile(r"(##\s*ignore\s*##\s*|#\s*ignore\s*)", re.IGNORECASE)
_CONFIG_CELL = re.compile(r"#\s+assignment\s+config\s*", re.IGNORECASE)


class Block(StrEnum):
    """Otter's block types, in the order Otter tries them."""

    QUESTION = "question"
    PROMPT = "prompt"
    SOLUTION = "solution"
    TESTS = "tests"


_BOUNDARY = {
    (block, end): re.compile(rf"#\s+{'end' if end else 'begin'}\s+{block.value}\s*", re.IGNORECASE)
    for block in Block
    for end in (False, True)
}


@dataclass(frozen=True)
class RawCell:
    """One cell as Otter reads it; ``position`` is the 0-based index of the uploaded cell it came from."""

    position: int
    cell_type: str
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)
    outputs: list[Any] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        """The source split into lines as Otter's ``get_source`` splits it."""
        return re.split("\r?\n", self.text)

    @property
    def tags(self) -> list[str]:
        tags = self.metadata.get("tags")
        return [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []


class FenceError(ValueError):
    """A ```` ```otter ```` block that is never closed; ``position`` is the cell's."""

    def __init__(self, position: int) -> None:
        self.position = position
        super().__init__("a '```otter' block is never closed by a line holding only '```'")


def cell_source(cell: Any) -> str:
    source = cell.get("source", "")
    if isinstance(source, list):
        return "".join(s for s in source if isinstance(s, str))
    return source if isinstance(source, str) else ""


def read_cells(nb: Any) -> list[RawCell]:
    """Every cell of ``nb`` with its fenced Otter blocks split out; raises FenceError."""
    cells: list[RawCell] = []
    for position, cell in enumerate(nb.get("cells", [])):
        metadata = cell.get("metadata") or {}
        raw = RawCell(
            position,
            str(cell.get("cell_type", "code")),
            cell_source(cell),
            dict(metadata) if isinstance(metadata, dict) else {},
            list(cell.get("outputs") or []),
        )
        cells.extend(_unfence(raw) if raw.cell_type == "markdown" else [raw])
    return cells


def _unfence(cell: RawCell) -> list[RawCell]:
    """A markdown cell's ```` ```otter ```` blocks as raw cells between markdown pieces."""
    lines = cell.lines
    starts = [i for i, line in enumerate(lines) if line.strip() == FENCE_OPEN]
    if not starts:
        return [cell]
    ends = []
    for start in starts:
        end = next(
            (j for j in range(start + 1, len(lines)) if lines[j].strip() == FENCE_CLOSE), None
        )
        if end is None:
            raise FenceError(cell.position)
        ends.append(end)
    if any(ends[i] >= starts[i + 1] for i in range(len(starts) - 1)):
        raise FenceError(cell.position)
    pieces: list[RawCell] = []

    def add(piece: list[str], cell_type: str) -> None:
        if any(line.strip() for line in piece):
            pieces.append(RawCell(cell.position, cell_type, "\n".join(piece)))

    add(lines[: starts[0]], "markdown")
    for number, (start, end) in enumerate(zip(starts, ends, strict=True)):
        add(lines[start + 1 : end], "raw")
        after = end + 2 if end + 1 < len(lines) and not lines[end + 1].strip() else end + 1
        stop = starts[number + 1] if number + 1 < len(starts) else len(lines)
        add(lines[after:stop], "markdown")
    return pieces


def is_ignored(cell: RawCell) -> bool:
    """A cell whose first line is ``# IGNORE`` (or ``## ignore ##``): in neither of Otter's notebooks."""
    return bool(_IGNORE_CELL.match(cell.lines[0]))


def is_config(cell: RawCell) -> bool:
    return cell.cell_type == "raw" and bool(_CONFIG_CELL.match(cell.lines[0]))


def boundary(cell: RawCell, block: Block, *, end: bool) -> bool:
    """Whether ``cell`` begins (or ends) a ``block``, as ``is_block_boundary_cell`` decides."""
    return cell.cell_type == "raw" and bool(_BOUNDARY[block, end].match(cell.lines[0]))


def config_text(cell: RawCell) -> str:
    """The YAML of a boundary or config cell: the whole cell, its first line being a YAML comment."""
    return "\n".join(cell.lines)
