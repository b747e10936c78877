"""Finds user-facing text in Django templates that is not marked for translation.

A template is read with Django's own lexer. Text inside {% translate %}/{% blocktranslate %}
(and the older {% trans %}/{% blocktrans %}), {% comment %} blocks, {# #} comments, HTML comments,
<script> and <style> elements, class-name blocks (body_class) and template variables is fine; any other text node with a letter,
or a letter in a user-facing attribute (alt, title, aria-label, placeholder), is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from django.template.base import Lexer, TokenType

REPO = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {".venv", ".venv-grading", "node_modules", "var", ".tools", ".git"}

# Text that is the same in every language. Each entry says why.
ALLOWED = [
    # The brand name is not translated.
    (re.compile(r"PM Academy"), "brand name"),
    # API tokens are shown by their literal prefix, e.g. pma_ab12cd_…
    (re.compile(r"\bpma_"), "literal token prefix"),
]

# Blocks that hold class names or markup hooks, not words a person reads.
MACHINE_BLOCKS = {"body_class", "html_class", "bodyclass"}

USER_FACING_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder")
MARK = "\x00"

_TRANSLATE_OPEN = {"blocktranslate", "blocktrans"}
_TRANSLATE_CLOSE = {"endblocktranslate", "endblocktrans"}
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_SCRIPT_STYLE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.S | re.I)
_TAG = re.compile(r"<[^>]*>", re.S)
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|\w+);")
_ATTRIBUTE = re.compile(
    r"\b(" + "|".join(USER_FACING_ATTRIBUTES) + r")\s*=\s*(\"[^\"]*\"|'[^']*')", re.I
)


@dataclass(frozen=True)
class Finding:
    template: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.template}:{self.line}: {self.text!r}"


def template_dirs() -> dict[str, Path]:
    """The site-wide templates/ and every app's templates/, keyed by the app (or "templates")."""
    dirs = {"templates": REPO / "templates"}
    for path in sorted(REPO.glob("*/templates")):
        if path.parent.name not in SKIPPED_DIRS and path.is_dir():
            dirs[path.parent.name] = path
    return dirs


def templates_in(directory: Path) -> list[Path]:
    return sorted(
        p for p in directory.rglob("*") if p.suffix in {".html", ".txt", ".xml"} and p.is_file()
    )


def _flatten(source: str) -> tuple[str, list[int]]:  # noqa: C901 - one pass keeps the states together
    """The template with every tag, variable, comment and translated block replaced by MARK,
    and for each character of the result, its line in the source."""
    out: list[str] = []
    lines: list[int] = []
    depth_translate = 0
    in_comment = False
    in_verbatim = False
    blocks: list[str] = []
    for token in Lexer(source).tokenize():
        line = token.lineno or 0
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents.split() else ""
            if in_comment:
                if name == "endcomment":
                    in_comment = False
                continue
            if name == "comment":
                in_comment = True
            elif name in _TRANSLATE_OPEN:
                depth_translate += 1
            elif name in _TRANSLATE_CLOSE:
                depth_translate = max(0, depth_translate - 1)
            elif name == "block":
                blocks.append(token.contents.split()[1] if len(token.contents.split()) > 1 else "")
            elif name == "endblock" and blocks:
                blocks.pop()
            elif name.startswith("verbatim"):
                in_verbatim = True
            elif name.startswith("endverbatim"):
                in_verbatim = False
            out.append(MARK)
            lines.append(line)
            continue
        if in_comment or depth_translate or (blocks and blocks[-1] in MACHINE_BLOCKS):
            continue
        if token.token_type == TokenType.TEXT or in_verbatim:
            text = token.contents
            for offset, char in enumerate(text):
                out.append(char)
                lines.append(line + text.count("\n", 0, offset))
        else:
            out.append(MARK)
            lines.append(line)
    return "".join(out), lines


def _blank(match: re.Match) -> str:
    # Keep offsets (and so line numbers) stable.
    return re.sub(r"[^\n]", MARK, match.group(0))


def _has_words(text: str) -> bool:
    text = _ENTITY.sub(" ", text.replace(MARK, " "))
    for pattern, _reason in ALLOWED:
        text = pattern.sub(" ", text)
    return any(ch.isalpha() for ch in text)


def untranslated_text(path: Path) -> list[Finding]:
    source = path.read_text(encoding="utf-8")
    flat, lines = _flatten(source)
    flat = _HTML_COMMENT.sub(_blank, flat)
    flat = _SCRIPT_STYLE.sub(_blank, flat)
    name = str(path.relative_to(REPO))
    findings: list[Finding] = []
    for tag in _TAG.finditer(flat):
        for attribute in _ATTRIBUTE.finditer(tag.group(0)):
            if _has_words(attribute.group(2)[1:-1]):
                findings.append(
                    Finding(name, lines[tag.start()], attribute.group(0).replace(MARK, "…"))
                )
    text_only = _TAG.sub(_blank, flat)
    for chunk in re.finditer(r"[^" + MARK + r"]+", text_only):
        if _has_words(chunk.group(0)):
            findings.append(Finding(name, lines[chunk.start()], " ".join(chunk.group(0).split())))
    return findings
