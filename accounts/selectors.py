"""Read-only questions about a person's account, for pages and allauth hooks."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.utils import is_mfa_enabled

from .models import User


@dataclass(frozen=True)
class AccountSecurity:
    """What the profile page shows about how the account signs in."""

    email: str
    email_verified: bool
    two_factor_enabled: bool
    two_factor_recommended: bool


def user_display_name(user: User) -> str:
    """The name allauth shows in its pages and e-mails (ACCOUNT_USER_DISPLAY).

    allauth's default is the username, which is generated from the e-mail and
    means nothing to the person reading it.
    """
    return user.display_name


def user_account_security(*, user: User) -> AccountSecurity:
    primary = EmailAddress.objects.get_primary(user)
    two_factor_enabled = is_mfa_enabled(user)
    return AccountSecurity(
        email=primary.email if primary else user.email,
        email_verified=bool(primary and primary.verified),
        two_factor_enabled=two_factor_enabled,
        # Staff can change courses and grades for everyone, so a stolen password costs more.
        two_factor_recommended=(user.is_staff or user.is_superuser) and not two_factor_enabled,
    )
