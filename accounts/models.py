"""The user model. Everyone is a learner; instructors and staff get admin access on top."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

# The certificate layout holds a name of this many characters on one line at the
# smallest type size it uses; longer names are refused at the profile, not truncated.
CERTIFICATE_NAME_MAX_LENGTH = 60


class User(AbstractUser):
    certificate_name = models.CharField(
        _("name on certificates"),
        max_length=CERTIFICATE_NAME_MAX_LENGTH,
        blank=True,
        help_text=_("Your name exactly as it should appear on your certificates."),
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    @property
    def display_name(self) -> str:
        """The name to greet the person by: certificate name, full name, or e-mail."""
        return self.certificate_name or self.get_full_name() or self.email or self.username

    @property
    def is_instructor(self) -> bool:
        return self.is_superuser or self.groups.filter(name=INSTRUCTORS_GROUP).exists()


INSTRUCTORS_GROUP = "Instructors"
