"""GET /health/: 200 with the database and worker checks, 503 when the database does not answer."""

import datetime
import json

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

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
