"""Make a new Ed25519 key sign new credentials; credentials signed earlier keep verifying."""

from django.core.management.base import BaseCommand, CommandError

from ...issuer import key_store, verification_method
from ...keys import KeyStoreError


class Command(BaseCommand):
    help = "Rotate the certificate signing key. Old public keys stay published."

    def handle(self, *args, **options):
        store = key_store()
        try:
            previous = store.current()
            key = store.rotate()
        except KeyStoreError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Previous key: {verification_method(previous)}")
        self.stdout.write(self.style.SUCCESS(f"New signing key: {verification_method(key)}"))
        self.stdout.write(f"Published keys: {len(store.all_keys())} (in {store.directory})")
