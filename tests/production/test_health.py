"""GET /health/: 200 with the database, worker and job checks; 503 JSON when the database does not answer or has no
tables, or when a job's worker stopped in the middle of it. GET /health/ready/, for load balancers: 503 JSON only
when this process cannot serve pages."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from certificates.models import PrintJob
from tests import factories
from tests.production.processes import DEAD_DATABASE_URL, production_environment, run_python

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def queue_task(*, waiting_for):
    task = DBTaskResult.objects.create(
        task_path="certificates.printing.run_print_job_task",
        args_kwargs={"args": [], "kwargs": {}},
        backend_name="default",
        run_after=get_date_max(),
    )
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=timezone.now() - waiting_for)
    return task


@pytest.mark.django_db
def test_health_answers_ok_with_the_database_checked(client):
    response = client.get("/health/")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == "ok"
    assert response.json()["jobs"] == {"status": "ok", "stale_jobs": 0, "stale_tasks": 0}
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_without_a_task_worker_the_worker_check_says_tasks_run_in_the_web_process(client):
    assert client.get("/health/").json()["worker"]["status"] == "not used"


@pytest.mark.django_db
def test_a_task_waiting_briefly_is_normal(client, settings):
    settings.TASKS = DATABASE_TASKS
    queue_task(waiting_for=datetime.timedelta(seconds=20))

    body = client.get("/health/").json()

    assert body["status"] == "ok"
    assert body["worker"]["status"] == "ok"


@pytest.mark.django_db
def test_a_task_nobody_took_for_too_long_marks_the_worker_stale_but_the_site_up(client, settings):
    settings.TASKS = DATABASE_TASKS
    settings.HEALTH_TASK_WAIT_SECONDS = 300
    queue_task(waiting_for=datetime.timedelta(minutes=12))

    response = client.get("/health/")

    assert response.status_code == 200  # a load balancer keeps serving pages; monitoring reads the body
    assert response.json()["status"] == "degraded"
    assert response.json()["worker"]["status"] == "stale"
    assert response.json()["worker"]["oldest_ready_task_waited_seconds"] >= 12 * 60


@pytest.mark.django_db
def test_a_task_scheduled_for_later_is_not_counted_as_waiting(client, settings):
    settings.TASKS = DATABASE_TASKS
    settings.HEALTH_TASK_WAIT_SECONDS = 300
    task = queue_task(waiting_for=datetime.timedelta(hours=2))
    DBTaskResult.objects.filter(pk=task.pk).update(run_after=timezone.now() - datetime.timedelta(seconds=30))

    assert client.get("/health/").json()["worker"]["status"] == "ok"


@pytest.mark.django_db
def test_health_answers_over_plain_http_even_when_the_site_redirects_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/health/").status_code == 200
    assert client.get("/verify/").status_code == 301


def test_health_is_503_when_the_database_does_not_answer():
    """A production process whose database refuses connections (nothing listens on its port)."""
    process = run_python(
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "response = Client().get('/health/')\n"
        "print(response.status_code, response.content.decode())\n",
        production_environment(DATABASE_URL=DEAD_DATABASE_URL, LOG_LEVEL="ERROR"),
    )

    status, body = process.stdout.strip().splitlines()[-1].split(" ", 1)
    assert status == "503", process.stderr
    assert json.loads(body) == {"status": "unavailable", "database": "unavailable"}
    # The failure is in the log, with its stack trace, and nowhere in the answer.
    assert "OperationalError" in process.stdout
    assert "Traceback" in process.stdout


def stopped_print_job(*, silent_for):
    """A print job "running 10/100" whose worker was killed `silent_for` ago, with its task row RUNNING."""
    task = factories.DBTaskResultFactory(status="RUNNING", finished_at=None)
    job = factories.PrintJobFactory(status=PrintJob.Status.RUNNING, total=100, done=10, task_id=str(task.pk))
    PrintJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - silent_for)
    return job


@pytest.mark.django_db
def test_a_job_whose_worker_stopped_makes_health_503_json_until_prune_fails_it(client, settings):
    settings.JOB_STALE_SECONDS = 600
    stopped_print_job(silent_for=datetime.timedelta(minutes=11))

    response = client.get("/health/")

    assert response.status_code == 503 and response["Content-Type"] == "application/json"
    assert response.json()["status"] == "failing"
    assert response.json()["jobs"] == {"status": "stale", "stale_jobs": 1, "stale_tasks": 1}
    # A load balancer keeps sending pages to this process: one stopped job is no reason to turn users away.
    assert client.get("/health/ready/").json() == {"status": "ok"}

    call_command("prune", stdout=io.StringIO())

    assert client.get("/health/").json()["status"] == "ok"


@pytest.mark.django_db
def test_a_job_that_beat_recently_is_healthy(client, settings):
    settings.JOB_STALE_SECONDS = 600
    stopped_print_job(silent_for=datetime.timedelta(minutes=9))

    response = client.get("/health/")

    assert response.status_code == 200
    assert response.json()["jobs"]["status"] == "ok"


@pytest.mark.parametrize("tasks_backend", [None, "django_tasks_db.DatabaseBackend"], ids=["in-process", "database"])
def test_health_and_ready_are_503_json_on_a_database_without_tables(tmp_path, tasks_backend):
    """A production process on a database that migrate has not yet filled."""
    process = run_python(
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "for path in ('/health/', '/health/ready/'):\n"
        "    response = Client().get(path)\n"
        "    print(response.status_code, response['Content-Type'], response.content.decode())\n",
        production_environment(
            DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}", TASKS_BACKEND=tasks_backend, LOG_LEVEL="ERROR"
        ),
    )

    # The log's JSON lines share stdout with the answers.
    health, ready = [line.split(" ", 2) for line in process.stdout.splitlines() if line[:3].isdigit()]
    assert health[:2] == ["503", "application/json"], process.stdout + process.stderr
    assert json.loads(health[2]) == {"status": "unavailable", "database": "unreadable"}
    assert ready[:2] == ["503", "application/json"]
    assert json.loads(ready[2]) == {"status": "unavailable"}
    assert "no such table" in process.stdout  # in the log, not in the answer
