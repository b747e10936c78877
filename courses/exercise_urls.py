"""URLs of the learner's exercise pages and submissions (see courses/exercise_views.py)."""

from django.urls import path

from . import draft_views, run_views
from . import exercise_views as views

urlpatterns = [
    path(
        "courses/<int:course_id>/exercises/<int:exercise_id>/",
        views.exercise_page,
        name="exercise_page",
    ),
    path(
        "courses/<int:course_id>/exercises/<int:exercise_id>/notebook/",
        views.exercise_release,
        name="exercise_release",
    ),
    path(
        "courses/<int:course_id>/exercises/<int:exercise_id>/submit/",
        views.exercise_submit,
        name="exercise_submit",
    ),
    path(
        "courses/<int:course_id>/exercises/<int:exercise_id>/run/",
        run_views.exercise_run,
        name="exercise_run",
    ),
    path("runs/<int:run_id>/status/", run_views.exercise_run_status, name="exercise_run_status"),
    path(
        "courses/<int:course_id>/exercises/<int:exercise_id>/draft/",
        draft_views.exercise_draft,
        name="exercise_draft",
    ),
    path(
        "courses/<int:course_id>/exercises/<int:exercise_id>/draft/save/",
        draft_views.exercise_draft_form,
        name="exercise_draft_form",
    ),
    path("submissions/<int:submission_id>/", views.submission_detail, name="submission_detail"),
    path(
        "submissions/<int:submission_id>/status/", views.submission_status, name="submission_status"
    ),
    path(
        "submissions/<int:submission_id>/notebook/",
        views.submission_notebook,
        name="submission_notebook",
    ),
]
