"""Running the project in a separate Python process with its own environment, as a server would start it."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Nothing listens on port 1 of the local host: connecting is refused at once, like a stopped server.
DEAD_DATABASE_URL = "postgres://postgres@127.0.0.1:1/training"


def production_environment(**overrides):
    """The environment of a production server: DEBUG off, a real secret key, a host name."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "daotao.example.vn,testserver",
        "LOG_LEVEL": "WARNING",
    }
    environment.update(overrides)
    return {name: value for name, value in environment.items() if value is not None}


def run_python(code, environment):
    """Runs `code` in a new interpreter in the project folder; returns the finished process."""
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def run_manage(*arguments, environment):
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
