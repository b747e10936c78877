"""Background work for privacy, on the default queue. Tasks take ids."""

from __future__ import annotations

from django_tasks import task

from .exports import export_build


@task()
def data_export_task(export_id: int) -> str:
    return export_build(export_id=export_id).status
