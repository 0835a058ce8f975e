"""Exports as background jobs: recorded, handed to the Tasks API, written to storage with progress, expired."""

import datetime
import logging
import tempfile
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from common.workbook_print import issuer_name
from ops.jobs import expire_files
from organizations.models import Organization
from organizations.permissions import may_use_reports
from oversight import compliance
from reports.models import ReportJob
from reports.workbook import YearWorkbook, missing_workbook

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_tasks.base import TaskContext

logger = logging.getLogger(__name__)


def start_year_workbook(year: int, *, by: "User", term: str = "") -> ReportJob:
    """The yearly workbook; its compliance figures in the term chosen ("" for the current one)."""
    return _start(ReportJob.Kind.YEAR_WORKBOOK, by=by, year=year, parameters={"term": term} if term else None)


def start_missing_list(
    *,
    by: "User",
    organization: Organization,
    period_year: int | None = None,
    post: str = "",
    term: str = "",
    due: str = "",
) -> ReportJob:
    """The compliance page's list of who is missing, for `organization` (in the user's scope), in the year or
    term chosen (neither: the current term), only those overdue or due soon when `due` says so."""
    parameters = {"organization": organization.pk, "period_year": period_year, "post": post, "term": term}
    if due:
        parameters["due"] = due
    return _start(ReportJob.Kind.MISSING_LIST, by=by, parameters=parameters)


def _start(kind, *, by, year=None, parameters=None):
    if by is None or not may_use_reports(by):
        raise PermissionDenied(_("Chỉ cán bộ Trung tâm và cán bộ đảng ủy được xuất báo cáo."))
    expire_reports()
    with transaction.atomic():
        job = ReportJob.objects.create(kind=kind, year=year, parameters=parameters or {}, requested_by=by)
        transaction.on_commit(lambda: run_report_job_task.enqueue(job.pk))
    return job


@task(takes_context=True)
def run_report_job_task(context: "TaskContext", job_id: int) -> None:
    """The background task: in-process by default, on a db_worker in production (see settings.TASKS)."""
    run_report_job(job_id, task_id=str(context.task_result.id))


def run_report_job(job_id: int, *, task_id: str = "") -> ReportJob:
    """Write a job's file. Progress is written as it goes, and with it the heartbeat that tells a job in progress
    from one whose worker stopped (ops/jobs.py)."""
    job = ReportJob.objects.select_related("requested_by").get(pk=job_id)
    job.start(task_id=task_id, percent=0)

    def progress(fraction):
        job.beat(percent=min(99, int(fraction * 100)))

    try:
        with tempfile.TemporaryFile() as target:
            name = _write(job, target, progress)
            target.seek(0)
            # Stored whole before the job names it: a worker stopped half-way leaves no half-written file to download.
            job.file.save(name, File(target), save=False)
    except Exception as error:
        logger.exception("Report job %s failed", job.pk)
        job.fail(error)
        raise
    expires_at = timezone.now() + datetime.timedelta(hours=settings.REPORT_FILE_HOURS)
    if not job.finish(file=job.file.name, percent=100, expires_at=expires_at):
        # Failed as stopped while it was silent for too long: its page already says to export again.
        job.file.delete(save=False)
    return job


def _write(job, target, progress):
    user = job.requested_by
    if job.kind == ReportJob.Kind.YEAR_WORKBOOK:
        YearWorkbook(user, job.year, progress=progress, term=job.parameters.get("term") or None).save(target)
        return f"bao-cao-nam-{job.year}.xlsx"
    parameters = job.parameters
    organization = Organization.objects.for_user(user).get(pk=parameters["organization"])
    period = compliance.default_period(parameters.get("period_year"), parameters.get("term") or None)
    holders = compliance.holders_in(user, period, organization, parameters.get("post", ""))
    labels = Organization.objects.for_user(user).path_labels()
    due = parameters.get("due", "")
    missing = compliance.missing(holders, due)
    missing_workbook(missing, labels, period, organization, target, creator=issuer_name(user), due=due)
    return f"chua-boi-duong-{organization.code}.xlsx"


def expire_reports(now: datetime.datetime | None = None) -> int:
    """Delete the files of report jobs past their time."""
    return expire_files(ReportJob.objects.expired(now), "file")
