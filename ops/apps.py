"""App configuration for the operations layer."""

from django.apps import AppConfig
from django.core.signals import request_finished
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ops"
    verbose_name = _("Operations")

    def ready(self) -> None:
        from ops.logs import forget_request_id

        request_finished.connect(forget_request_id, dispatch_uid="ops.forget_request_id")
