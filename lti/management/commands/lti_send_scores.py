"""Send every grade passback row that is waiting or whose retry is due (run from cron or a
timer where the task backend cannot defer retries); also drops expired OIDC launch data."""

from django.core.management.base import BaseCommand

from lti.launch_storage import launch_data_purge_expired
from lti.scores import scores_due_send


class Command(BaseCommand):
    help = "Send due LTI grade passback rows and purge expired LTI launch data."

    def handle(self, *args, **options):
        tried = scores_due_send()
        purged = launch_data_purge_expired()
        self.stdout.write(f"Score rows tried: {tried}; expired launch data removed: {purged}")
