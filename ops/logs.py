"""Structured logs: one JSON object per line, tagged with the id of the request being served."""

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

request_id_var: ContextVar[str | None] = ContextVar("pma_request_id", default=None)

# Attributes every LogRecord has; anything else on a record was passed through `extra=`.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "request_id",
}
_PLAIN_TYPES = (str, int, float, bool, type(None))


def current_request_id() -> str | None:
    """The id of the request this code runs for, or None outside a request."""
    return request_id_var.get()


def forget_request_id(**kwargs: object) -> None:
    """`request_finished` receiver: later log lines of this thread belong to no request."""
    request_id_var.set(None)


class RequestIdFilter(logging.Filter):
    """Adds `record.request_id` so every formatter can print it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get() or "-"
        return True


class JsonLineFormatter(logging.Formatter):
    """Formats a record as one line of JSON that log collectors parse without rules."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or request_id_var.get()
        if request_id and request_id != "-":
            entry["request_id"] = request_id
        for key, value in vars(record).items():
            # Only plain values: Django passes the request object itself, which holds cookies.
            if (
                key not in _RECORD_ATTRIBUTES
                and not key.startswith("_")
                and isinstance(value, _PLAIN_TYPES)
            ):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
