"""Batch printing: a course's valid certificates as one PDF in roster order, or as a ZIP of the stored
PDFs, produced by a background task that records its progress on a PrintJob."""

import datetime
import io
import logging
import re
import threading
import zipfile
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from django_tasks import task

from certificates import pdf
from certificates.models import Certificate, PrintJob
from certificates.services import pdf_filename, stored_pdf
from common.history import acting_as, system_user
from courses.models import Course
from ops.jobs import expire_files
from organizations.permissions import may_print

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.db.models import QuerySet
    from django_tasks.base import TaskContext

logger = logging.getLogger(__name__)

# How often (in certificates) a running job writes its progress.
PROGRESS_STEP = 10
LAYOUT_PAGE = re.compile(r"Step 5 - Creating layout - Page (\d+)$")


def course_certificates(course: Course) -> "QuerySet[Certificate]":
    return Certificate.objects.valid().filter(enrollment__course=course).for_printing()


def batch_title(course: Course) -> str:
    return f"Giấy chứng nhận — {course.code}"


def check_can_print(by: "User | None", course: Course | None = None) -> None:
    if by is None or not may_print(by, course):
        raise PermissionDenied(_("Chỉ cán bộ Trung tâm được in giấy chứng nhận."))


def start_print_job(course: Course, *, kind: str, by: "User") -> PrintJob:
    """Record a print job and hand it to the task backend once the record is committed."""
    check_can_print(by, course)
    with transaction.atomic():
        job = _new_job(course, kind=kind, by=by)
        transaction.on_commit(lambda: run_print_job_task.enqueue(job.pk))
    return job


def print_now(course: Course, *, kind: str, by: "User | None") -> PrintJob:
    """A print job done in this process (the print_certificates command), recorded like one started from the
    admin as asked for by `by`, or by the system account when `by` is None (the command line)."""
    if by is not None:
        check_can_print(by, course)
    return run_print_job(_new_job(course, kind=kind, by=by or system_user()))


def _new_job(course, *, kind, by):
    return PrintJob.objects.create(course=course, kind=kind, requested_by=by, total=course_certificates(course).count())


class _LayoutProgress(logging.Handler):
    """Counts the pages WeasyPrint lays out, writing the job's progress every few pages."""

    def __init__(self, job):
        super().__init__(logging.INFO)
        self.job = job
        self.thread = threading.get_ident()

    def emit(self, record):
        # Another thread's render (a download, say) logs its own pages to the same logger.
        if record.thread != self.thread:
            return
        match = LAYOUT_PAGE.match(record.getMessage())
        if match:
            done = min(int(match[1]), self.job.total)
            if done % PROGRESS_STEP == 0 or done == self.job.total:
                self.job.beat(done=done)


@task(takes_context=True)
def run_print_job_task(context: "TaskContext", job_id: int) -> None:
    """The background task: in-process by default, on a db_worker in production (see settings.TASKS). The history
    records what it changes as done by the user who asked for the job, as if they had done it in a request."""
    job = PrintJob.objects.select_related("requested_by", "course").get(pk=job_id)
    with acting_as(job.requested_by):
        run_print_job(job, task_id=str(context.task_result.id))


def run_print_job(job: PrintJob, *, task_id: str = "") -> PrintJob:
    """Produce a job's file. Progress is written as it goes, so the staff page can show it, and with it the
    heartbeat that tells a job in progress from one whose worker stopped (ops/jobs.py)."""
    job.start(task_id=task_id)
    certificates = list(course_certificates(job.course))
    job.beat(total=len(certificates), done=0)
    try:
        if job.kind == PrintJob.Kind.PDF:
            content, extension = _one_pdf(job, certificates), "pdf"
        else:
            content, extension = _zip(job, certificates), "zip"
    except Exception as error:
        logger.exception("Print job %s failed", job.pk)
        job.fail(error)
        raise
    # The file is stored whole before the job names it, so a worker stopped half-way leaves no half-written file
    # to download.
    job.output.save(f"{job.course.code}-giay-chung-nhan.{extension}", ContentFile(content), save=False)
    if not job.finish(output=job.output.name, done=job.total):
        # Failed as stopped while it was silent for too long: its page already says to print again.
        job.output.delete(save=False)
    return job


def expire_print_jobs(now: datetime.datetime | None = None) -> int:
    """Delete the files of print jobs past PRINT_FILE_HOURS."""
    return expire_files(PrintJob.objects.expired(now), "output")


def _one_pdf(job, certificates):
    progress = _LayoutProgress(job)
    logger_ = logging.getLogger("weasyprint.progress")
    level, propagate = logger_.level, logger_.propagate
    logger_.addHandler(progress)
    # WeasyPrint's page-by-page narration reaches the progress handler only, not the process's log.
    logger_.setLevel(logging.INFO)
    logger_.propagate = False
    try:
        return pdf.render_batch(certificates, batch_title(job.course))
    finally:
        logger_.removeHandler(progress)
        logger_.setLevel(level)
        logger_.propagate = propagate


def _zip(job, certificates):
    """The stored PDFs as they were issued, not rendered again."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for index, certificate in enumerate(certificates, start=1):
            archive.writestr(f"{index:03d}-{pdf_filename(certificate)}", stored_pdf(certificate))
            if index % PROGRESS_STEP == 0:
                job.beat(done=index)
    return buffer.getvalue()
