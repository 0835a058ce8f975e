"""Dates and times as people at the center read them: in settings.TIME_ZONE (Asia/Ho_Chi_Minh), whatever timezone a
request or task has active, written dd/mm/yyyy. Aware datetimes are stored in UTC; formatting one in Python (an
f-string, strftime, str(), date_format) prints UTC unless it is converted first, so every Python-side text with a
time goes through these. Templates convert by themselves (USE_TZ), the `date` filter included."""

import datetime

from django.utils import timezone


def local_today() -> datetime.date:
    """Today's date where the center works."""
    return timezone.localdate(timezone=timezone.get_default_timezone())


def local_datetime(value: datetime.datetime) -> datetime.datetime:
    """An aware moment as the clock on the center's wall shows it."""
    return timezone.localtime(value, timezone.get_default_timezone())


def local_date_text(value: datetime.datetime) -> str:
    """dd/mm/yyyy of an aware moment, in the center's timezone."""
    return f"{local_datetime(value):%d/%m/%Y}"


def local_datetime_text(value: datetime.datetime) -> str:
    """dd/mm/yyyy hh:mm of an aware moment, in the center's timezone."""
    return f"{local_datetime(value):%d/%m/%Y %H:%M}"
