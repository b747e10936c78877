from django.urls import path

from . import grades_views, invitation_views, search_views, views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("search/", search_views.search, name="search"),
    path("courses/<int:course_id>/enrol/", views.enrol, name="course_enrol"),
    path("courses/<int:course_id>/unenrol/", views.unenrol, name="course_unenrol"),
    path("courses/<int:course_id>/grades/", grades_views.course_grades, name="course_grades"),
    path("invitations/<str:token>/", invitation_views.invitation_open, name="invitation_open"),
    path("lessons/<int:lesson_id>/complete/", views.complete_lesson, name="lesson_complete"),
    path(
        "lessons/<int:lesson_id>/checks/<str:block_id>/",
        views.answer_knowledge_check,
        name="knowledge_check_answer",
    ),
]
