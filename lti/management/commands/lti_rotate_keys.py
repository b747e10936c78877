"""Make a new signing key for the LTI tool; the old one stays in the JWKS as "previous"."""

from django.core.management.base import BaseCommand

from lti.keys import tool_key_rotate


class Command(BaseCommand):
    help = "Rotate the LTI tool's RSA signing key (the previous keys stay published at /lti/jwks/)."

    def handle(self, *args, **options):
        key = tool_key_rotate()
        self.stdout.write(f"New current key: {key.kid}")
