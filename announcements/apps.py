"""App configuration for course announcements and due-date reminders (above courses)."""

from django.apps import AppConfig


class AnnouncementsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "announcements"
    verbose_name = "Announcements"
