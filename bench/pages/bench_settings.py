"""Settings for the pages benchmark: the dev settings as `make run` uses them, without DEBUG
(which records every query and would measure Django's debug machinery, not the pages)."""

from config.settings.dev import *  # noqa: F403

DEBUG = False
LOGGING["root"]["level"] = "WARNING"  # noqa: F405 - one access-log line per request is noise here
# "Run to here" requests take the accepting path every time: no per-minute limit, and a run still
# queued counts as lost at once (so one learner may start the next); only the last 10 are kept.
PMA_GRADING = {**PMA_GRADING, "RUNS": {"PER_MINUTE": 0, "STALE_SECONDS": 0}}  # noqa: F405
