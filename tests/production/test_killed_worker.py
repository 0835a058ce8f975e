"""The reproduction of issue 13 part 4 with a real worker: `kill -9` of `manage.py db_worker` in the middle of a
batch print left the job "running 10/20" and its task RUNNING for ever (a new worker takes only tasks that are
ready). Now `manage.py prune` fails both once the heartbeat is older than JOB_STALE_SECONDS, and the print runs
again.

The worker is a separate process on the test database, so the test commits (transaction=True) and needs a server
that two processes share: PostgreSQL."""

import datetime
import os
import signal
import subprocess
import sys
import time

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from certificates import printing
from certificates.models import PrintJob
from ops.jobs import fail_stale_jobs
from tests import factories
from tests.production.processes import ROOT, production_environment

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
CERTIFICATES = 20
STOPPED = "Tiến trình xử lý đã dừng giữa chừng; hãy chạy lại."


def start_worker(tmp_path, *arguments):
    database = connection.settings_dict
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    # DEBUG on: the certificate fonts are read from static/, with no collectstatic run for the test. The worker then
    # runs under the autoreloader, in a child process: its own session lets the test kill both.
    environment = production_environment(
        DEBUG="1", DATABASE_URL=url, TASKS_BACKEND=DATABASE_TASKS["default"]["BACKEND"], MEDIA_ROOT=str(tmp_path)
    )
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--interval", "0.05", "--no-startup-delay", *arguments],
        cwd=ROOT,
        env=environment,
        stdout=(tmp_path / "worker.log").open("a"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_for(condition, what, log, seconds=120):
    """Polls the database until `condition()` holds; the deadline only keeps a broken run from hanging."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}; the worker said:\n{log.read_text()}"
        time.sleep(0.02)


def test_a_print_whose_worker_was_killed_is_failed_by_prune_and_prints_again(world, settings, tmp_path):
    settings.TASKS = DATABASE_TASKS
    settings.MEDIA_ROOT = tmp_path
    course = factories.CourseFactory(code="2021-K9-L1", program=world.program, organizer=world.root)
    for _ in range(CERTIFICATES):
        factories.CertificateFactory(enrollment__course=course, issuer=world.issuer_center)
    job = printing.start_print_job(course, kind=PrintJob.Kind.PDF, by=world.center_staff)
    worker = start_worker(tmp_path)
    try:
        progressed = PrintJob.objects.filter(pk=job.pk, done__gte=printing.PROGRESS_STEP)
        wait_for(progressed.exists, "the first progress step", tmp_path / "worker.log")
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()

    job.refresh_from_db()
    task = DBTaskResult.objects.get(pk=job.task_id)
    assert (job.status, job.done < CERTIFICATES, task.status) == (PrintJob.Status.RUNNING, True, "RUNNING")

    assert fail_stale_jobs(timezone.now() + datetime.timedelta(seconds=settings.JOB_STALE_SECONDS + 1)) == 1
    job.refresh_from_db()
    task.refresh_from_db()
    assert (job.status, job.error, job.output.name) == (PrintJob.Status.FAILED, STOPPED, "")
    assert task.status == "FAILED" and task.finished_at is not None

    again = printing.start_print_job(course, kind=PrintJob.Kind.PDF, by=world.center_staff)
    start_worker(tmp_path, "--batch").wait(timeout=300)
    again.refresh_from_db()
    assert (again.status, again.done, again.total) == (PrintJob.Status.DONE, CERTIFICATES, CERTIFICATES)
    assert DBTaskResult.objects.get(pk=again.task_id).status == "SUCCESSFUL"
    assert again.is_downloadable
