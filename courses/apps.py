from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Courses"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Every receiver of courses is connected here, explicitly (courses.receivers lists them):
        # grading's submission_graded (DESIGN.md: events travel up) → exercise scores, progress
        # and the analytics' per-test tallies; the stored sort names and reference index; and the
        # page cache's invalidation.
        from .receivers import connect_receivers

        connect_receivers()
