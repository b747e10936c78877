"""Signals grading sends to the layers above it (see DESIGN.md: events travel up on commit).

submission_graded(sender=Submission, submission=Submission) is sent on commit whenever the
score that counts for a submission may have changed: it was graded or regraded, failed, or an
instructor overrode its grade. Courses listens and records the learner's counted score
(grading.selectors.learner_exercise_score) for course progress.
"""

from django.dispatch import Signal

submission_graded = Signal()
