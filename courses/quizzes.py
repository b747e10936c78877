"""The rules of a graded quiz, as plain functions of a quiz block's value and a learner's attempts.

A graded quiz (blocks.QuizBlock) is a pool of questions. Each learner answers their own draw of
them, with the options of each question in their own order; both follow from a seed made of the
learner and the block, so a reload shows the same quiz. Whether the quiz still takes attempts and
whether it shows the right answers are decided here, once: the service that records attempts and
the selector that shapes the page both ask these functions, so they can never disagree.

Nothing here touches the database; courses.services and courses.selectors do.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


class QuizReveal(models.TextChoices):
    """When a learner may see which options were right."""

    AFTER_LAST_ATTEMPT = "after_last_attempt", _("After the learner's last attempt")
    AFTER_DUE_DATE = "after_due_date", _("After the due date, for everyone at once")


class QuizClosure(models.TextChoices):
    """Why a quiz takes no more attempts from a learner."""

    ATTEMPTS_USED = "attempts_used", _("Every attempt is used")
    PAST_DUE = "past_due", _("The due date has passed")


@dataclass(frozen=True)
class QuizSettings:
    """What the instructor set on the block, with the defaults applied."""

    pool_size: int
    question_count: int
    max_attempts: int
    reveal: str
    due_at: datetime | None

    @classmethod
    def of(cls, value) -> QuizSettings:
        pool_size = len(value["questions"])
        wanted = value.get("questions_per_learner") or pool_size
        due_at = value.get("due_at")
        if due_at is not None and timezone.is_naive(due_at):
            due_at = timezone.make_aware(due_at)
        return cls(
            pool_size=pool_size,
            question_count=min(wanted, pool_size),
            max_attempts=max(value.get("max_attempts") or 1, 1),
            reveal=value.get("reveal") or QuizReveal.AFTER_LAST_ATTEMPT,
            due_at=due_at,
        )

    @property
    def draws_from_pool(self) -> bool:
        return self.question_count < self.pool_size


def quiz_seed(*, learner_id: int | None, block_id: str) -> str:
    """One learner's seed for one quiz block: the same on every request."""
    return f"{learner_id if learner_id is not None else 'preview'}:{block_id}"


def _rank(seed: str, *parts: str) -> bytes:
    return hashlib.sha256("/".join((seed, *parts)).encode()).digest()


def quiz_draw(*, seed: str, question_ids: list[str], count: int) -> list[str]:
    """The `count` questions this seed gets, in the order the instructor gave them.

    Every question gets a rank from the seed and its own id, and the lowest ranks are drawn. A rank
    depends on nothing else, so adding a question to the pool moves at most one question of a
    learner's draw, and the result is the same on any Python version.
    """
    drawn = set(sorted(question_ids, key=lambda question_id: _rank(seed, question_id))[:count])
    return [question_id for question_id in question_ids if question_id in drawn]


def quiz_drawn_question_ids(*, learner_id: int | None, block_id: str, quiz_value) -> list[str]:
    """The questions this learner answers in this quiz block, in the order asked."""
    return quiz_draw(
        seed=quiz_seed(learner_id=learner_id, block_id=block_id),
        question_ids=[bound.id for bound in quiz_value["questions"].bound_blocks],
        count=QuizSettings.of(quiz_value).question_count,
    )


def option_order(*, seed: str, question_id: str, option_ids: list[str]) -> list[str]:
    """The options of one question in this seed's order (grading goes by id, never by place)."""
    return sorted(option_ids, key=lambda option_id: _rank(seed, question_id, option_id))


def quiz_closure(
    *, settings: QuizSettings, attempts_used: int, now: datetime
) -> QuizClosure | None:
    """Why the quiz takes no more attempts from this learner, or None while it still does."""
    if settings.due_at is not None and now >= settings.due_at:
        return QuizClosure.PAST_DUE
    if attempts_used >= settings.max_attempts:
        return QuizClosure.ATTEMPTS_USED
    return None


def quiz_reveals(*, settings: QuizSettings, attempts_used: int, now: datetime) -> bool:
    """Whether this learner may now see which options are right.

    After the last attempt: once the learner can send no more attempts (all used, or the due date
    passed). After the due date: only then, for everyone at once, so nobody who has finished can
    pass the answers to someone who has not.
    """
    if settings.reveal == QuizReveal.AFTER_DUE_DATE:
        return settings.due_at is not None and now >= settings.due_at
    return quiz_closure(settings=settings, attempts_used=attempts_used, now=now) is not None


def format_moment(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def quiz_closed_message(*, settings: QuizSettings, closure: QuizClosure) -> str:
    """What a learner is told when the quiz refuses an attempt."""
    if closure == QuizClosure.PAST_DUE and settings.due_at is not None:
        return _("This quiz closed on %(due)s; your best score stands.") % {
            "due": format_moment(settings.due_at)
        }
    return ngettext(
        "You have used your %(count)d attempt at this quiz; your best score stands.",
        "You have used all %(count)d attempts at this quiz; your best score stands.",
        settings.max_attempts,
    ) % {"count": settings.max_attempts}


def pass_needed(*, percent: int | None, question_count: int) -> int | None:
    """How many questions a learner must get right to reach the lesson's pass share."""
    if percent is None or not question_count:
        return None
    return -(-percent * question_count // 100)


@dataclass(frozen=True)
class QuestionResult:
    question_id: str
    selected: list[str]
    correct: bool


def quiz_grade(
    *, questions: dict, question_ids: list[str], answers: dict[str, list[str]]
) -> list[QuestionResult]:
    """Grade answers to the drawn questions: a question is right when exactly its right options
    are chosen. `questions` maps question ids to question values; answers are option ids, so the
    order the learner saw them in plays no part."""
    results = []
    for question_id in question_ids:
        question = questions[question_id]
        ids = [bound.id for bound in question["options"].bound_blocks]
        right = {
            bound.id for bound in question["options"].bound_blocks if bound.value["is_correct"]
        }
        chosen = set(answers.get(question_id, []))
        results.append(
            QuestionResult(
                question_id=question_id,
                selected=[option_id for option_id in ids if option_id in chosen],
                correct=chosen == right,
            )
        )
    return results
