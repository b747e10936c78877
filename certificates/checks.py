"""System checks: a misconfigured signing setup is reported when the site starts, not at issue."""

from django.core import checks

from .proofs import UnknownCryptosuite


@checks.register(checks.Tags.security)
def cryptosuites_check(app_configs, **kwargs):
    from .issuer import cryptosuites

    try:
        cryptosuites()
    except UnknownCryptosuite as exc:
        return [checks.Error(str(exc), id="certificates.E001")]
    return []
