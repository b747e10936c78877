from django.urls import path

from . import views

urlpatterns = [
    path("", views.profile, name="profile"),
    path("language/", views.profile_language, name="profile_language"),
]
