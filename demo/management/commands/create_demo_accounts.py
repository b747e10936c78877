"""Create demo log-ins (learner, instructor, superuser) on a development site."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.accounts import demo_accounts_create


class Command(BaseCommand):
    help = "Create a demo learner, instructor and superuser with known passwords (DEBUG only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "create_demo_accounts only runs when DEBUG is on: it creates accounts with "
                "published passwords, which must never exist on a real site."
            )
        accounts = demo_accounts_create()
        self.stdout.write("Demo log-ins (e-mail / password):")
        for account in accounts:
            state = "created" if account.created else "already there"
            self.stdout.write(
                f"  {account.role:<11} {account.email} / {account.password}  ({state})"
            )
