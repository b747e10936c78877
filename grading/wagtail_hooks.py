"""Wagtail admin registrations of the grading app."""

from wagtail import hooks

from .admin_exercises import exercise_viewset
from .admin_review import review_viewset
from .admin_submissions import submission_viewset
from .choosers import exercise_chooser_viewset


@hooks.register("register_admin_viewset")
def register_exercise_viewset():
    return exercise_viewset


@hooks.register("register_admin_viewset")
def register_submission_viewset():
    return submission_viewset


@hooks.register("register_admin_viewset")
def register_exercise_chooser_viewset():
    return exercise_chooser_viewset


@hooks.register("register_admin_viewset")
def register_review_viewset():
    return review_viewset
