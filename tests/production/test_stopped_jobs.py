"""A job whose worker stopped (killed in the middle of it) is failed once its heartbeat is older than
JOB_STALE_SECONDS, with a message on its page saying to run it again, and its task row stuck in RUNNING is failed
with it; the job can then be started again. A task that was only slow and finishes after its job was failed offers
no file."""

import datetime

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from certificates import pdf, printing
from certificates.models import PrintJob
from ops.jobs import fail_stale_jobs
from reports import jobs as report_jobs
from reports.models import ReportJob
from tests import factories

STOPPED = "Tiến trình xử lý đã dừng giữa chừng; hãy chạy lại."
STALE_SECONDS = 600


@pytest.fixture(autouse=True)
def stale_after_ten_minutes(settings, tmp_path):
    settings.JOB_STALE_SECONDS = STALE_SECONDS
    settings.MEDIA_ROOT = tmp_path / "media"


def later(seconds):
    return timezone.now() + datetime.timedelta(seconds=seconds)


def running_task():
    return factories.DBTaskResultFactory(
        status="RUNNING", task_path="certificates.printing.run_print_job_task", finished_at=None
    )


def interrupted_print(world):
    """A print job as `kill -9` of its worker left it: "running 10/100", its task row RUNNING."""
    task = running_task()
    job = factories.PrintJobFactory(course=world.course_a, requested_by=world.center_staff, total=100)
    job.start(task_id=str(task.pk))
    job.beat(done=10)
    return job, task


def test_a_print_job_whose_worker_stopped_is_failed_with_a_message_and_its_task_too(world, client_for):
    job, task = interrupted_print(world)
    now = later(STALE_SECONDS + 1)

    assert fail_stale_jobs(now) == 1

    job.refresh_from_db()
    task.refresh_from_db()
    assert (job.status, job.error, job.finished_at, job.done) == (PrintJob.Status.FAILED, STOPPED, now, 10)
    assert (task.status, task.finished_at) == ("FAILED", now)
    page = client_for(world.center_staff).get(reverse("admin:certificates_printjob_change", args=[job.pk]))
    text = page.content.decode()
    assert STOPPED in text and "Không in được" in text
    assert 'http-equiv="refresh"' not in text  # the page stops waiting for it
    assert reverse("admin:certificates_printjob_download", args=[job.pk]) not in text


def test_a_job_that_beat_within_the_limit_keeps_running(world):
    job, task = interrupted_print(world)

    assert fail_stale_jobs(later(STALE_SECONDS - 30)) == 0

    job.refresh_from_db()
    task.refresh_from_db()
    assert (job.status, job.error, task.status) == (PrintJob.Status.RUNNING, "", "RUNNING")


def test_failing_stopped_jobs_again_changes_nothing_more(world):
    job, task = interrupted_print(world)
    first = later(STALE_SECONDS + 1)
    fail_stale_jobs(first)

    assert fail_stale_jobs(later(STALE_SECONDS * 3)) == 0

    job.refresh_from_db()
    task.refresh_from_db()
    assert (job.finished_at, task.finished_at) == (first, first)


def test_a_running_job_from_before_heartbeats_is_judged_by_when_it_was_requested(world):
    PrintJob.objects.filter(pk=world.print_job_a.pk).update(status=PrintJob.Status.RUNNING)

    assert fail_stale_jobs(later(STALE_SECONDS + 1)) == 1
    assert PrintJob.objects.get(pk=world.print_job_a.pk).error == STOPPED


def test_a_stopped_print_job_is_printed_again(world, client_for, django_capture_on_commit_callbacks):
    stopped, _ = interrupted_print(world)
    fail_stale_jobs(later(STALE_SECONDS + 1))
    client = client_for(world.center_staff)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:courses_course_changelist"),
            {"action": "print_certificates", "_selected_action": [world.course_a.pk]},
        )

    again = PrintJob.objects.exclude(pk__in=[stopped.pk, world.print_job_a.pk]).get(course=world.course_a)
    assert (again.status, again.done, again.total) == (PrintJob.Status.DONE, 1, 1)
    assert again.heartbeat_at is not None and again.task_id  # the in-process backend's task, recorded
    download = client.get(reverse("admin:certificates_printjob_download", args=[again.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert PrintJob.objects.get(pk=stopped.pk).status == PrintJob.Status.FAILED


def test_a_stopped_yearly_workbook_is_failed_and_made_again(world, client_for, django_capture_on_commit_callbacks):
    task = running_task()
    job = world.report_job_a
    job.start(task_id=str(task.pk), percent=0)
    job.beat(percent=40)

    assert fail_stale_jobs(later(STALE_SECONDS + 1)) == 1

    job.refresh_from_db()
    assert (job.status, job.error, job.percent) == (ReportJob.Status.FAILED, STOPPED, 40)
    assert DBTaskResult.objects.get(pk=task.pk).status == "FAILED"
    page = client_for(world.officer_a).get(job.page_url).content.decode()
    assert STOPPED in page and "Không lập được" in page
    with django_capture_on_commit_callbacks(execute=True):
        again = report_jobs.start_year_workbook(2021, by=world.officer_a)
    again.refresh_from_db()
    assert again.status == ReportJob.Status.DONE and again.is_downloadable


def test_a_slow_print_that_ends_after_its_job_was_failed_offers_no_file(world, monkeypatch):
    """The task was silent for too long (not dead, only slow) and `prune` failed its job meanwhile."""
    render = pdf.render_batch

    def slow(*args, **kwargs):
        fail_stale_jobs(later(STALE_SECONDS + 1))
        return render(*args, **kwargs)

    monkeypatch.setattr(pdf, "render_batch", slow)
    job = world.print_job_a

    printing.run_print_job(job)

    job.refresh_from_db()
    assert (job.status, job.error, job.output.name) == (PrintJob.Status.FAILED, STOPPED, "")
    assert default_storage.listdir("certificate-prints")[1] == []


def test_a_slow_workbook_that_ends_after_its_job_was_failed_offers_no_file(world, monkeypatch):
    write = report_jobs._write

    def slow(job, target, progress):
        fail_stale_jobs(later(STALE_SECONDS + 1))
        progress(0.5)  # a heartbeat that comes too late changes nothing
        return write(job, target, progress)

    monkeypatch.setattr(report_jobs, "_write", slow)
    job = world.report_job_a

    report_jobs.run_report_job(job.pk)

    job.refresh_from_db()
    assert (job.status, job.error, job.percent, job.file.name) == (ReportJob.Status.FAILED, STOPPED, 0, "")
    assert default_storage.listdir("reports")[1] == []
