"""Changes a person makes to their own account."""

from .languages import supported_language
from .models import User
from .validation import clean_certificate_name


def user_set_certificate_name(*, user: User, certificate_name: str) -> User:
    """Store the name printed on the user's future certificates, after normalising and checking it.

    Raises ValidationError (with the reason from `clean_certificate_name`) and leaves the
    stored name untouched if the name is refused.
    """
    user.certificate_name = clean_certificate_name(certificate_name)
    user.save(update_fields=["certificate_name"])
    return user


def user_set_language(*, user: User, language: str) -> User:
    """Store the interface language the user chose ("" follows the browser).

    Only codes from settings.LANGUAGES are stored; anything else is stored as "" (no preference),
    so a bad value can never lock someone into a page they cannot read.
    """
    user.language = supported_language(language)
    user.save(update_fields=["language"])
    return user
