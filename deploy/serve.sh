#!/usr/bin/env bash
# `make serve`: the production stack on one machine. Creates the PostgreSQL database if it is missing, migrates,
# collects the static files, then runs the task worker (manage.py db_worker) and gunicorn until either stops or
# Ctrl-C, then stops the other. Settings come from the environment
# (deploy/README.md); what is not set gets a default for trying the stack on this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}

export DEBUG=${DEBUG:-0}
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/training}
export TASKS_BACKEND=${TASKS_BACKEND:-django_tasks_db.DatabaseBackend}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
export CONN_MAX_AGE=${CONN_MAX_AGE:-60}
# Plain HTTP on 127.0.0.1 unless told otherwise: behind a TLS proxy or with gunicorn's certfile, set HTTPS=1.
export HTTPS=${HTTPS:-0}
if [ -z "${SECRET_KEY:-}" ]; then
  # A key made once for this checkout and kept out of git; a real server sets SECRET_KEY in its environment.
  key_file=var/secret_key
  if [ ! -s "$key_file" ]; then
    mkdir -p var
    (umask 077 && "$PY" -c 'import secrets; print(secrets.token_urlsafe(50))' > "$key_file")
  fi
  SECRET_KEY=$(cat "$key_file")
  export SECRET_KEY
fi

"$PY" deploy/create_database.py
"$PY" manage.py migrate --noinput
"$PY" manage.py collectstatic --noinput -v 0
if [ "${DEMO:-0}" = 1 ]; then
  "$PY" manage.py seed_demo --if-empty
fi

"$PY" manage.py db_worker &
worker=$!
"$(dirname "$PY")/gunicorn" -c deploy/gunicorn.conf.py &
web=$!
trap 'kill -TERM "$worker" "$web" 2>/dev/null || true; wait' EXIT INT TERM
wait -n "$worker" "$web"
