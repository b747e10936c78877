"""Build or update the demo site (home page, catalog, courses, notebook exercises); safe to run again."""

from django.core.management.base import BaseCommand

from demo.content import demo_site_build


class Command(BaseCommand):
    help = (
        "Create the demo home page, catalog, courses and exercises that are missing, and update "
        "the ones whose demo content changed. Idempotent. New exercise notebooks are validated by "
        "the task worker unless --validate-now is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--validate-now",
            action="store_true",
            help="Validate new exercise notebooks here in the sandbox (about 5 seconds each) "
            "instead of in the task worker, and retry any still pending or not validated.",
        )

    def handle(self, *args, validate_now: bool = False, **options):
        report = demo_site_build(validate_now=validate_now)
        exercises = report.exercises
        for line in report.kept:
            self.stdout.write(
                self.style.WARNING(f"  kept {line}: edited in the admin since the last load")
            )
        if not report.changed:
            self.stdout.write("Demo content is already in place; nothing changed.")
            return
        for line in report.created:
            self.stdout.write(f"  created {line}")
        for line in report.updated:
            self.stdout.write(f"  updated {line} (new revision)")
        for slug in exercises.created:
            self.stdout.write(f"  created exercise {slug}")
        for slug in exercises.revised:
            self.stdout.write(f"  stored a new revision of exercise {slug}")
        for slug, status in exercises.validated:
            self.stdout.write(f"  validated exercise {slug}: {status}")
        if exercises.queued:
            self.stdout.write(
                f"  queued {len(exercises.queued)} exercise notebooks for validation; the task "
                "worker opens them to learners within a minute"
            )
        summary = f"{len(report.created)} pages added"
        if report.updated:
            summary += f", {len(report.updated)} updated"
        self.stdout.write(self.style.SUCCESS(f"Demo content ready ({summary})."))
