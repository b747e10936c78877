"""The learner's privacy page (mounted at /accounts/privacy/): data export and account deletion."""

from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("", views.privacy_page, name="page"),
    path("export/", views.export_request_view, name="export_request"),
    path("export/<int:export_id>/status/", views.export_status, name="export_status"),
    path("export/download/<str:signature>/", views.export_download, name="export_download"),
    path("delete/", views.erasure_request_view, name="erasure_request"),
    path("delete/cancel/", views.erasure_cancel_view, name="erasure_cancel"),
]
