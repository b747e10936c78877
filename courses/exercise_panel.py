"""The exercise panel's context for a request: shared by the exercise page and the lesson block.

Kept apart from the views so the lesson blocks (loaded with the models) can import it.
"""

from __future__ import annotations

from typing import Any

from exercises.models import Exercise
from grading.selectors import exercise_panel_context

DRAFT_SESSION_KEY = "pma-exercise-draft-{exercise_id}"


def exercise_panel_for_request(
    *, request, exercise: Exercise, course_page_id: int | None
) -> dict[str, Any]:
    """The panel context for a page showing the exercise (the lesson block calls this too).

    Answers typed into a request that was refused come back once from the session, so the
    learner's work is never lost to a cooldown or a deadline message.
    """
    draft = request.session.pop(DRAFT_SESSION_KEY.format(exercise_id=exercise.pk), None)
    return exercise_panel_context(
        learner=request.user,
        exercise=exercise,
        course_page_id=course_page_id,
        draft=draft if isinstance(draft, dict) else None,
    )
