"""Type sizes that keep a certificate's name and course title inside the page.

Widths are measured with the real glyph advances of the face that prints the
text (read with fontTools from the system font), so a 60-character name of wide
capitals shrinks more than one of narrow letters. Characters outside that face
(CJK, Arabic, Devanagari, which Pango takes from fallback Noto faces) are
estimated generously: a full em for wide East Asian characters, 0.65 em otherwise.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont

MM_TO_PT = 72 / 25.4
# What the page dimensions below leave for text once the frame and padding are drawn.
TEXT_WIDTH_MM = {"a4": 236.0, "letter": 218.0}
NAME_MAX_PT = 40.0
NAME_MIN_PT = 16.0
TITLE_MAX_PT = 24.0
TITLE_MIN_PT = 12.0
TITLE_MAX_LINES = 2
# Pango's shaping and kerning differ a little from summed advances; keep a margin.
SAFETY = 0.92


@dataclass(frozen=True)
class TextFit:
    font_size_pt: float
    estimated_lines: int


def name_fit(name: str, *, page_size: str) -> TextFit:
    """One line when the name fits at NAME_MIN_PT or more; otherwise two lines at that size."""
    return _fit(
        name,
        face="Noto Serif:bold",
        page_size=page_size,
        largest=NAME_MAX_PT,
        smallest=NAME_MIN_PT,
        lines=1,
    )


def title_fit(title: str, *, page_size: str) -> TextFit:
    return _fit(
        title,
        face="Noto Sans:bold",
        page_size=page_size,
        largest=TITLE_MAX_PT,
        smallest=TITLE_MIN_PT,
        lines=TITLE_MAX_LINES,
    )


def _fit(
    text: str, *, face: str, page_size: str, largest: float, smallest: float, lines: int
) -> TextFit:
    width_pt = TEXT_WIDTH_MM[page_size] * MM_TO_PT * SAFETY
    ems = max(text_width_em(text, face=face), 0.01)
    # Wrapped lines never fill completely; budget 85% of every line but the last.
    usable = width_pt * (1 + (lines - 1) * 0.85)
    # Half-point steps, rounded down, so the size never exceeds what fits.
    size = max(smallest, math.floor(min(largest, usable / ems) * 2) / 2)
    needed = ems * size / width_pt
    return TextFit(font_size_pt=size, estimated_lines=max(1, math.ceil(needed)))


def text_width_em(text: str, *, face: str) -> float:
    advances, units_per_em = _advances(face)
    total = 0.0
    for char in text:
        if unicodedata.category(char) in {"Mn", "Me", "Cf"}:
            continue
        advance = advances.get(ord(char))
        if advance is not None:
            total += advance / units_per_em
        elif unicodedata.east_asian_width(char) in {"W", "F"}:
            total += 1.0
        else:
            total += 0.65
    return total


@lru_cache(maxsize=8)
def _advances(face: str) -> tuple[dict[int, int], int]:
    path = _font_file(face)
    if path is None:
        # Without the font, assume a wide Latin face so the text still fits.
        return {}, 1
    font = TTFont(path, lazy=True)
    widths = font["hmtx"].metrics
    cmap = font.getBestCmap() or {}
    return {code: widths[glyph][0] for code, glyph in cmap.items()}, font["head"].unitsPerEm


def _font_file(face: str) -> Path | None:
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    result = subprocess.run(  # noqa: S603 - fixed program, our own pattern string
        [fc_match, "-f", "%{file}", face], capture_output=True, text=True, timeout=10, check=False
    )
    path = Path(result.stdout.strip()) if result.returncode == 0 else None
    if path is None or path.suffix.lower() not in {".ttf", ".otf"} or not path.exists():
        return None
    return path
