"""Rules for the name printed on certificates."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import CERTIFICATE_NAME_MAX_LENGTH


def clean_certificate_name(value: str) -> str:
    """Normalise and check a certificate name; raise ValidationError with a reason."""
    name = " ".join(unicodedata.normalize("NFC", value or "").split())
    if not name:
        raise ValidationError(_("Enter the name to print on your certificates."), code="required")
    if len(name) > CERTIFICATE_NAME_MAX_LENGTH:
        raise ValidationError(
            _(
                "That name is %(length)s characters; certificates fit at most %(limit)s. "
                "Use a shorter form of your name."
            )
            % {"length": len(name), "limit": CERTIFICATE_NAME_MAX_LENGTH},
            code="max_length",
        )
    if any(unicodedata.category(ch) in {"Cc", "Cf", "Co", "Cs"} for ch in name):
        raise ValidationError(
            _("The name contains control or invisible characters."), code="invalid"
        )
    if not any(ch.isalpha() for ch in name):
        raise ValidationError(_("The name must contain letters."), code="invalid")
    return name
