from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Courses"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Courses listens to grading's submission_graded (DESIGN.md: events travel up): progress
        # in receivers, the per-test tallies behind the analytics in analytics. receivers also
        # indexes the exercises a lesson embeds as it is published. learner_names keeps the
        # gradebook's stored sort names in step with learners' names.
        from . import analytics, learner_names, receivers  # noqa: F401
