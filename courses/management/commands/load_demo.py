"""Build the demo site (home page, catalog, courses); safe to run again."""

from django.core.management.base import BaseCommand

from courses.demo_content import demo_site_build


class Command(BaseCommand):
    help = "Create the demo home page, catalog and courses that are missing. Idempotent."

    def handle(self, *args, **options):
        report = demo_site_build()
        if not report.created:
            self.stdout.write("Demo content is already in place; nothing changed.")
            return
        for line in report.created:
            self.stdout.write(f"  created {line}")
        self.stdout.write(
            self.style.SUCCESS(f"Demo content ready ({len(report.created)} pages added).")
        )
