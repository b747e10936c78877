"""The refusal a learner or instructor reads when a grading request is turned down."""


class SubmissionRefused(Exception):
    """A submission or check turned down before anything was stored; str() is for the learner."""
