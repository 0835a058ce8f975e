"""`manage.py prune`, the periodic housekeeping: fails jobs whose worker stopped, deletes task rows finished longer
ago than TASK_RESULT_DAYS and the files of report and print jobs past their expiry, keeps everything recent, and
changes nothing more when run again."""

import datetime
import io

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from certificates.models import PrintJob
from reports.models import ReportJob
from tests import factories
from tests.certificates.world import finish_print_jobs
from tests.reports.world import finish_report_jobs

NOW = timezone.now()


@pytest.fixture
def housekeeping_world(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASK_RESULT_DAYS = 14
    settings.PRINT_FILE_HOURS = 72
    return finish_report_jobs(finish_print_jobs(world))


def task_finished(days_ago, status="SUCCESSFUL"):
    return factories.DBTaskResultFactory(status=status, finished_at=NOW - datetime.timedelta(days=days_ago))


def prune():
    out = io.StringIO()
    call_command("prune", stdout=out)
    return dict(line.rsplit(": ", 1) for line in out.getvalue().splitlines())


def test_prune_deletes_old_finished_task_rows_and_keeps_recent_and_unfinished_ones(housekeeping_world):
    old = [task_finished(15), task_finished(30, status="FAILED")]
    kept = [
        housekeeping_world.task_result,
        task_finished(13),
        factories.DBTaskResultFactory(status="RUNNING", finished_at=None, started_at=NOW - datetime.timedelta(days=20)),
        factories.DBTaskResultFactory(status="READY", started_at=None, finished_at=None),
    ]

    counts = prune()

    assert counts["ops.jobs.prune_finished_tasks"] == "2"
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {task.pk for task in kept}
    assert not DBTaskResult.objects.filter(pk__in=[task.pk for task in old]).exists()


def test_prune_deletes_expired_report_and_print_files_and_keeps_recent_ones(housekeeping_world, client_for):
    world = housekeeping_world
    expired_print, recent_print = world.print_job_a, world.print_job_b
    PrintJob.objects.filter(pk=expired_print.pk).update(finished_at=NOW - datetime.timedelta(hours=73))
    expired_report, recent_report = world.report_job_a, world.report_job_b
    ReportJob.objects.filter(pk=expired_report.pk).update(expires_at=NOW - datetime.timedelta(minutes=1))
    names = {job: job.output.name for job in (expired_print, recent_print)}
    names |= {job: job.file.name for job in (expired_report, recent_report)}

    counts = prune()

    assert counts["certificates.printing.expire_print_jobs"] == "1"
    assert counts["reports.jobs.expire_reports"] == "1"
    for job in (expired_print, expired_report):
        job.refresh_from_db()
        assert job.status == "expired" and not default_storage.exists(names[job])
    for job in (recent_print, recent_report):
        job.refresh_from_db()
        assert job.status == "done" and default_storage.exists(names[job])
    client = client_for(world.center_staff)
    gone = client.get(reverse("admin:certificates_printjob_download", args=[expired_print.pk]))
    page = client.get(reverse("admin:certificates_printjob_change", args=[expired_print.pk])).content.decode()
    assert gone.status_code == 404 and "Tệp đã hết hạn và được xóa; hãy in lại." in page


def test_a_print_file_past_its_hours_is_refused_before_prune_deletes_it(housekeeping_world, client_for):
    job = housekeeping_world.print_job_a
    PrintJob.objects.filter(pk=job.pk).update(finished_at=NOW - datetime.timedelta(hours=73))
    client = client_for(housekeeping_world.center_staff)

    assert client.get(reverse("admin:certificates_printjob_download", args=[job.pk])).status_code == 404


def test_prune_run_again_changes_nothing_more(housekeeping_world):
    task_finished(15)
    PrintJob.objects.filter(pk=housekeeping_world.print_job_a.pk).update(finished_at=NOW - datetime.timedelta(hours=73))
    prune()
    before = (
        sorted(DBTaskResult.objects.values_list("pk", "status")),
        sorted(PrintJob.objects.values_list("pk", "status", "output", "error")),
        sorted(ReportJob.objects.values_list("pk", "status", "file", "error")),
    )

    counts = prune()

    assert set(counts.values()) == {"0"}
    after = (
        sorted(DBTaskResult.objects.values_list("pk", "status")),
        sorted(PrintJob.objects.values_list("pk", "status", "output", "error")),
        sorted(ReportJob.objects.values_list("pk", "status", "file", "error")),
    )
    assert after == before


def test_a_failing_step_is_reported_and_the_others_still_run(housekeeping_world, settings):
    settings.HOUSEKEEPING = ["tests.production.test_prune.broken_step", *settings.HOUSEKEEPING]
    task_finished(15)

    with pytest.raises(CommandError, match="tests.production.test_prune.broken_step"):
        call_command("prune", stdout=io.StringIO())

    assert not DBTaskResult.objects.filter(finished_at__lt=NOW - datetime.timedelta(days=14)).exists()


def broken_step(now):
    raise OSError("the storage does not answer")
