"""The gunicorn configuration that `make serve`, the systemd unit and the load benchmark share."""

import os
import subprocess
import sys
from pathlib import Path

from tests.production.processes import ROOT, production_environment

GUNICORN = Path(sys.executable).parent / "gunicorn"


def gunicorn_settings(**environment):
    process = subprocess.run(
        [GUNICORN, "-c", "deploy/gunicorn.conf.py", "--print-config"],
        cwd=ROOT,
        env=production_environment(**environment),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert process.returncode == 0, process.stderr
    return dict(
        (name.strip(), value.strip()) for name, value in (line.split("=", 1) for line in process.stdout.splitlines())
    )


def test_two_sync_worker_processes_per_core_and_one_more_by_default():
    settings = gunicorn_settings(WEB_CONCURRENCY=None, WEB_THREADS=None)

    assert settings["workers"] == str(2 * os.cpu_count() + 1)
    assert settings["worker_class"] == "sync"
    assert settings["threads"] == "1"
    assert settings["wsgi_app"] == "config.wsgi:application"


def test_the_shape_comes_from_the_environment():
    settings = gunicorn_settings(WEB_CONCURRENCY="3", WEB_THREADS="4", BIND="0.0.0.0:9000")

    assert (settings["workers"], settings["worker_class"], settings["threads"]) == ("3", "gthread", "4")
    assert settings["bind"] == "['0.0.0.0:9000']"


def test_gunicorn_logs_through_the_json_formatter_and_leaves_requests_to_the_application():
    settings = gunicorn_settings()

    assert settings["logger_class"] == "<JsonLogger()>"
    assert settings["accesslog"] == "None"
