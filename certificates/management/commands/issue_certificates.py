"""Back-fill: issue certificates to every learner who completed a course but has none."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from courses.models import CoursePage

from ...selectors import course_learners_without_certificate
from ...services import CertificateError, certificate_issue
from ..progress import progress_write


class Command(BaseCommand):
    help = "Issue certificates to learners whose progress in a course is complete."

    def add_arguments(self, parser):
        parser.add_argument(
            "--course", required=True, metavar="SLUG", help="The course page's slug."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count the learners who would get one."
        )

    def handle(self, *args, course: str, dry_run: bool, **options):
        matches = list(CoursePage.objects.filter(slug=course))
        if not matches:
            raise CommandError(f"No course with the slug {course!r}.")
        if len(matches) > 1:
            raise CommandError(f"Several courses have the slug {course!r}; rename one first.")
        page = matches[0].specific
        learner_ids = course_learners_without_certificate(course=page)
        if dry_run or not learner_ids:
            self.stdout.write(f"{len(learner_ids)} learner(s) of {page.title} need a certificate.")
            return
        users = get_user_model().objects.in_bulk(learner_ids)
        issued = failed = 0
        for done, learner_id in enumerate(learner_ids, start=1):
            try:
                certificate_issue(learner=users[learner_id], course=page)
                issued += 1
            except CertificateError as exc:
                failed += 1
                self.stderr.write(f"\nlearner {learner_id}: {exc}")
            progress_write(self.stderr, done, len(learner_ids))
        self.stderr.write("\n")
        self.stdout.write(
            self.style.SUCCESS(f"Issued {issued} certificate(s) for {page.title}; {failed} failed.")
        )
