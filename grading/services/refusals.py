"""The refusal a learner or instructor reads when a grading request is turned down."""

from exercises.translated import translated_message


class SubmissionRefused(Exception):
    """A submission or check turned down before anything was stored; str() is for the learner.

    The sentence is rendered in the active language here, so a reason the format checks wrote in
    English (an upload that is not a notebook) reads in the learner's language too."""

    def __init__(self, message: object = "", *args: object) -> None:
        super().__init__(translated_message(message), *args)
