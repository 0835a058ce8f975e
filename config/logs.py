"""Log lines for production: one JSON object per line on stdout, carrying the id of the request being served."""

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

# The id of the request this thread is serving ("-" outside a request: commands, the task worker).
request_id = ContextVar("request_id", default="-")

# What every LogRecord carries; anything else on a record was passed as `extra=` and is logged as a field.
_RECORD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id", "request"}


class RequestIdFilter(logging.Filter):
    """Stamps each record with the id of the request being served, or of the request it names: Django logs a
    4xx response after the middleware has finished with the request."""

    def filter(self, record):
        record.request_id = getattr(getattr(record, "request", None), "request_id", None) or request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """time, level, logger, message, request_id, the record's extra fields, and the stack trace of an error."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id.get()),
        }
        entry.update((key, value) for key, value in vars(record).items() if key not in _RECORD_ATTRIBUTES)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def logging_config(level):
    """The LOGGING setting: everything to stdout through the JSON formatter, Django's own loggers included."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "filters": ["request_id"],
                "formatter": "json",
            }
        },
        "root": {"handlers": ["stdout"], "level": level},
        # Django's defaults send these to stderr (and mail admins); here they go through the one handler.
        "loggers": {
            "django": {"handlers": ["stdout"], "level": level, "propagate": False},
            # runserver's access lines would repeat config.requests' line for each request.
            "django.server": {"handlers": ["stdout"], "level": "WARNING", "propagate": False},
            # WeasyPrint and fontTools narrate every PDF at INFO.
            "weasyprint": {"level": "WARNING"},
            "fontTools": {"level": "WARNING"},
            # django-axes announces itself at INFO each time Django starts (every management command).
            "axes.apps": {"level": "WARNING"},
        },
    }
