"""Writes of the grading app, one module per job; every state change of a submission happens in
one of them. Views, tasks, admin hooks and commands import from here.

Imports run one way inside the package: ``notebooks`` (reading an exercise's notebooks) is used
by ``submit`` and ``exercises``; ``grade_run`` by ``regrades``; none of them imports this module.

- ``exercises``: validating exercise revisions in the sandbox; the attempt policy's settings.
- ``submit``: a learner's check or submission, checked and stored (``submission_create``).
- ``grade_run``: a worker's claim, the engine run and the stored verdict; the lease reaper.
- ``overrides``: an instructor's score override.
- ``regrades``: regrading one submission or a whole exercise in the background.
- ``manual_scores``: the score of a submission with manually graded cells (used by ``grade_run``);
  ``manual``: an instructor's grade and feedback for one such cell, audited.
"""

from .exercises import (
    exercise_attempt_policy_set,
    exercise_revision_revalidate,
    exercise_revision_validate,
    exercise_revision_validate_later,
)
from .grade_run import db_retry_delays, in_kernel_tests, submission_grade, submission_reap_expired
from .manual import manual_grade_set, review_graded_notify
from .manual_scores import manual_cells, manual_state, submission_manual_refresh
from .notebooks import answer_grade_ids, notebook_answers, release_answer_stubs, release_notebook_of
from .overrides import grade_override
from .refusals import SubmissionRefused
from .regrades import exercise_regrade, regrade_batch_run, regrade_diff, submission_regrade
from .submit import submission_create

__all__ = [
    "SubmissionRefused",
    "answer_grade_ids",
    "db_retry_delays",
    "exercise_attempt_policy_set",
    "exercise_regrade",
    "exercise_revision_revalidate",
    "exercise_revision_validate",
    "exercise_revision_validate_later",
    "grade_override",
    "in_kernel_tests",
    "manual_cells",
    "manual_grade_set",
    "manual_state",
    "notebook_answers",
    "regrade_batch_run",
    "regrade_diff",
    "release_answer_stubs",
    "release_notebook_of",
    "review_graded_notify",
    "submission_create",
    "submission_grade",
    "submission_manual_refresh",
    "submission_reap_expired",
    "submission_regrade",
]
