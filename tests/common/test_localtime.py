"""Every date and time a person reads is the center's (Asia/Ho_Chi_Minh), not the UTC it is stored in: a print job's
title showed UTC (issue 15). Templates convert by themselves; Python-side text goes through common/localtime.py."""

import datetime
import os
import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from certificates.models import PrintJob
from common.localtime import local_date_text, local_datetime_text, local_today
from organizations.models import AccessLog
from portal.my_data import shown

ROOT = Path(settings.BASE_DIR)
# 20:30 on 03/12 in UTC is 03:30 on 04/12 in Hà Nội (UTC+7).
LATE_EVENING_UTC = datetime.datetime(2026, 12, 3, 20, 30, tzinfo=datetime.UTC)


def test_the_helpers_read_the_centers_clock(settings):
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    assert local_datetime_text(LATE_EVENING_UTC) == "04/12/2026 03:30"
    assert local_date_text(LATE_EVENING_UTC) == "04/12/2026"
    assert isinstance(local_today(), datetime.date)


def test_a_print_jobs_title_is_in_the_centers_time(world, client_for, center_staff):
    job = world.print_job_a
    PrintJob.objects.filter(pk=job.pk).update(requested_at=LATE_EVENING_UTC)
    job.refresh_from_db()

    assert str(job).endswith("(04/12/2026 03:30)"), str(job)
    page = client_for(center_staff).get(reverse("admin:certificates_printjob_change", args=[job.pk])).content.decode()
    assert "04/12/2026 03:30" in page and "03/12/2026 20:30" not in page


def test_an_access_log_rows_title_is_in_the_centers_time(world):
    row = AccessLog(at=LATE_EVENING_UTC, username="canbo", action=AccessLog.Action.VIEW_MEMBER)
    assert str(row).startswith("04/12/2026 03:30 canbo")


def test_the_own_data_export_shows_a_moment_in_the_centers_time():
    assert shown(LATE_EVENING_UTC) == "04/12/2026 03:30"
    assert shown(datetime.date(2026, 12, 3)) == "03/12/2026"


PYTHON_TIME_FORMAT = re.compile(r"%H")
# Formats Django parses typed input with, and the helpers themselves.
ALLOWED = {Path("config/formats/vi/formats.py"), Path("common/localtime.py")}
SKIPPED = {".venv", "tests", "bench", "node_modules", "static", "media", ".git"}


def test_no_python_code_formats_a_time_of_day_but_the_helpers():
    """A time of day formatted in Python (%H in an f-string or strftime) is UTC unless converted first: only
    common/localtime.py formats one, after converting it."""
    found = []
    for folder, folders, files in os.walk(ROOT):
        folders[:] = [name for name in folders if name not in SKIPPED and not name.startswith(".")]
        for name in files:
            relative = (Path(folder) / name).relative_to(ROOT)
            if not name.endswith(".py") or relative in ALLOWED:
                continue
            text = (ROOT / relative).read_text(encoding="utf-8")
            found += [f"{relative}:{text[: m.start()].count(chr(10)) + 1}" for m in PYTHON_TIME_FORMAT.finditer(text)]
    assert not found, "format these with common.localtime: " + ", ".join(found)
