"""Settings for the pages benchmark: the dev settings as `make run` uses them, without DEBUG
(which records every query and would measure Django's debug machinery, not the pages)."""

from config.settings.dev import *  # noqa: F403

DEBUG = False
LOGGING["root"]["level"] = "WARNING"  # noqa: F405 - one access-log line per request is noise here
