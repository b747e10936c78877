"""The exercise notebook format, pure Python (no Django): load uploads, parse sources, build releases.

Imported by grading.engine and the exercises app; imports nothing from Django or the other apps.
"""

from .loading import NotebookRejected, load_notebook_bytes
from .markers import CODE_STUB, TEXT_STUB
from .model import (
    CellKind,
    Comparator,
    ComparatorKind,
    ExerciseSource,
    Points,
    Problem,
    RankingMethod,
    SealedSpec,
    SourceCell,
    SourceInvalid,
    format_points,
    format_points_of,
    parse_points,
    points_json,
    points_text,
)
from .nbgrader import notebook_sha256
from .parsing import parse_source
from .release import release_notebook, released_text

__all__ = [
    "CODE_STUB",
    "TEXT_STUB",
    "CellKind",
    "Comparator",
    "ComparatorKind",
    "ExerciseSource",
    "NotebookRejected",
    "Points",
    "Problem",
    "RankingMethod",
    "SealedSpec",
    "SourceCell",
    "SourceInvalid",
    "load_notebook_bytes",
    "notebook_sha256",
    "format_points",
    "format_points_of",
    "parse_points",
    "parse_source",
    "points_json",
    "points_text",
    "release_notebook",
    "released_text",
]
