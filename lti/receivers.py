"""The LTI app's one receiver, connected once from LtiConfig.ready():
grading.signals.submission_graded → lti.scores.score_posts_record (grade passback)."""

from grading.models import Submission
from grading.signals import submission_graded

from .scores import score_posts_record


def post_scores(sender, submission: Submission, **kwargs) -> None:
    score_posts_record(submission=submission)


def connect_receivers() -> None:
    submission_graded.connect(post_scores, dispatch_uid="lti.post_scores")
