"""The exercise panel's context for a request: shared by the exercise page and the lesson block.

Kept apart from the views so the lesson blocks (loaded with the models) can import it; for the
same reason the draft's module is imported when a panel is built, not when this one loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from exercises.models import Exercise
from grading.selectors import exercise_panel_context

if TYPE_CHECKING:
    from .drafts import DraftState

# Answers the server could not keep as the draft (a newer draft was saved elsewhere, or the
# save was refused) wait here for the next page, so they are never lost.
DRAFT_SESSION_KEY = "pma-exercise-draft-{exercise_id}"


@dataclass(frozen=True)
class DraftPanel:
    """What the answer form needs of the learner's draft."""

    enabled: bool
    state: DraftState
    # The answers in the form are not saved: they came back from the session.
    unsaved: bool = False
    # The draft was written against an older revision of the exercise.
    older_revision: bool = False

    @property
    def version(self) -> int:
        return self.state.version


def exercise_panel_for_request(
    *, request, exercise: Exercise, course_page_id: int | None, enrolment: Any = None
) -> dict[str, Any]:
    """The panel context for a page showing the exercise (the lesson block calls this too).

    The editor starts from the learner's server draft (or their last submission when that is
    newer); answers that could not be saved in the last request come back once from the session.
    """
    from .drafts import DraftState, learner_draft

    unsaved = request.session.pop(DRAFT_SESSION_KEY.format(exercise_id=exercise.pk), None)
    unsaved = unsaved if isinstance(unsaved, dict) else None
    draft = None
    if course_page_id is not None and request.user.is_authenticated:
        draft = learner_draft(learner=request.user, course_id=course_page_id, exercise=exercise)
    state = DraftState.of(draft)
    from .cohorts import learner_due_dates

    # The learner's cohort may have its own due date (one query, only for a learner in a cohort
    # when the caller passes the enrolment it holds).
    due_dates = learner_due_dates(
        learner=request.user, course_id=course_page_id, request=request, enrolment=enrolment
    )
    context = exercise_panel_context(
        learner=request.user,
        exercise=exercise,
        course_page_id=course_page_id,
        draft=unsaved if unsaved is not None else (state.answers or None),
        draft_saved_at=None if unsaved is not None else state.updated_at,
        due_at=due_dates.due_at(exercise),
        due_source=due_dates.source(exercise),
    )
    context["cohort_due"] = due_dates.is_cohort_date(exercise) and due_dates.cohort_name
    context["exercise_draft"] = DraftPanel(
        enabled=course_page_id is not None and request.user.is_authenticated,
        state=state,
        unsaved=unsaved is not None,
        older_revision=draft is not None
        and draft.revision_id is not None
        and draft.revision_id != exercise.current_revision_id,
    )
    return context
