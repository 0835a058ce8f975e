"""The periodic housekeeping that `manage.py prune` runs: each step of settings.HOUSEKEEPING in turn."""

import datetime
import logging

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


def run_housekeeping(now: datetime.datetime | None = None) -> dict[str, int | None]:
    """Run every step with the same `now` and return what each counted, None for a step that failed. A failing step
    is logged and the others still run: an unreadable report file must not keep stopped jobs from being failed."""
    now = now or timezone.now()
    counts = {}
    for path in settings.HOUSEKEEPING:
        try:
            counts[path] = import_string(path)(now)
        except Exception:
            logger.exception("housekeeping step %s failed", path)
            counts[path] = None
    return counts
