"""Background jobs a user follows (a batch print, a yearly workbook): the heartbeat their task writes as it works,
and failing the jobs whose worker stopped, so that they can be run again.

A worker killed in the middle of a task (`kill -9`, the machine lost, the out-of-memory killer) writes nothing
more: its job would say "running 10/100" for ever and its task row would stay RUNNING, which no worker takes again.
Every job row therefore records when its task last showed signs of life (`heartbeat_at`, written with each
progress update); a running job silent for longer than JOB_STALE_SECONDS is failed with a message saying to run it
again, and its task row is failed with it. `manage.py prune` does that on a timer, and /health/ reports such jobs
until it has.
"""

import datetime
from collections.abc import Iterable

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

# The task-row fields a failed task shows in the task admin: no exception was raised, the worker went away.
WORKER_STOPPED = "ops.jobs.WorkerStopped"


class BackgroundJob(models.Model):
    """A job row kept up to date by its task. A concrete job has a `status` whose choices include "queued",
    "running", "done" and "failed", and the fields `requested_at`, `finished_at` and `error`; its task calls
    `start()` when it begins, `beat()` as it progresses and `finish()` or `fail()` at the end."""

    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"

    heartbeat_at = models.DateTimeField(_("hoạt động gần nhất"), null=True, blank=True)
    # The django-tasks-db row of the task working on the job, failed together with the job when its worker stops.
    task_id = models.CharField(_("mã tác vụ"), max_length=64, blank=True)

    class Meta:
        abstract = True

    def _update(self, rows, **fields):
        """Writes `fields` to the rows and, if any changed, to this instance too, which then says what was stored."""
        changed = rows.update(**fields)
        if changed:
            for name, value in fields.items():
                setattr(self, name, value)
        return changed

    def start(self, *, task_id: str = "", **fields) -> None:
        """The task has begun: running from now on, with its first heartbeat."""
        rows = type(self)._default_manager.filter(pk=self.pk)
        self._update(rows, status=self.RUNNING, heartbeat_at=timezone.now(), task_id=task_id, **fields)

    def beat(self, **fields) -> bool:
        """A sign of life with the progress in `fields`. False when the job is no longer running: it was failed
        as stopped while this task was silent for too long, and what the task still writes would not be shown."""
        rows = type(self)._default_manager.filter(pk=self.pk, status=self.RUNNING)  # type: ignore[misc]  # status is declared by each concrete job model
        return bool(self._update(rows, heartbeat_at=timezone.now(), **fields))

    def finish(self, **fields) -> bool:
        """Done, with the result in `fields` (its file already stored). False, and nothing written, when the job
        was failed as stopped meanwhile: its page says to run it again, and a file it never offered is deleted by
        the caller."""
        now = timezone.now()
        rows = type(self)._default_manager.filter(pk=self.pk, status=self.RUNNING)  # type: ignore[misc]  # status is declared by each concrete job model
        return bool(self._update(rows, status=self.DONE, heartbeat_at=now, finished_at=now, **fields))

    def fail(self, error: BaseException | str) -> None:
        rows = type(self)._default_manager.filter(pk=self.pk)
        self._update(rows, status=self.FAILED, error=str(error)[:2000], finished_at=timezone.now())


def job_models() -> list[type[BackgroundJob]]:
    """Every kind of job: a new one is found here by inheriting BackgroundJob, with nothing to register."""
    return [model for model in apps.get_models() if issubclass(model, BackgroundJob)]


def stale(model: type[BackgroundJob], now: datetime.datetime | None = None) -> models.QuerySet:
    """The model's running jobs whose task has been silent for longer than JOB_STALE_SECONDS."""
    cutoff = (now or timezone.now()) - datetime.timedelta(seconds=settings.JOB_STALE_SECONDS)
    # A job started before heartbeats were written has none: its request time stands in for it.
    silent = Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at=None, requested_at__lt=cutoff)
    return model._default_manager.filter(silent, status=BackgroundJob.RUNNING)  # type: ignore[misc]  # status is declared by each concrete job model


def stopped_message() -> str:
    """What a stopped job's page shows. Stored in the site's language, as a job's other errors are."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("Tiến trình xử lý đã dừng giữa chừng; hãy chạy lại.")


def stale_counts(now: datetime.datetime | None = None) -> dict:
    """How many jobs, and how many of their task rows, are stuck as running (for /health/)."""
    jobs, task_ids = 0, set[str]()
    for model in job_models():
        rows = list(stale(model, now).values_list("task_id", flat=True))
        jobs += len(rows)
        task_ids.update(task_id for task_id in rows if task_id)
    return {"stale_jobs": jobs, "stale_tasks": DBTaskResult.objects.running().filter(id__in=task_ids).count()}


def fail_stale_jobs(now: datetime.datetime | None = None) -> int:
    """Fail every job whose worker stopped, and its task row, so that the job can be run again and nothing waits
    for it. Returns how many jobs were failed; a second run fails nothing more."""
    now = now or timezone.now()
    failed = 0
    message = stopped_message()
    for model in job_models():
        with transaction.atomic():
            # Locked, so that a task that was only slow and finishes now either finishes first (and the job is no
            # longer stale) or finds the job failed and offers nothing.
            jobs = dict(stale(model, now).select_for_update().values_list("pk", "task_id"))
            model._default_manager.filter(pk__in=jobs).update(
                status=BackgroundJob.FAILED, error=message, finished_at=now
            )
            fail_tasks([task_id for task_id in jobs.values() if task_id], message, now)
        failed += len(jobs)
    return failed


def fail_tasks(task_ids: list[str], message: str, now: datetime.datetime) -> None:
    DBTaskResult.objects.running().filter(id__in=task_ids).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path=WORKER_STOPPED,
        traceback=message,
        return_value=None,
    )


def prune_finished_tasks(now: datetime.datetime | None = None) -> int:
    """Delete the task rows finished more than TASK_RESULT_DAYS ago: each holds its arguments and any traceback,
    and the jobs keep the record users see. Returns how many were deleted."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.TASK_RESULT_DAYS)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return deleted


def expire_files(jobs: Iterable[BackgroundJob], file_field: str) -> int:
    """Delete the file of each of `jobs` and mark the job expired; the rows stay as a record of who printed or
    exported what. Returns how many files were deleted."""
    expired = 0
    for job in jobs:
        getattr(job, file_field).delete(save=False)
        job.status = job.Status.EXPIRED  # type: ignore[attr-defined]  # declared by each concrete job model
        job.save(update_fields=[file_field, "status"])
        expired += 1
    return expired
