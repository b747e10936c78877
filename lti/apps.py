from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LtiConfig(AppConfig):
    name = "lti"
    verbose_name = _("LTI 1.3")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # grading.signals.submission_graded → the learner's counted score goes to the LMS
        # gradebook through the outbox (lti.scores); connected explicitly, once.
        from .receivers import connect_receivers

        connect_receivers()
