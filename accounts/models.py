"""The user model. Everyone is a learner; instructors and staff get admin access on top."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

# The certificate layout holds a name of this many characters on one line at the
# smallest type size it uses; longer names are refused at the profile, not truncated.
CERTIFICATE_NAME_MAX_LENGTH = 60


def shown_name(
    *, certificate_name: str, first_name: str, last_name: str, email: str = "", username: str = ""
) -> str:
    """The one rule for the name a person is shown by: the name they chose for certificates, else
    their full name, else (only where they are given) their e-mail, else their username.

    Plain fields, so a migration can pass its historical users. Public places (a certificate's
    instructor, a course page's teachers) leave out ``email`` and ``username``: nobody is named
    by their e-mail address to others.
    """
    full_name = f"{first_name} {last_name}".strip()
    return (certificate_name or full_name or email or username).strip()


class User(AbstractUser):
    certificate_name = models.CharField(
        _("name on certificates"),
        max_length=CERTIFICATE_NAME_MAX_LENGTH,
        blank=True,
        help_text=_("Your name exactly as it should appear on your certificates."),
    )
    # A code from settings.LANGUAGES; blank follows the browser. No choices here, so offering a
    # new language needs no migration; accounts.languages.supported_language reads it safely.
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        default="",
        help_text=_("The language of pages and e-mails. Blank follows your browser."),
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    @property
    def display_name(self) -> str:
        """The name to greet the person by and to list them under (shown_name)."""
        return shown_name(
            certificate_name=self.certificate_name,
            first_name=self.first_name,
            last_name=self.last_name,
            email=self.email,
            username=self.username,
        )

    @property
    def public_name(self) -> str:
        """The name others may read (shown_name without e-mail or username); may be empty."""
        return shown_name(
            certificate_name=self.certificate_name,
            first_name=self.first_name,
            last_name=self.last_name,
        )

    @property
    def is_instructor(self) -> bool:
        return self.is_superuser or self.groups.filter(name=INSTRUCTORS_GROUP).exists()


INSTRUCTORS_GROUP = "Instructors"
