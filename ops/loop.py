"""The sweep loop of the long-running management commands (`grading_reaper`, `render_certificates`).

A sweep recovers from outages, so an outage must not end the loop that runs it: a failed round
is logged and the next one comes after the interval as usual. With `once` (cron) there is no
next round, so the failure is raised for the caller to see.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.db import DatabaseError, connection


def run_periodically(
    sweep: Callable[[], object],
    *,
    interval: float,
    once: bool,
    logger: logging.Logger,
    label: str,
    recoverable: tuple[type[Exception], ...] = (Exception,),
    sleep: Callable[[float], object] = time.sleep,
) -> None:
    """Call `sweep` now and every `interval` seconds after, until Ctrl-C (or after one round if `once`).

    An exception in `recoverable` is logged on `logger` as "`label` failed; …" and the loop goes
    on; any other exception ends it. After a database error the connection is closed, so the
    next round opens a fresh one instead of reusing a broken one.
    """
    while True:
        try:
            sweep()
        except recoverable as exc:
            if once:
                raise
            logger.error("%s failed; trying again in %ss: %s", label, interval, exc)
            if isinstance(exc, DatabaseError):
                connection.close()
        if once:
            return
        try:
            sleep(interval)
        except KeyboardInterrupt:
            return
