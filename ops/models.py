"""Worker heartbeats: one row per worker process, refreshed while it runs."""

from django.db import models


class WorkerHeartbeat(models.Model):
    worker_id = models.CharField(max_length=128, unique=True)
    hostname = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(null=True, blank=True)
    last_seen_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"{self.worker_id} at {self.last_seen_at:%Y-%m-%d %H:%M:%S}"
