"""Report jobs in the personas' world (tests/conftest.py): one exported by each committee's officer."""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from reports.models import ReportJob


def add_report_jobs(world):
    world.report_job_a = ReportJob.objects.create(
        kind=ReportJob.Kind.YEAR_WORKBOOK, year=2021, requested_by=world.officer_a
    )
    world.report_job_b = ReportJob.objects.create(
        kind=ReportJob.Kind.YEAR_WORKBOOK, year=2021, requested_by=world.officer_b
    )
    return world


def finish_report_jobs(world):
    """The world's report jobs done, each with a small stored file (written to MEDIA_ROOT)."""
    for job in (world.report_job_a, world.report_job_b):
        job.file.save("bao-cao-nam-2021.xlsx", ContentFile(b"PK\x05\x06" + b"\0" * 18), save=False)
        job.status, job.percent = ReportJob.Status.DONE, 100
        job.finished_at = timezone.now()
        job.expires_at = job.finished_at + datetime.timedelta(hours=1)
        job.save()
    return world
