"""Building lesson bodies in code: one function per block type, with stable block ids.

Knowledge-check answers refer to the check's block id and the chosen options' ids, so those ids
must stay the same every time the demo is loaded. They are derived (uuid5) from the lesson slug
and a key the author gives each check; the other blocks get ids derived from their position,
which nothing refers to.
"""

import uuid
from dataclasses import dataclass, field

NAMESPACE = uuid.UUID("6f0f3a52-5d0b-4d3e-9a55-2d1f6f7c9b10")


def stable_id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def p(html: str) -> dict:
    return {"type": "paragraph", "value": html}


def h(text: str, level: str = "h2") -> dict:
    return {"type": "heading", "value": {"text": text, "level": level}}


def callout(kind: str, title: str, html: str) -> dict:
    return {"type": "callout", "value": {"kind": kind, "title": title, "text": html}}


def quote(text: str, attribution: str) -> dict:
    return {"type": "quote", "value": {"quote": text, "attribution": attribution}}


def code(source: str, language: str = "python") -> dict:
    return {"type": "code", "value": {"language": language, "code": source.strip("\n")}}


def table(rows: list[list[str]], *, first_col_is_header: bool = True) -> dict:
    return {
        "type": "table",
        "value": {
            "first_row_is_table_header": True,
            "first_col_is_header": first_col_is_header,
            # TableBlock derives this on save; giving it keeps stored and demo values equal.
            "table_header_choice": "both" if first_col_is_header else "row",
            "data": rows,
        },
    }


def exercise(slug: str) -> dict:
    """An exercise block naming the exercise by slug; the loader swaps in its primary key."""
    return {"type": "exercise", "value": {"exercise_slug": slug}}


@dataclass(frozen=True)
class Option:
    text: str
    is_correct: bool
    feedback: str


@dataclass(frozen=True)
class Check:
    """A knowledge check; `key` names it for good, so rewording it keeps learners' answers."""

    key: str
    question: str
    options: tuple[Option, ...]
    explanation: str = ""


def check(
    key: str, question: str, options: list[tuple[str, bool, str]], explanation: str = ""
) -> Check:
    return Check(
        key=key,
        question=question,
        options=tuple(Option(text, right, why) for text, right, why in options),
        explanation=explanation,
    )


@dataclass(frozen=True)
class Quiz:
    """A graded quiz; `key` names it for good, and its questions keep their own keys."""

    key: str
    questions: tuple[Check, ...]
    questions_per_learner: int | None = None
    max_attempts: int = 3
    reveal: str = "after_last_attempt"


def _question_value(block_id: str, question: Check) -> dict:
    return {
        "question": question.question,
        "options": [
            {
                "type": "item",
                "id": stable_id(block_id, "option", option.text),
                "value": {
                    "text": option.text,
                    "is_correct": option.is_correct,
                    "feedback": option.feedback,
                },
            }
            for option in question.options
        ],
        "explanation": question.explanation,
    }


@dataclass(frozen=True)
class Lesson:
    slug: str
    title: str
    summary: str
    minutes: int
    body: list = field(default_factory=list)
    pass_check_percent: int | None = None
    # Phrases of our own text that tests look for, one per topic the lesson must cover.
    key_phrases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Module:
    slug: str
    title: str
    summary: str
    lessons: tuple[Lesson, ...]


def body_stream(*, lesson_slug: str, blocks: list, exercise_pks: dict[str, int]) -> list[dict]:
    """The raw StreamField value of a lesson body, with stable ids and exercises resolved."""
    stream = []
    for index, block in enumerate(blocks):
        if isinstance(block, Check):
            block_id = stable_id(lesson_slug, "check", block.key)
            stream.append(
                {
                    "type": "knowledge_check",
                    "id": block_id,
                    "value": _question_value(block_id, block),
                }
            )
            continue
        if isinstance(block, Quiz):
            block_id = stable_id(lesson_slug, "quiz", block.key)
            questions = []
            for question in block.questions:
                question_id = stable_id(block_id, "question", question.key)
                questions.append(
                    {
                        "type": "item",
                        "id": question_id,
                        "value": _question_value(question_id, question),
                    }
                )
            stream.append(
                {
                    "type": "quiz",
                    "id": block_id,
                    "value": {
                        "questions_per_learner": block.questions_per_learner,
                        "max_attempts": block.max_attempts,
                        "reveal": block.reveal,
                        "due_at": None,
                        "questions": questions,
                    },
                }
            )
            continue
        value = block["value"]
        if block["type"] == "exercise":
            value = {"exercise": exercise_pks[value["exercise_slug"]]}
        stream.append(
            {
                "type": block["type"],
                "id": stable_id(lesson_slug, str(index), block["type"]),
                "value": value,
            }
        )
    return stream
